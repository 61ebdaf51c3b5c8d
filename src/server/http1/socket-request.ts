/**
 * The {@link ImdsRequest} the front hands to the handler.
 */
import type { Socket } from 'node:net';
import type { ConnectionEnds, ImdsRequest } from '../exchange.js';

/**
 * A request whose `remoteAddress` is read from the socket only when first asked for: the lookup is
 * a `getpeername` system call that measured at ~9% of a request's cost, and most requests never
 * need it. The value is kept once read, so it survives the socket closing, and `toJSON` includes
 * it, so logging the request shows it. (An object spread does not copy it: it lives on the prototype.)
 *
 * @example
 * ```ts
 * const request = new SocketRequest('GET', '/latest/meta-data/', headers, socket);
 * request.remoteAddress; // '127.0.0.1'
 * ```
 */
export class SocketRequest implements ImdsRequest {
  private peer: string | undefined = undefined;

  constructor(
    readonly method: string,
    readonly target: string,
    readonly headers: ReadonlyMap<string, readonly string[]>,
    private readonly socket: Socket,
  ) {}

  get remoteAddress(): string {
    this.peer ??= this.socket.remoteAddress ?? '';
    return this.peer;
  }

  connectionEnds(): ConnectionEnds | undefined {
    const { remoteAddress, remotePort, localAddress, localPort } = this.socket;
    if (remoteAddress === undefined || remotePort === undefined) return undefined;
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
