/**
 * `imds token [--ttl N]`: prints a new IMDSv2 session token, for scripts that call curl
 * themselves (`curl -H "X-aws-ec2-metadata-token: $(imds token)" ...`).
 */
import { clientFromFlags, CLIENT_OPTIONS_HELP, parseCommandLine } from './client-options.js';
import { reportError, usageError } from './client-errors.js';
import { EXIT, type CommandIo } from './io.js';
import { DEFAULT_TOKEN_TTL_SECONDS, TOKEN_TTL_MAX_SECONDS, TOKEN_TTL_MIN_SECONDS } from '../wire.js';

const HELP = `Usage: imds token [--ttl N] [options]

Requests an IMDSv2 session token and prints it. Never falls back to IMDSv1: when the service
issues no token, the command fails (exit 4).

Options:
  --ttl N               token lifetime in seconds, ${TOKEN_TTL_MIN_SECONDS}..${TOKEN_TTL_MAX_SECONDS} (default ${DEFAULT_TOKEN_TTL_SECONDS})

With --json, prints {"token": "...", "ttlSeconds": N}.

Example:
  curl -H "X-aws-ec2-metadata-token: $(imds token --ttl 60)" http://169.254.169.254/latest/meta-data/

${CLIENT_OPTIONS_HELP}`;

export async function run(argv: string[], io: CommandIo): Promise<number> {
  const parsed = parseCommandLine('token', argv, io, HELP, { ttl: { type: 'string' } }, { min: 0, max: 0 });
  if ('exit' in parsed) return parsed.exit;
  const json = parsed.values.json === true;
  const ttlText = parsed.values.ttl;
  const ttlSeconds = typeof ttlText === 'string' ? Number(ttlText) : DEFAULT_TOKEN_TTL_SECONDS;
  if (
    typeof ttlText === 'string' &&
    (!/^[0-9]+$/.test(ttlText) || ttlSeconds < TOKEN_TTL_MIN_SECONDS || ttlSeconds > TOKEN_TTL_MAX_SECONDS)
  ) {
    return usageError(
      io,
      'token',
      `--ttl must be an integer from ${TOKEN_TTL_MIN_SECONDS} to ${TOKEN_TTL_MAX_SECONDS} (seconds); got '${ttlText}'`,
    );
  }
  try {
    const client = clientFromFlags(parsed.values, io, { tokenTtlSeconds: ttlSeconds });
    if ('usage' in client) return usageError(io, 'token', client.usage);
    const token = await client.token();
    io.stdout(json ? `${JSON.stringify({ token, ttlSeconds })}\n` : `${token}\n`);
    return EXIT.ok;
  } catch (error) {
    return reportError(io, 'token', error, json);
  }
}
