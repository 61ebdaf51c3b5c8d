/**
 * The options every client command takes (`--endpoint`, `--timeout`, `--attempts`,
 * `--no-v1-fallback`, `--json`, `--help`) and how they become an {@link ImdsClient}. The command's
 * environment (`io.env`) supplies the `AWS_*` variables; flags win over them.
 */
import { parsePositiveDuration } from '../duration.js';
import { usageError } from './client-errors.js';
import { fallbackWarning } from './fallback-warning.js';
import { FlagError, parseFlags, type FlagSpec, type FlagValue } from './parse-flags.js';
import { EXIT, type CommandIo } from './io.js';
import { ImdsClient, type ImdsClientOptions } from '../client/client.js';

type OptionSpec = FlagSpec;

/** The shared flags, as `node:util` `parseArgs` options. */
export const CLIENT_OPTIONS = {
  endpoint: { type: 'string', short: 'e' },
  timeout: { type: 'string', short: 't' },
  attempts: { type: 'string' },
  'no-v1-fallback': { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies Record<string, OptionSpec>;

/** The shared flags' help text, appended to each command's own. */
export const CLIENT_OPTIONS_HELP = `Common options:
  -e, --endpoint URL    metadata service address (env AWS_EC2_METADATA_SERVICE_ENDPOINT;
                        default http://169.254.169.254, or http://[fd00:ec2::254] when
                        AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE=IPv6)
  -t, --timeout DURATION time per request, e.g. 500ms, 2s (env AWS_METADATA_SERVICE_TIMEOUT, seconds; default 1s)
  --attempts N          attempts per read, 1 = no retry (env AWS_METADATA_SERVICE_NUM_ATTEMPTS; default 4)
  --no-v1-fallback      never read without a session token (env AWS_EC2_METADATA_V1_DISABLED=true)
  --json                JSON output; errors as JSON on stderr
  -h, --help            show this help

Exit codes: 0 ok, 1 not found, 2 usage or configuration, 3 unreachable, timed out or bad answer,
4 refused (401/403, token refused, IMDSv1 needed but disabled, AWS_EC2_METADATA_DISABLED=true).
`;

/** What parsing a command line gave: values and positionals, or the exit code of a usage error or `--help`. */
export type Parsed = { values: FlagValues; positionals: string[] } | { exit: number };

/** Flag values by name: the shared ones typed, the command's own as parsed (string or boolean). */
export type FlagValues = ClientFlags & Readonly<Record<string, FlagValue>>;

/**
 * Parses `argv` with the shared flags plus the command's own; prints help or a usage error itself.
 * @example
 * ```ts
 * const parsed = parseCommandLine('get', argv, io, HELP, {}, { min: 1, max: 1 });
 * if ('exit' in parsed) return parsed.exit;
 * ```
 */
export function parseCommandLine(
  command: string,
  argv: string[],
  io: CommandIo,
  help: string,
  own: Record<string, OptionSpec>,
  positionals: { min: number; max: number },
): Parsed {
  let parsed: { values: FlagValues; positionals: string[] };
  try {
    parsed = parseFlags(argv, { ...CLIENT_OPTIONS, ...own }, true) as typeof parsed;
  } catch (error) {
    if (!(error instanceof FlagError)) throw error;
    return { exit: usageError(io, command, error.message) };
  }
  if (parsed.values.help) {
    io.stdout(help);
    return { exit: EXIT.ok };
  }
  const count = parsed.positionals.length;
  if (count < positionals.min || count > positionals.max) {
    const wanted =
      positionals.min === positionals.max ? `${positionals.min}` : `${positionals.min} to ${positionals.max}`;
    return { exit: usageError(io, command, `expected ${wanted} argument(s), got ${count}`) };
  }
  return parsed;
}

/** The shared flags' values. */
export interface ClientFlags {
  readonly endpoint?: string;
  readonly timeout?: string;
  readonly attempts?: string;
  readonly 'no-v1-fallback'?: boolean;
  readonly json?: boolean;
  readonly help?: boolean;
}

/**
 * The client the flags and environment describe; warns once on stderr when it falls back to IMDSv1,
 * since a silent fallback hides exactly the callers a team enforcing IMDSv2 must find (a timed-out
 * token request only once a read without a token was answered: see `fallback-warning.ts`).
 * @returns the client, or a usage message for a malformed flag.
 */
export function clientFromFlags(
  flags: ClientFlags,
  io: CommandIo,
  extra: ImdsClientOptions = {},
): ImdsClient | { usage: string } {
  const options: ImdsClientOptions = { env: io.env, ...extra };
  if (flags.endpoint !== undefined) options.endpoint = flags.endpoint;
  if (flags.timeout !== undefined) {
    const ms = parsePositiveDuration(flags.timeout);
    if (ms === undefined)
      return { usage: `--timeout must be a positive duration (500ms, 2s); got '${flags.timeout}'` };
    options.timeoutMs = ms;
  }
  if (flags.attempts !== undefined) {
    if (!/^[0-9]+$/.test(flags.attempts) || Number(flags.attempts) < 1)
      return { usage: `--attempts must be an integer >= 1; got '${flags.attempts}'` };
    options.attempts = Number(flags.attempts);
  }
  if (flags['no-v1-fallback']) options.v1Fallback = false;
  const warning = fallbackWarning(io, options.transport);
  options.onV1Fallback = warning.onV1Fallback;
  options.transport = warning.transport;
  return new ImdsClient(options);
}
