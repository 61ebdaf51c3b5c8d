/**
 * Finds the process behind each connection (Linux `/proc`): the client's socket inode from
 * `/proc/net/tcp{,6}`, then the process whose `/proc/<pid>/fd` holds it.
 *
 * The lookup has to happen while the client still holds its socket, and a short-lived caller
 * (`curl` in a script) closes it within a millisecond or two of reading the response, while reading
 * the socket table alone takes milliseconds on a busy host. So there are three modes (see
 * docs/decisions/0013-attribution-timing.md):
 * - `before`: the lookup runs just before the response is written, while the caller is
 *   certainly waiting, as long as the time budget allows; otherwise it falls back to `after`
 *   for that request.
 * - `auto` (the default): `before` while the socket table reads fast, `after` when it does not.
 * - `after`: the response goes out first; the lookup is queued and runs in batches on a later turn
 *   of the event loop (one table read and one process walk per batch). Resident callers (agents,
 *   SDKs in services) are still found; short-lived ones are usually reported `exited`.
 *
 * The cost is bounded by a time budget, a token bucket: lookups may use `maxDutyCycle` of the
 * elapsed (wall) time, with bursts up to `burstMs`, so however busy the server, attribution cannot
 * take more than that share of its time. Reading `/proc/net/tcp` costs in proportion to every TCP
 * socket of the namespace (TIME_WAIT included): when one read takes longer than
 * {@link BEFORE_MAX_TABLE_READ_MS}, `before` falls back to batches, whose table reads run off the
 * event loop. The queue has a capacity; beyond it a request is `skipped`.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { ConnectionEnds } from '../server/exchange.js';
import {
  ATTRIBUTION_MODES,
  attributionSupported,
  DEFAULT_MAX_DUTY_CYCLE,
  type AttributionMode,
} from '../server/attribution-mode.js';
import {
  canonicalAddress,
  clientSocketInode,
  encodeEndpoint,
  parseSocketTable,
  rowsMentioning,
  tableOf,
  type SocketRow,
} from './proc-net.js';
import { isLocalAddress } from './local-address.js';
import { readCallerProcess, UserNames, type CallerProcess } from './process-info.js';
import { findSocketOwners } from './socket-owners.js';
import { ssRows, ssRowsSync } from './ss-rows.js';

export type { ConnectionEnds };

/**
 * Who made a request:
 * - `pending`: not looked up yet;
 * - `resolved`: the process (and its parents and container);
 * - `exited`: the client's socket or process was gone when looked up (a short-lived caller);
 * - `not-visible`: the peer is not a socket of this host's network namespace (another host, a
 *   container with its own network), so `/proc` cannot name it;
 * - `skipped`: over the time budget or the queue's capacity (a burst beyond what attribution may cost).
 */
export type Caller =
  | { readonly status: 'pending' | 'exited' | 'not-visible' | 'skipped' }
  | ({ readonly status: 'resolved' } & CallerProcess);

export { ATTRIBUTION_MODES, attributionSupported, DEFAULT_MAX_DUTY_CYCLE, type AttributionMode };

/** How an {@link Attributor} reads the system and how much it may cost. */
export interface AttributorOptions {
  readonly mode?: AttributionMode;
  /** Where procfs is mounted; tests point it at a fake tree. */
  readonly procRoot?: string;
  readonly passwdPath?: string;
  /** Lookups waiting at most; beyond, requests are `skipped`. */
  readonly queueCapacity?: number;
  /** The largest share of time lookups may take in the long run, 0 < x <= 1. */
  readonly maxDutyCycle?: number;
  /** The most lookup time that may be spent at once after a quiet spell, in milliseconds. */
  readonly burstMs?: number;
  /**
   * In `auto` mode, the slowest socket-table read (ms) still done before answering; slower
   * tables send lookups to batches. Default {@link BEFORE_MAX_TABLE_READ_MS}.
   */
  readonly beforeMaxTableReadMs?: number;
}

export const DEFAULT_QUEUE_CAPACITY = 1024;
export const DEFAULT_BURST_MS = 250;
const RECENT_PIDS = 32;
/** Lookups per batch at most (one `ss` filter, one walk of the processes). */
const BATCH_LIMIT = 64;
/** Up to this many connections, table rows are found by string search; beyond, the tables are parsed once. */
const SEARCH_LIMIT = 8;
/**
 * Beyond this, reading the socket table is too slow to do before answering (a host with tens of
 * thousands of sockets, most in TIME_WAIT, has a table of megabytes): lookups go to batches.
 */
