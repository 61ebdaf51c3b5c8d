/**
 * `imds dump`: the whole metadata tree (meta-data, dynamic, user-data) as one JSON document.
 */
import { clientFromFlags, CLIENT_OPTIONS_HELP, parseCommandLine } from './client-options.js';
import { reportError, usageError } from './client-errors.js';
import { EXIT, type CommandIo } from './io.js';
import {
  DEFAULT_DUMP_CONCURRENCY,
  DEFAULT_DUMP_DEADLINE_MS,
  DEFAULT_DUMP_MAX_ENTRIES,
} from '../client/dump.js';
import { parsePositiveDuration } from '../duration.js';

const HELP = `Usage: imds dump [options]

Prints the whole tree under /latest/ (meta-data, dynamic, user-data) as JSON. Directories are
objects, JSON documents are parsed, other values are strings, binary user data is
{"base64": "..."}. The output includes the role's temporary credentials, as the service does.

Options:
  --concurrency N       requests in flight at once (default ${DEFAULT_DUMP_CONCURRENCY})
  --max-entries N       fail when the tree lists more entries than this (default ${DEFAULT_DUMP_MAX_ENTRIES})
  --deadline DURATION   fail when the whole dump takes longer, e.g. 30s, 2m (default ${DEFAULT_DUMP_DEADLINE_MS / 1000}s)

${CLIENT_OPTIONS_HELP}`;

export async function run(argv: string[], io: CommandIo): Promise<number> {
  const parsed = parseCommandLine(
    'dump',
    argv,
    io,
    HELP,
    { concurrency: { type: 'string' }, 'max-entries': { type: 'string' }, deadline: { type: 'string' } },
    { min: 0, max: 0 },
  );
  if ('exit' in parsed) return parsed.exit;
  const json = parsed.values.json === true;
  const concurrencyText = parsed.values.concurrency;
  const concurrency =
    typeof concurrencyText === 'string' ? Number(concurrencyText) : DEFAULT_DUMP_CONCURRENCY;
  if (
    typeof concurrencyText === 'string' &&
    (!/^[0-9]+$/.test(concurrencyText) || concurrency < 1 || concurrency > 64)
  ) {
    return usageError(io, 'dump', `--concurrency must be an integer from 1 to 64; got '${concurrencyText}'`);
  }
  const maxEntriesText = parsed.values['max-entries'];
  const maxEntries = typeof maxEntriesText === 'string' ? Number(maxEntriesText) : DEFAULT_DUMP_MAX_ENTRIES;
  if (
    typeof maxEntriesText === 'string' &&
    (!/^[0-9]+$/.test(maxEntriesText) || maxEntries < 1 || !Number.isSafeInteger(maxEntries))
  )
    return usageError(io, 'dump', `--max-entries must be a positive integer; got '${maxEntriesText}'`);
  const deadlineText = parsed.values.deadline;
  const deadlineMs =
    typeof deadlineText === 'string' ? parsePositiveDuration(deadlineText) : DEFAULT_DUMP_DEADLINE_MS;
  if (deadlineMs === undefined || deadlineMs < 1 || deadlineMs > 2 ** 31 - 1)
    return usageError(
      io,
      'dump',
      `--deadline must be a positive duration up to 24 days (30s, 2m); got '${deadlineText}'`,
    );
  try {
    const client = clientFromFlags(parsed.values, io);
    if ('usage' in client) return usageError(io, 'dump', client.usage);
    io.stdout(`${JSON.stringify(await client.dump({ concurrency, maxEntries, deadlineMs }), null, 2)}\n`);
    return EXIT.ok;
  } catch (error) {
    return reportError(io, 'dump', error, json);
  }
}
