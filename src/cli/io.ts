/** What a command may touch of the outside world, so tests can run commands in-process. */
export interface CommandIo {
  stdout(text: string | Uint8Array): void;
  stderr(text: string): void;
  readonly env: NodeJS.ProcessEnv;
}

/**
 * Exit codes, the same for every command.
 * 0 ok, 1 not found, 2 usage or configuration error, 3 unreachable or timed out,
 * 4 refused (401/403, or IMDSv1 needed but disabled).
 */
export const EXIT = {
  ok: 0,
  notFound: 1,
  usage: 2,
  unreachable: 3,
  refused: 4,
} as const;