export const BEFORE_MAX_TABLE_READ_MS = 20;

interface Lookup {
  readonly ends: ConnectionEnds;
  readonly done: (caller: Caller) => void;
}

/**
 * Attributes connections to processes.
 * @example
 * ```ts
 * const attributor = new Attributor();
 * const emulator = new Emulator({ attribution: attributor }); // requests[].caller is filled in
 * ```
 * @see https://www.kernel.org/doc/Documentation/networking/proc_net_tcp.txt
 */
export class Attributor {
  readonly mode: AttributionMode;
  readonly #procRoot: string;
  readonly #users: UserNames;
  readonly #capacity: number;
  readonly #dutyCycle: number;
  readonly #burstMs: number;
  readonly #beforeMaxTableReadMs: number;
  #credit: number;
  #creditAt = performance.now();
  /** The last lookup's cost (ms); a batch waits until the budget holds that much. */
  #lastCost = 0;
  /**
   * How long the last socket-table read took: when it is slow, `auto` looks up after answering.
   * Unknown (infinite) until the first read is timed, so `auto` never makes the first answers
   * wait for a table that may hold tens of thousands of sockets.
   */
  #tableReadMs = Number.POSITIVE_INFINITY;
  /** Socket rows come from `ss` rather than `/proc/net/tcp` (set once the table read slowly). */
  #useSs = false;
  #queue: Lookup[] = [];
  /** The batch whose socket tables are being read. */
  #inFlight: Lookup[] = [];
  #scheduled: NodeJS.Immediate | NodeJS.Timeout | undefined;
  readonly #recent: number[] = [];
  #closed = false;
  /** Lookups by outcome, and batches run. */
  readonly stats = { resolved: 0, exited: 0, notVisible: 0, skipped: 0, batches: 0 };

  constructor(options: AttributorOptions = {}) {
    this.mode = options.mode ?? 'auto';
    if (!ATTRIBUTION_MODES.includes(this.mode))
      throw new RangeError(`mode: expected auto, before or after, got ${JSON.stringify(options.mode)}`);
    this.#procRoot = options.procRoot ?? '/proc';
    this.#users = new UserNames(options.passwdPath);
    this.#capacity = options.queueCapacity ?? DEFAULT_QUEUE_CAPACITY;
    const duty = options.maxDutyCycle ?? DEFAULT_MAX_DUTY_CYCLE;
    if (!(duty > 0 && duty <= 1)) throw new RangeError(`maxDutyCycle: expected 0 < x <= 1, got ${duty}`);
    this.#dutyCycle = duty;
    this.#burstMs = options.burstMs ?? DEFAULT_BURST_MS;
    this.#credit = this.#burstMs;
    this.#beforeMaxTableReadMs = options.beforeMaxTableReadMs ?? BEFORE_MAX_TABLE_READ_MS;
    if (this.mode === 'auto') this.#timeTableRead();
  }

