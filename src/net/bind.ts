/**
 * Binding a listener and closing it, the same way for the metadata front (`node:net`) and the
 * control API (`node:http`).
 */
import type net from 'node:net';
import { ListenError } from './listen-error.js';
import { listenerUrl } from './listener-url.js';

/** A listener that is accepting connections. */
export interface BoundListener {
  /** `http://127.0.0.1:PORT`, `http://[::1]:PORT`: where a local client reaches it. */
  readonly url: string;
  /** The bound address as the system reports it. */
  readonly host: string;
  /** The bound port (the chosen one when 0 was asked). */
  readonly port: number;
  /** Stops accepting, ends open connections, and resolves once the listener is closed. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * Binds `server` to `host:port` and describes the result. `endConnections` ends the connections
 * still open when {@link BoundListener.close} is called (`server.close()` alone waits for them).
 *
 * @throws {ListenError} (as a rejection) for every way binding can fail, naming the address.
 * @example
 * ```ts
 * const listener = await bindListener(server, '127.0.0.1', 0, () => server.closeAllConnections());
 * await listener.close();
 * ```
 */
export async function bindListener(
  server: net.Server,
  host: string,
  port: number,
  endConnections: () => void,
): Promise<BoundListener> {
  await bindServer(server, host, port);
  const address = server.address() as net.AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    url: listenerUrl(address.address, address.port),
    host: address.address,
    port: address.port,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        endConnections();
      });
      return closing;
    },
  };
}

function bindServer(server: net.Server, host: string, port: number): Promise<void> {
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
