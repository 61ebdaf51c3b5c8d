/**
 * Reading the kernel's TCP socket tables (`/proc/net/tcp` and `/proc/net/tcp6`): which socket inode
 * is the client's end of a connection. Addresses there are hex in host byte order, per 32-bit word.
 *
 * @see https://www.kernel.org/doc/Documentation/networking/proc_net_tcp.txt
 */
import { endianness } from 'node:os';

/** One row of a `/proc/net/tcp{,6}` table. */
export interface SocketRow {
  /** Canonical address (see {@link canonicalAddress}) and port of this end. */
  readonly local: string;
  readonly remote: string;
  /** Kernel state number (1 established, 6 time-wait, 8 close-wait...). */
  readonly state: number;
  readonly uid: number;
  /** 0 for sockets no process holds any more (time-wait). */
  readonly inode: number;
}

const LITTLE_ENDIAN = endianness() === 'LE';

/** Parses a whole `/proc/net/tcp` or `/proc/net/tcp6` text; the header line and malformed rows are skipped. */
export function parseSocketTable(text: string): SocketRow[] {
  const rows: SocketRow[] = [];
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/);
    // sl local rem st tx:rx tr:when retrnsmt uid timeout inode ...
    if (fields.length < 10 || !fields[0]?.endsWith(':')) continue;
    const local = decodeEndpoint(fields[1] as string);
    const remote = decodeEndpoint(fields[2] as string);
    if (local === undefined || remote === undefined) continue;
    rows.push({
      local,
      remote,
      state: Number.parseInt(fields[3] as string, 16),
      uid: Number(fields[7]),
      inode: Number(fields[9]),
    });
  }
  return rows;
}

/** `0100007F:A3F2` -> `127.0.0.1:41970`. */
function decodeEndpoint(text: string): string | undefined {
  const [hex, portHex] = text.split(':');
  if (hex === undefined || portHex === undefined || !/^[0-9A-Fa-f]+$/.test(hex)) return undefined;
  const port = Number.parseInt(portHex, 16);
  if (hex.length !== 8 && hex.length !== 32) return undefined;
  const bytes: number[] = [];
  for (let word = 0; word < hex.length; word += 8) {
    const wordBytes = [0, 2, 4, 6].map((at) => Number.parseInt(hex.slice(word + at, word + at + 2), 16));
    bytes.push(...(LITTLE_ENDIAN ? wordBytes.reverse() : wordBytes));
  }
  return `${addressOfBytes(bytes)}:${port}`;
}

function addressOfBytes(bytes: readonly number[]): string {
  if (bytes.length === 4) return bytes.join('.');
  // IPv4-mapped (::ffff:a.b.c.d): a dual-stack listener sees IPv4 clients this way.
  if (bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff) {
    return bytes.slice(12).join('.');
  }
  const groups: string[] = [];
  for (let at = 0; at < 16; at += 2)
    groups.push((((bytes[at] as number) << 8) | (bytes[at + 1] as number)).toString(16));
  return groups.join(':');
}

/**
 * The form {@link parseSocketTable} writes an address in, from Node's form: IPv4 as is, IPv4-mapped
 * IPv6 as IPv4, other IPv6 as eight unabbreviated lower-case groups without leading zeros.
 */
export function canonicalAddress(address: string): string {
  const unzoned = address.replace(/%.*$/, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(unzoned);
  if (mapped) return mapped[1] as string;
  if (!unzoned.includes(':')) return unzoned;
  const [head = '', tail = ''] = unzoned.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = unzoned.includes('::') ? (tail === '' ? [] : tail.split(':')) : [];
  const missing = 8 - headGroups.length - tailGroups.length;
  const groups = [...headGroups, ...Array(Math.max(missing, 0)).fill('0'), ...tailGroups];
  return groups.map((group) => Number.parseInt(group, 16).toString(16)).join(':');
}

/**
 * The text a table row holds for `address:port` (`0100007F:A3F2`), so a lookup can find the few
 * rows of one connection with a string search instead of parsing a table of thousands of rows.
 * `address` is in Node's form; an IPv4-mapped address is encoded the IPv6 way, as a dual-stack
 * listener's table (`tcp6`) holds it. See src/audit/table-scan.ts.
 */
export function encodeEndpoint(address: string, port: number): string {
  const bytes = addressBytes(address.replace(/%.*$/, ''));
  let hex = '';
  for (let word = 0; word < bytes.length; word += 4) {
    const wordBytes = bytes.slice(word, word + 4);
    for (const byte of LITTLE_ENDIAN ? wordBytes.reverse() : wordBytes)
      hex += byte.toString(16).padStart(2, '0');
  }
  return `${hex.toUpperCase()}:${port.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** The table an address's sockets are listed in: `tcp` for IPv4, `tcp6` for IPv6 and IPv4-mapped. */
export function tableOf(address: string): 'tcp' | 'tcp6' {
  return address.includes(':') ? 'tcp6' : 'tcp';
}

function addressBytes(address: string): number[] {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return [...Array(10).fill(0), 0xff, 0xff, ...(mapped[1] as string).split('.').map(Number)];
  if (!address.includes(':')) return address.split('.').map(Number);
  const bytes: number[] = [];
  for (const group of canonicalAddress(address).split(':')) {
    const value = Number.parseInt(group, 16);
    bytes.push(value >> 8, value & 0xff);
  }
  return bytes;
}

/**
 * The inode of the client's end of a connection: the row whose local end is the peer. A row
 * whose remote end is also ours is preferred (a redirected connection's remote end is the
 * address the client dialled, not ours, so any live row of the peer is the fallback).
 */
export function clientSocketInode(
  rows: readonly SocketRow[],
  peer: string,
  ours: string,
): number | undefined {
  let fallback: number | undefined;
  for (const row of rows) {
    if (row.local !== peer || row.inode === 0) continue;
    if (row.remote === ours) return row.inode;
    fallback ??= row.inode;
  }
  return fallback;
}
