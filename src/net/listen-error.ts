/**
 * The typed error for a listener that could not start.
 */
import { hostPort } from './host.js';

/**
 * Thrown by `listen()` when the address cannot be bound.
 *
 * @example
 * ```ts
 * try { await listen({ host: '127.0.0.1', port: 1338, handler, errorResponse }); }
 * catch (error) { if (error instanceof ListenError && error.code === 'EADDRINUSE') console.error(error.message); }
 * ```
 */
export class ListenError extends Error {
  override readonly name = 'ListenError';
  /** The system error code: `EADDRINUSE`, `EACCES`, `EADDRNOTAVAIL`, `ENOTFOUND`..., or `UNKNOWN`. */
  readonly code: string;
  readonly host: string;
  readonly port: number;

  constructor(host: string, port: number, cause: unknown) {
    const code = systemErrorCode(cause);
    super(`${describe(code)} (${hostPort(host, port)}): ${advice(code)}`, { cause });
    this.code = code;
    this.host = host;
    this.port = port;
  }
}

function systemErrorCode(cause: unknown): string {
  const code = (cause as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'UNKNOWN';
}

function describe(code: string): string {
  switch (code) {
    case 'EADDRINUSE':
      return 'Cannot listen: the address is already in use';
    case 'EACCES':
      return 'Cannot listen: permission denied';
    case 'EADDRNOTAVAIL':
      return 'Cannot listen: the address is not available on this machine';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'Cannot listen: the host name does not resolve';
    default:
      return `Cannot listen: ${code}`;
  }
}

function advice(code: string): string {
  switch (code) {
    case 'EADDRINUSE':
      return 'stop the other process or choose another port (port 0 picks a free one)';
    case 'EACCES':
      return 'ports below 1024 need privileges; choose a port of 1024 or above';
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'use an address of this machine, such as 127.0.0.1';
    default:
      return 'see the cause for details';
  }
}