  /** Times one read of the socket table in the background, so `auto` knows whether to look up first. */
  #timeTableRead(): void {
    const started = performance.now();
    const timed = () => {
      if (this.#tableReadMs !== Number.POSITIVE_INFINITY) return; // a lookup timed one already
      this.#tableReadMs = performance.now() - started;
      if (this.#tableReadMs > BEFORE_MAX_TABLE_READ_MS && this.#procRoot === '/proc') this.#useSs = true;
    };
    void readFile(`${this.#procRoot}/net/tcp`, 'latin1').then(timed, timed);
  }

  /**
   * Looks up who holds the client end of `ends`. In `before` mode, within the time budget, `done`
   * is called before this returns; otherwise later, from a batch.
   */
  attribute(ends: ConnectionEnds, done: (caller: Caller) => void): void {
    if (
      this.mode !== 'after' &&
      !this.#closed &&
      (this.mode === 'before' || this.#tableReadMs <= this.#beforeMaxTableReadMs) &&
      this.#available() > 0
    ) {
      const started = performance.now();
      const [caller] = this.resolveNow([ends]);
      this.#charge(started);
      done(caller as Caller);
      return;
    }
    this.enqueue(ends, done);
  }

  /** Queues a lookup; `done` is called once, later (never synchronously), with the caller. */
  enqueue(ends: ConnectionEnds, done: (caller: Caller) => void): void {
    if (this.#closed || this.#queue.length >= this.#capacity) {
      this.stats.skipped++;
      queueMicrotask(() => done({ status: 'skipped' }));
      return;
    }
    this.#queue.push({ ends, done });
    this.#schedule();
  }

  /** Resolves once no lookup is queued or running. */
  async idle(): Promise<void> {
    while (this.#queue.length > 0 || this.#scheduled !== undefined) {
      await new Promise<void>((resolve) => setTimeout(resolve, 5));
    }
  }

  /** Stops: queued lookups are answered `skipped`, and later ones too. */
  close(): void {
    this.#closed = true;
    if (this.#scheduled !== undefined) {
      clearTimeout(this.#scheduled as NodeJS.Timeout);
      clearImmediate(this.#scheduled as NodeJS.Immediate);
      this.#scheduled = undefined;
    }
    const pending = [...this.#inFlight, ...this.#queue];
    this.#queue = [];
    this.#inFlight = [];
    this.stats.skipped += pending.length;
    for (const lookup of pending) lookup.done({ status: 'skipped' });
  }

  /** Milliseconds of lookup time available now (the bucket refills at `maxDutyCycle`). */
  #available(): number {
    const now = performance.now();
    this.#credit = Math.min(this.#burstMs, this.#credit + (now - this.#creditAt) * this.#dutyCycle);
    this.#creditAt = now;
    return this.#credit;
  }

  /**
   * Charges a lookup's wall time to the budget: the time the event loop (or, for a batch's table
   * read, a thread-pool thread) was busy with it and not serving.
   */
  #charge(started: number): number {
    const cost = performance.now() - started;
    this.#lastCost = cost;
    this.#credit -= cost;
    return cost;
  }

  #schedule(): void {
    if (this.#scheduled !== undefined || this.#closed) return;
    const missing = this.#lastCost - this.#available();
    const run = () => {
      this.#scheduled = undefined;
      this.#drain();
    };
    const timer = missing > 0 ? setTimeout(run, Math.ceil(missing / this.#dutyCycle)) : setImmediate(run);
    timer.unref();
    this.#scheduled = timer;
  }

  /** Runs a batch: the socket tables are read off the event loop (they can be megabytes), the rest at once. */
  #drain(): void {
    const batch = this.#queue.splice(0, BATCH_LIMIT);
    if (batch.length === 0 || this.#closed) return;
    this.stats.batches++;
    this.#inFlight = batch;
    const started = performance.now();
    // Marks the batch in flight: no second batch starts, and idle() waits for it.
    this.#scheduled = setTimeout(() => {}, 2 ** 31 - 1);
    this.#scheduled.unref();
    const connections = batch.map((lookup) => lookup.ends);
    const listed = this.#useSs ? ssRows(ssPeers(connections)) : Promise.resolve(undefined);
    void listed
      .then(async (rows) => {
        if (rows !== undefined) return { rows, read: [] as (readonly [string, string])[] };
        this.#useSs = false;
        const read = await Promise.all(
          ['tcp', 'tcp6'].map((table) =>
            readFile(`${this.#procRoot}/net/${table}`, 'latin1').then(
              (text) => [table, text] as const,
              () => [table, ''] as const,
            ),
          ),
        );
        return { rows: undefined, read };
      })
      .then(({ rows, read }) => {
        clearTimeout(this.#scheduled as NodeJS.Timeout);
        this.#scheduled = undefined;
        this.#inFlight = [];
        if (this.#closed) return; // close() has answered this batch already
        this.#tableReadMs = performance.now() - started;
        if (rows === undefined && this.#tableReadMs > BEFORE_MAX_TABLE_READ_MS && this.#procRoot === '/proc')
          this.#useSs = true;
        const callers = this.resolveNow(connections, new Map(read), rows);
        this.#charge(started);
        for (const [at, lookup] of batch.entries()) lookup.done(callers[at] as Caller);
        if (this.#queue.length > 0) this.#schedule();
      });
  }

  /** Resolves connections at once (synchronously), ignoring the budget; what a batch does. */
  resolveNow(
    connections: readonly ConnectionEnds[],
    tables = new Map<string, string>(),
    listed?: readonly SocketRow[],
  ): Caller[] {
    let rows = listed;
    if (rows === undefined && this.#useSs) {
      const started = performance.now();
      rows = ssRowsSync(ssPeers(connections));
      this.#tableReadMs = performance.now() - started;
      if (rows === undefined) this.#useSs = false; // no ss here: back to /proc/net/tcp
    }
    // Many connections at once: parse the tables once rather than search them once per connection.
    if (rows === undefined && connections.length > SEARCH_LIMIT)
      rows = ['tcp', 'tcp6'].flatMap((table) => parseSocketTable(this.#tableText(table, tables)));
    const byLocal = new Map<string, SocketRow[]>();
    for (const row of rows ?? []) {
      const group = byLocal.get(row.local);
      if (group) group.push(row);
      else byLocal.set(row.local, [row]);
    }
    const inodes = connections.map((ends) => {
      if (rows === undefined) return this.#clientInode(ends, tables);
      const peer = `${canonicalAddress(ends.peerAddress)}:${ends.peerPort}`;
      return clientSocketInode(
        byLocal.get(peer) ?? [],
        peer,
        `${canonicalAddress(ends.localAddress)}:${ends.localPort}`,
      );
    });
    const owners = findSocketOwners(
      this.#procRoot,
      new Set(inodes.filter((inode): inode is number => inode !== undefined)),
      this.#recent,
    );
    const processes = new Map<number, CallerProcess | undefined>();
    return connections.map((ends, at): Caller => {
      const inode = inodes[at];
      if (inode === undefined)
        return this.#count({ status: isLocalAddress(ends.peerAddress) ? 'exited' : 'not-visible' });
      const pid = owners.get(inode);
      if (pid === undefined) return this.#count({ status: 'exited' });
      if (!processes.has(pid)) processes.set(pid, readCallerProcess(this.#procRoot, pid, this.#users));
      const process = processes.get(pid);
      if (!process) return this.#count({ status: 'exited' });
      this.#remember(pid);
      return this.#count({ status: 'resolved', ...process });
    });
  }

  /** The client socket's inode, from the table of the peer's family first, then the other one. */
  #clientInode(ends: ConnectionEnds, tables: Map<string, string>): number | undefined {
    const peer = `${canonicalAddress(ends.peerAddress)}:${ends.peerPort}`;
    const ours = `${canonicalAddress(ends.localAddress)}:${ends.localPort}`;
    const first = tableOf(ends.peerAddress);
    for (const table of [first, first === 'tcp' ? 'tcp6' : 'tcp']) {
      const rows = this.#rowsOf(table, ends, tables);
      const inode = clientSocketInode(rows, peer, ours);
      if (inode !== undefined) return inode;
    }
    return undefined;
  }

  #rowsOf(table: string, ends: ConnectionEnds, tables: Map<string, string>): SocketRow[] {
    const text = this.#tableText(table, tables);
    const mapped = /^\d+\.\d+\.\d+\.\d+$/.test(ends.peerAddress) ? `::ffff:${ends.peerAddress}` : undefined;
    const forms =
      table === 'tcp6' && mapped !== undefined
        ? [encodeEndpoint(mapped, ends.peerPort)]
        : table === 'tcp' && /^::ffff:/i.test(ends.peerAddress)
          ? [encodeEndpoint(ends.peerAddress.slice(7), ends.peerPort)]
          : [encodeEndpoint(ends.peerAddress, ends.peerPort)];
    return forms.flatMap((form) => rowsMentioning(text, form));
  }

  /** A socket table's text, read once per lookup or batch. */
  #tableText(table: string, tables: Map<string, string>): string {
    let text = tables.get(table);
    if (text === undefined) {
      const started = performance.now();
      try {
        text = readFileSync(`${this.#procRoot}/net/${table}`, 'latin1');
      } catch {
        text = ''; // no IPv6, or no procfs
      }
      this.#tableReadMs = performance.now() - started;
      // A table this slow to read is a host with many sockets: ask ss, which filters in the kernel.
      if (this.#tableReadMs > BEFORE_MAX_TABLE_READ_MS && this.#procRoot === '/proc') this.#useSs = true;
      tables.set(table, text);
    }
    return text;
  }

  #count(caller: Caller): Caller {
    if (caller.status === 'resolved') this.stats.resolved++;
    else if (caller.status === 'exited') this.stats.exited++;
    else if (caller.status === 'not-visible') this.stats.notVisible++;
    return caller;
  }

  #remember(pid: number): void {
    const at = this.#recent.indexOf(pid);
    if (at >= 0) this.#recent.splice(at, 1);
    this.#recent.unshift(pid);
    if (this.#recent.length > RECENT_PIDS) this.#recent.pop();
  }
}

/** The client ends to ask `ss` for: a dual-stack listener's `::ffff:a.b.c.d` peer is an IPv4 socket. */
function ssPeers(connections: readonly ConnectionEnds[]): { address: string; port: number }[] {
  return connections.flatMap((ends) => {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ends.peerAddress)?.[1];
    return [
      { address: ends.peerAddress, port: ends.peerPort },
      ...(mapped === undefined ? [] : [{ address: mapped, port: ends.peerPort }]),
    ];
  });
}
