/**
 * `imds watch`: polls the notices a node-draining script waits for and prints one JSON line per
 * change, optionally running a command for each.
 */
import { clientFromFlags, CLIENT_OPTIONS_HELP, parseCommandLine } from './client-options.js';
import { parsePositiveDuration } from '../duration.js';
import { exitCodeFor, reportError, usageError } from './client-errors.js';
import { HookRunner } from './client-hook.js';
import { watchEvents } from './client-watch.js';
import { EXIT, type CommandIo } from './io.js';
import { ImdsError } from '../client/errors.js';

const DEFAULT_INTERVAL = '5s';
const MIN_INTERVAL_MS = 100;

const HELP = `Usage: imds watch [--interval 5s] [--exec CMD] [options]

Polls spot/instance-action, events/recommendations/rebalance, events/maintenance/scheduled and
autoscaling/target-lifecycle-state, and prints one JSON line per change:
  {"event":"spot-interruption","path":"/latest/meta-data/spot/instance-action","previous":null,
   "current":{"action":"terminate","time":"2024-02-27T13:08:06.000Z"},"observedAt":"..."}
A notice already present when the watch starts is reported on the first poll. No scheduled event
is null, like an absent notice. Runs until interrupted (SIGINT/SIGTERM), or --count polls.

Options:
  --interval DURATION   time between polls, at least ${MIN_INTERVAL_MS}ms (default ${DEFAULT_INTERVAL})
  --exec CMD            run CMD (with sh) for each change, one at a time, with the change in its
                        environment: IMDS_EVENT, IMDS_EVENT_PATH, IMDS_EVENT_CURRENT,
                        IMDS_EVENT_PREVIOUS (JSON values) and IMDS_EVENT_JSON (the printed line).
                        Its output goes to stderr.
  --count N             stop after N polls
  --once                poll once and exit (same as --count 1)

Unreachable or timed-out polls are reported on stderr and the watch goes on; a refusal
(exit code 4) or a configuration error stops it. With --count or --once, any failure ends the
command with its exit code.

Example:
  imds watch --exec 'test "$IMDS_EVENT" = spot-interruption && kubectl drain "$(hostname)"'

${CLIENT_OPTIONS_HELP}`;

export async function run(argv: string[], io: CommandIo): Promise<number> {
  const parsed = parseCommandLine(
    'watch',
    argv,
    io,
    HELP,
    {
      interval: { type: 'string' },
      exec: { type: 'string' },
      count: { type: 'string' },
      once: { type: 'boolean' },
    },
    { min: 0, max: 0 },
  );
  if ('exit' in parsed) return parsed.exit;
  const { values } = parsed;
  const json = values.json === true;
  const intervalText = typeof values.interval === 'string' ? values.interval : DEFAULT_INTERVAL;
  const intervalMs = parsePositiveDuration(intervalText);
  if (intervalMs === undefined || intervalMs < MIN_INTERVAL_MS) {
    return usageError(
      io,
      'watch',
      `--interval must be a duration of at least ${MIN_INTERVAL_MS}ms; got '${intervalText}'`,
    );
  }
  const countText = values.count;
  if (typeof countText === 'string' && (!/^[0-9]+$/.test(countText) || Number(countText) < 1)) {
    return usageError(io, 'watch', `--count must be an integer >= 1; got '${countText}'`);
  }
  const count = values.once === true ? 1 : typeof countText === 'string' ? Number(countText) : undefined;
  const exec = typeof values.exec === 'string' ? values.exec : undefined;
  const hooks = exec === undefined ? undefined : new HookRunner(exec, io);

  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const client = clientFromFlags(values, io);
    if ('usage' in client) return usageError(io, 'watch', client.usage);
    await watchEvents({
      client,
      intervalMs,
      signal: stop.signal,
      ...(count === undefined ? {} : { count }),
      onChange: (change) => {
        const line = JSON.stringify(change);
        io.stdout(`${line}\n`);
        hooks?.enqueue(change, line);
      },
      // Transient trouble (exit code 3) is reported and the watch goes on, unless it was asked for a fixed number of polls.
      onError: (error) => {
        if (count !== undefined || !(error instanceof ImdsError) || exitCodeFor(error) !== EXIT.unreachable)
          return false;
        reportError(io, 'watch', error, json);
        return true;
      },
    });
    return EXIT.ok;
  } catch (error) {
    return reportError(io, 'watch', error, json);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await hooks?.drain();
  }
}
