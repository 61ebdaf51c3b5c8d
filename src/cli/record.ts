/**
 * `imds record`: crawls a metadata service (every version it lists, every directory and leaf) and
 * writes one recording file that `imds serve --from` serves again. Secrets are left out unless
 * asked for, and stderr says what was left out.
 */
import { writeFileSync } from 'node:fs';
import { clientFromFlags, CLIENT_OPTIONS_HELP, parseCommandLine } from './client-options.js';
import { reportError, usageError } from './client-errors.js';
import { EXIT, type CommandIo } from './io.js';
import { ImdsNotFoundError } from '../client/errors.js';
import { socketTransport } from '../client/socket-transport.js';
import { CrawlError, crawl, UnknownVersionError, type CrawlReader } from '../recording/crawl.js';
import type { Recording } from '../recording/format.js';
import { DEFAULT_RECORD_RATE, pacedTransport } from '../recording/paced-transport.js';
import { formatRecording } from '../recording/write.js';
import { TEXT_PLAIN } from '../metadata/tree.js';

/** Requests in flight at once while recording; small, as the real service is shared with the workload. */
export const DEFAULT_RECORD_CONCURRENCY = 4;

const HELP = `Usage: imds record [options] [FILE]

Crawls the metadata service (every version it lists, every directory and leaf) and writes one
recording (YAML, or JSON for a .json FILE) to FILE or stdout. 'imds serve --from FILE' serves it.

Left out unless asked: role and identity credentials, the identity signatures (the replay makes
its own) and user data. Their paths, shapes and sizes are kept.

Options:
  --versions LIST       comma-separated versions to record (default: every version listed)
  --include-user-data   keep user data (it often holds secrets: check before sharing the file)
  --redact PATH         leave out this leaf or subtree too (meta-data/tags/); repeatable
  --format FORMAT       yaml (default) or json; default from FILE's extension
  --concurrency N       requests in flight at once, 1 to 32 (default ${DEFAULT_RECORD_CONCURRENCY})
  --rate N              most requests per second, 0 = unpaced (default ${DEFAULT_RECORD_RATE}; the
                        service allows about 1024 packets a second per interface); halves on 429/503
  -q, --quiet           no progress lines on stderr

${CLIENT_OPTIONS_HELP}`;

const PROGRESS_EVERY_MS = 500;

