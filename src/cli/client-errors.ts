/**
 * How the client commands fail: one line on stderr (or one JSON object with `--json`) and an
 * exit code by kind of error, the same for every command:
 * 0 ok, 1 not found, 2 usage or configuration, 3 unreachable, timed out or unusable answer,
 * 4 refused (401/403, token refused, IMDSv1 needed but disabled, IMDS disabled by environment).
 */
import { EXIT, type CommandIo } from './io.js';
import { ImdsError, type ImdsErrorCode } from '../client/errors.js';

const EXIT_BY_CODE: Record<ImdsErrorCode, number> = {
  NOT_FOUND: EXIT.notFound,
  CONFIG: EXIT.usage,
  TIMEOUT: EXIT.unreachable,
  UNAVAILABLE: EXIT.unreachable,
  BODY_TOO_LARGE: EXIT.unreachable,
  MALFORMED_RESPONSE: EXIT.unreachable,
  UNEXPECTED_STATUS: EXIT.unreachable,
  FORBIDDEN: EXIT.refused,
  TOKEN_REJECTED: EXIT.refused,
  TOKEN_REQUEST_REJECTED: EXIT.refused,
  TOKEN_UNAVAILABLE: EXIT.refused,
  V1_FALLBACK_DISABLED: EXIT.refused,
  DISABLED: EXIT.refused,
};

/** The exit code for a client error. */
export function exitCodeFor(error: ImdsError): number {
  return EXIT_BY_CODE[error.code];
}

/**
 * Reports a client error and returns its exit code; anything else is a bug and is rethrown.
 * Error messages never hold tokens or secrets (the client guarantees it), so they are safe to print.
 */
export function reportError(io: CommandIo, command: string, error: unknown, json: boolean): number {
  if (!(error instanceof ImdsError)) throw error;
  if (json) {
    const { name, code, status, path, attempts, message } = error;
    io.stderr(`${JSON.stringify({ error: { name, code, status, path, attempts, message } })}\n`);
  } else {
    io.stderr(`imds ${command}: ${error.message}\n`);
  }
  return exitCodeFor(error);
}

/**
 * A usage mistake: the message and a one-line pointer to the command's help, exit 2. The help
 * itself is not repeated: thirty lines of it would push the message off the screen.
 * @param _help accepted for callers written before the pointer replaced it; not printed.
 */
export function usageError(io: CommandIo, command: string, message: string, _help?: string): number {
  io.stderr(`imds ${command}: ${message}\nRun 'imds ${command} --help' for its options.\n`);
  return EXIT.usage;
}
