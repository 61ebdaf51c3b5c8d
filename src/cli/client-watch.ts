/**
 * What `imds watch` watches and how it tells a change: four sources polled together (one token
 * serves them all), each value reduced to plain JSON (dates as ISO strings; no scheduled event is
 * `null`, like an absent notice), and a change reported whenever a source's JSON differs from
 * the previous poll. The first poll compares with "nothing", so a notice already present at
 * start is reported at once: a draining script started late must still hear about it.
 */
import { EVENT_PATHS } from '../client/events.js';
import { metadataPath } from '../client/paths.js';
import type { ImdsClient } from '../client/client.js';
import type { JsonValue } from '../client/json.js';

/** The kinds of change `imds watch` reports. */
export type WatchedEvent =
  | 'spot-interruption'
  | 'rebalance-recommendation'
  | 'scheduled-events'
  | 'target-lifecycle-state';

/** One change, printed as one JSON line and passed to the `--exec` hook. */
export interface WatchChange {
  readonly event: WatchedEvent;
  readonly path: string;
  readonly previous: JsonValue;
  readonly current: JsonValue;
  /** When the poll that saw it ran (ISO 8601). */
  readonly observedAt: string;
}

const SOURCES: ReadonlyArray<{
  event: WatchedEvent;
  name: string;
  read: (client: ImdsClient) => Promise<unknown>;
}> = [
  {
    event: 'spot-interruption',
    name: EVENT_PATHS.spotInstanceAction,
    read: (client) => client.spotInstanceAction(),
  },
  {
    event: 'rebalance-recommendation',
    name: EVENT_PATHS.rebalanceRecommendation,
    read: (client) => client.rebalanceRecommendation(),
  },
  {
    event: 'scheduled-events',
    name: EVENT_PATHS.scheduledEvents,
    read: (client) => client.scheduledEvents(),
  },
  {
    event: 'target-lifecycle-state',
    name: EVENT_PATHS.targetLifecycleState,
    read: (client) => client.targetLifecycleState(),
  },
];

/** Plain JSON for a source's value: dates become ISO strings, an empty event list becomes null. */
export function plainValue(value: unknown): JsonValue {
  if (value === null || value === undefined || (Array.isArray(value) && value.length === 0)) return null;
  return JSON.parse(JSON.stringify(value)) as JsonValue;
}

/** Remembers each source's last value and reports what changed. */
export class ChangeDetector {
  readonly #last = new Map<WatchedEvent, string>();

  /** Polls every source once (in parallel) and returns the changes, in source order. */
  async poll(client: ImdsClient, now: Date = new Date()): Promise<WatchChange[]> {
    const values = await Promise.all(SOURCES.map((source) => source.read(client)));
    const changes: WatchChange[] = [];
    SOURCES.forEach((source, index) => {
      const current = plainValue(values[index]);
      const key = JSON.stringify(current);
      const previousKey = this.#last.get(source.event) ?? 'null';
      if (key === previousKey) return;
      this.#last.set(source.event, key);
      changes.push({
        event: source.event,
        path: metadataPath(source.name),
        previous: JSON.parse(previousKey) as JsonValue,
        current,
        observedAt: now.toISOString(),
      });
    });
    return changes;
  }
}

/** How {@link watchEvents} runs and where its results go. */
export interface WatchOptions {
  readonly client: ImdsClient;
  readonly intervalMs: number;
  /** Stop after this many polls; forever when absent. */
  readonly count?: number;
  /** Stops the loop (between polls, or during the wait). */
  readonly signal?: AbortSignal;
  readonly onChange: (change: WatchChange) => void;
  /** A poll failed; return true to keep watching, false to stop (the error is then thrown). */
  readonly onError: (error: unknown) => boolean;
  /** Waits between polls; injectable so tests can change the service between polls. */
  readonly wait?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/**
 * Polls until `count` polls ran or `signal` aborts.
 * @example
 * ```ts
 * await watchEvents({ client, intervalMs: 5000, signal, onChange: (c) => console.log(c), onError: () => true });
 * ```
 */
export async function watchEvents(options: WatchOptions): Promise<void> {
  const detector = new ChangeDetector();
  const wait = options.wait ?? abortableDelay;
  for (let polls = 0; options.count === undefined || polls < options.count; ) {
    if (options.signal?.aborted) return;
    try {
      for (const change of await detector.poll(options.client)) options.onChange(change);
    } catch (error) {
      if (!options.onError(error)) throw error;
    }
    polls++;
    if (options.count !== undefined && polls >= options.count) return;
    await wait(options.intervalMs, options.signal);
  }
}

function abortableDelay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