export async function run(argv: string[], io: CommandIo): Promise<number> {
  const parsed = parseCommandLine(
    'record',
    argv,
    io,
    HELP,
    {
      versions: { type: 'string' },
      'include-user-data': { type: 'boolean' },
      redact: { type: 'string', multiple: true },
      format: { type: 'string' },
      concurrency: { type: 'string' },
      rate: { type: 'string' },
      quiet: { type: 'boolean', short: 'q' },
    },
    { min: 0, max: 1 },
  );
  if ('exit' in parsed) return parsed.exit;
  const { values } = parsed;
  const file = parsed.positionals[0];
  const bad = (message: string) => usageError(io, 'record', message, HELP);

  const format =
    (values.format as string | undefined) ?? (file?.toLowerCase().endsWith('.json') ? 'json' : 'yaml');
  if (format !== 'yaml' && format !== 'json') return bad(`--format must be yaml or json; got '${format}'`);
  const concurrency = integerFlag(values.concurrency, DEFAULT_RECORD_CONCURRENCY, 1, 32);
  if (concurrency === undefined)
    return bad(`--concurrency must be an integer from 1 to 32; got '${values.concurrency}'`);
  const rate = integerFlag(values.rate, DEFAULT_RECORD_RATE, 0, 1000);
  if (rate === undefined) return bad(`--rate must be an integer from 0 to 1000; got '${values.rate}'`);
  const versions =
    typeof values.versions === 'string'
      ? values.versions
          .split(',')
          .map((version) => version.trim())
          .filter((version) => version !== '')
      : undefined;
  if (versions?.length === 0) return bad('--versions needs at least one version');
  const redact = (values.redact as string[] | undefined) ?? [];
  for (const path of redact)
    if (path.replace(/^\/+|\/+$/g, '') === '')
      return bad(`--redact needs a path such as meta-data/tags/; got '${path}'`);

  if (values['include-user-data'] === true)
    io.stderr(
      'imds record: warning: user data is kept; it often holds secrets (passwords, keys, tokens): check the file before sharing it\n',
    );
  const paced = pacedTransport(socketTransport, rate);
  const client = clientFromFlags(values, io, { transport: paced.transport });
  if ('usage' in client) return bad(client.usage);
  const endpoint = client.config.endpoint;
  const reader: CrawlReader = {
    async read(path) {
      const body = await client.getBytes(path);
      return { body, contentType: paced.contentType(endpoint + path) ?? TEXT_PLAIN };
    },
    isNotFound: (error) => error instanceof ImdsNotFoundError,
    async tokenlessStatus() {
      try {
        const response = await paced.transport({
          method: 'GET',
          url: `${endpoint}/latest/meta-data/`,
          headers: {},
          connectTimeoutMs: client.config.connectTimeoutMs,
          timeoutMs: client.config.timeoutMs,
          maxBodyBytes: client.config.maxBodyBytes,
        });
        return response.status;
      } catch {
        return undefined;
      }
    },
  };

  const started = performance.now();
  let lastProgress = started;
  const quiet = values.quiet === true;
  let recording: Recording;
  try {
    recording = await crawl(reader, {
      ...(versions ? { versions } : {}),
      policy: { includeUserData: values['include-user-data'] === true, redact },
      concurrency,
      source: {
        endpoint,
        at: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
        tool: 'ec2-imds imds record',
      },
      onProgress(done, found) {
        const now = performance.now();
        if (quiet || now - lastProgress < PROGRESS_EVERY_MS) return;
        lastProgress = now;
        io.stderr(
          `imds record: ${done}/${found} paths, ${ratePerSecond(paced.stats.requests, now - started)} req/s\n`,
        );
      },
    });
  } catch (error) {
    if (error instanceof UnknownVersionError) return bad(error.message);
    if (error instanceof CrawlError) {
      io.stderr(`imds record: not a metadata tree: ${error.message}\n`);
      return EXIT.unreachable;
    }
    return reportError(io, 'record', error, values.json === true);
  }
  const text = formatRecording(recording, format);
  if (file === undefined || file === '-') io.stdout(text);
  else {
    try {
      writeFileSync(file, text);
    } catch (error) {
      io.stderr(
        `imds record: cannot write ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}\n`,
      );
      return EXIT.usage;
    }
  }
  const elapsed = performance.now() - started;
  io.stderr(summary(recording, paced.stats, elapsed, file));
  return EXIT.ok;
}

/** An integer flag within bounds; undefined when malformed. */
function integerFlag(text: unknown, fallback: number, min: number, max: number): number | undefined {
  if (text === undefined) return fallback;
  if (typeof text !== 'string' || !/^[0-9]+$/.test(text)) return undefined;
  const value = Number(text);
  return value >= min && value <= max ? value : undefined;
}

function ratePerSecond(requests: number, elapsedMs: number): number {
  return elapsedMs > 0 ? Math.round((requests * 1000) / elapsedMs) : 0;
}

/** What was recorded, what was left out and why, and the cost. */
export function summary(
  recording: Recording,
  stats: { requests: number; throttled: number },
  elapsedMs: number,
  file: string | undefined,
): string {
  const paths = new Set(recording.entries.map((entry) => entry.path));
  const omitted = new Map<string, string[]>();
  for (const entry of recording.entries) {
    if (entry.kind !== 'leaf' || !entry.omitted) continue;
    const list = omitted.get(entry.omitted) ?? [];
    if (!list.includes(entry.path)) list.push(entry.path);
    omitted.set(entry.omitted, list);
  }
  const lines = [
    `imds record: recorded ${paths.size} paths (${recording.entries.length} entries) in ${recording.versions.length} versions` +
      ` to ${file ?? 'stdout'} with ${stats.requests} requests in ${(elapsedMs / 1000).toFixed(1)} s` +
      (stats.throttled > 0 ? ` (${stats.throttled} answered 429/503, slowed down)` : '') +
      (recording.httpTokens ? `; HttpTokens=${recording.httpTokens}` : ''),
  ];
  for (const [reason, list] of omitted) {
    const hint =
      reason === 'user data'
        ? ' (--include-user-data keeps it)'
        : reason === 'redacted'
          ? ''
          : ' (imds serve --from generates them)';
    lines.push(`imds record: left out ${reason}${hint}: ${list.join(', ')}`);
  }
  return `${lines.join('\n')}\n`;
}
