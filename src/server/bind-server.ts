import type net from 'node:net';
import { ListenError } from './http1/listen-error.js';

/**
 * Binds a server (the metadata front or the control API's `node:http` server) and turns every way
 * binding can fail into one {@link ListenError} that names the address.
 */
export function bindServer(server: net.Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => {
      server.off('listening', onListening);
      reject(new ListenError(host, port, error));
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    try {
      server.listen({ host, port });
    } catch (error) {
      // Invalid arguments (a port out of range) throw synchronously instead of emitting 'error'.
      server.off('error', onError);
      server.off('listening', onListening);
      reject(new ListenError(host, port, error));
    }
  });
}
