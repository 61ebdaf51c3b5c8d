/**
 * The raw `node:net` baseline (write the fixed response, then close) as a plain command on
 * 127.0.0.1:PORT, for figures that start their servers as commands (figure 8 starts it beside the
 * Go peer as Node's floor). It runs until killed.
 *
 * Usage: `node --import tsx bench/servers/raw-net-main.ts <port>`
 */
import { startRawNetServer } from './raw-net.js';

const port = Number(process.argv[2]);
if (!Number.isInteger(port) || port < 1 || port > 65_535)
  throw new Error(`raw-net-main: expected a port (1-65535), got '${process.argv[2] ?? ''}'`);
await startRawNetServer('write-destroy', port);
