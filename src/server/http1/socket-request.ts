/**
 * The {@link ImdsRequest} the front hands to the handler.
 */
import type { Socket } from 'node:net';
import type { ConnectionEnds, ImdsRequest } from '../exchange.js';

/** The address and port a listener bound to a specific (not wildcard) address accepts every connection on. */
export interface LocalEnd {
  readonly address: string;
  readonly port: number;
}

/**
 * A request read from a socket. `remoteAddress` is read once, when the request is complete: every
 * request is logged with it, so deferring it saved nothing. The four ends of the connection, which
 * only caller attribution needs, are read when asked for; the local end comes from the listener
 * when it was bound to one address (a system call less per request). `toJSON` leaves the socket out.
 *
 * @example
 * ```ts
 * const request = new SocketRequest('GET', '/latest/meta-data/', headers, socket);
 * request.remoteAddress; // '127.0.0.1'
 * ```
 */
export class SocketRequest implements ImdsRequest {
  readonly remoteAddress: string;

  constructor(
    readonly method: string,
    readonly target: string,
    readonly headers: ReadonlyMap<string, readonly string[]>,
    private readonly socket: Socket,
    private readonly localEnd?: LocalEnd,
  ) {
    this.remoteAddress = socket.remoteAddress ?? '';
  }

  connectionEnds(): ConnectionEnds | undefined {
    const { remoteAddress, remotePort } = this.socket;
    if (remoteAddress === undefined || remotePort === undefined) return undefined;
    const localAddress = this.localEnd?.address ?? this.socket.localAddress;
    const localPort = this.localEnd?.port ?? this.socket.localPort;
    if (localAddress === undefined || localPort === undefined) return undefined;
    return { peerAddress: remoteAddress, peerPort: remotePort, localAddress, localPort };
  }

  toJSON(): {
    method: string;
    target: string;
    headers: Record<string, readonly string[]>;
    remoteAddress: string;
  } {
    return {
      method: this.method,
      target: this.target,
      headers: Object.fromEntries(this.headers),
      remoteAddress: this.remoteAddress,
    };
  }
}
