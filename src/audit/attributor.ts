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
import type { ConnectionEnds } from '../server/exchange.js';
import {
  ATTRIBUTION_MODES,
  attributionSupported,
  DEFAULT_MAX_DUTY_CYCLE,
  type AttributionMode,
} from '../server/attribution-mode.js';
import { canonicalAddress, clientSocketInode, encodeEndpoint, tableOf, type SocketRow } from './proc-net.js';
import { scanTable, scanTableSync } from './table-scan.js';
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
 *   container with its own network), or its holder may be a process whose descriptors this one
 *   may not read (another user's, without `CAP_DAC_READ_SEARCH` and `CAP_SYS_PTRACE`), so `/proc`
 *   cannot name it;
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
   * In `auto` mode, the slowest socket-table read (ms) still done before answering, and the
   * deadline of a read done before answering; slower tables send lookups to batches. Default
   * {@link BEFORE_MAX_TABLE_READ_MS}.
   */
  readonly beforeMaxTableReadMs?: number;
}

export const DEFAULT_QUEUE_CAPACITY = 1024;
export const DEFAULT_BURST_MS = 250;
const RECENT_PIDS = 32;
/** Lookups per batch at most (one `ss` filter, one walk of the processes). */
const BATCH_LIMIT = 64;
/**
 * Beyond this, reading the socket table is too slow to do before answering: lookups go to batches,
 * and batches ask `ss`. The kernel walks its whole TCP hash for every read of `/proc/net/tcp`, so a
 * host with much memory pays milliseconds even for an empty table (5 ms on the 24 GiB build
 * machine), and a host with tens of thousands of sockets far more.
 */
export const BEFORE_MAX_TABLE_READ_MS = 2;

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
   * Unknown until the first batch: construction reads nothing, and `auto` sends its first lookup to
   * a batch, so no answer waits on a read of unknown cost.
   */
  #tableReadMs: number | undefined;
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
  }

  /**
   * Looks up who holds the client end of `ends`. In `before` mode, within the time budget, `done`
   * is called before this returns; in `auto` mode too, unless the socket table reads slowly (then
   * later, from a batch); in `after` mode always later.
   */
  attribute(ends: ConnectionEnds, done: (caller: Caller) => void): void {
    if (
      this.mode !== 'after' &&
      !this.#closed &&
      (this.mode === 'before' || this.#cheap()) &&
      this.#available() > 0
    ) {
      const started = performance.now();
      // `auto` gives the table read a deadline: a table that turns out slow is left for a batch.
      const deadline = this.mode === 'auto' ? started + this.#beforeMaxTableReadMs : undefined;
      const rows = this.#rowsSync([ends], deadline);
      const callers = rows === undefined ? undefined : this.#callersOf([ends], rows);
      this.#charge(started);
      if (callers !== undefined) {
        done(callers[0] as Caller);
        return;
      }
    }
    this.enqueue(ends, done);
  }

  /**
   * Whether `auto` may look up before answering: only once a batch has timed the socket table (the
   * first lookup never waits on a read of unknown cost), only while that read is fast, and never
   * through `ss`, whose process start alone costs milliseconds.
   */
  #cheap(): boolean {
    return this.#tableReadMs !== undefined && this.#tableReadMs <= this.#beforeMaxTableReadMs && !this.#useSs;
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

  /** Runs a batch: the socket rows are found off the event loop (the tables can be megabytes), the rest at once. */
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
    // A table that cannot be read has no rows (scanTable says so); never leave a batch in flight.
    void this.#rowsAsync(connections)
      .catch((): SocketRow[] => [])
      .then((rows) => {
        clearTimeout(this.#scheduled as NodeJS.Timeout);
        this.#scheduled = undefined;
        this.#inFlight = [];
        if (this.#closed) return; // close() has answered this batch already
        const callers = this.#callersOf(connections, rows);
        this.#charge(started);
        for (const [at, lookup] of batch.entries()) lookup.done(callers[at] as Caller);
        if (this.#queue.length > 0) this.#schedule();
      });
  }

  /** Resolves connections at once (synchronously), ignoring the budget and any deadline. */
  resolveNow(connections: readonly ConnectionEnds[]): Caller[] {
    return this.#callersOf(connections, this.#rowsSync(connections, undefined) ?? []);
  }

  /**
   * The socket rows of `connections`' client ends, read at once: from `ss` once the table has read
   * slowly, else from the tables in chunks. Undefined when the deadline passed first.
   */
  #rowsSync(connections: readonly ConnectionEnds[], deadline: number | undefined): SocketRow[] | undefined {
    const started = performance.now();
    if (this.#useSs) {
      const rows = ssRowsSync(ssPeers(connections));
      this.#tableReadMs = performance.now() - started;
      if (rows !== undefined) return rows;
      this.#useSs = false; // no ss here: back to /proc/net/tcp
    }
    const rows: SocketRow[] = [];
    const found = foundAll(connections);
    for (const [table, endpoints] of tableSearches(connections)) {
      const scan = scanTableSync(`${this.#procRoot}/net/${table}`, {
        endpoints,
        complete: (more) => found([...rows, ...more]),
        ...(deadline === undefined ? {} : { deadline }),
      });
      rows.push(...scan.rows);
      if (scan.timedOut) {
        this.#timed(performance.now() - started);
        return undefined;
      }
      if (found(rows)) break;
    }
    this.#timed(performance.now() - started);
    return rows;
  }

  /** As {@link #rowsSync}, without blocking the event loop and without a deadline. */
  async #rowsAsync(connections: readonly ConnectionEnds[]): Promise<SocketRow[]> {
    const started = performance.now();
    if (this.#useSs) {
      const rows = await ssRows(ssPeers(connections));
      this.#tableReadMs = performance.now() - started;
      if (rows !== undefined) return rows;
      this.#useSs = false;
    }
    const rows: SocketRow[] = [];
    const found = foundAll(connections);
    for (const [table, endpoints] of tableSearches(connections)) {
      const scan = await scanTable(`${this.#procRoot}/net/${table}`, {
        endpoints,
        complete: (more) => found([...rows, ...more]),
      });
      rows.push(...scan.rows);
      if (found(rows)) break;
    }
    this.#timed(performance.now() - started);
    return rows;
  }

  /** Records how long finding rows in the tables took; a slow table sends later lookups to `ss`. */
  #timed(ms: number): void {
    this.#tableReadMs = ms;
    // A table this slow to read is a host with many sockets: ask ss, which filters in the kernel.
    if (ms > BEFORE_MAX_TABLE_READ_MS && this.#procRoot === '/proc') this.#useSs = true;
  }

  /** The caller of each connection, from the socket rows of their client ends. */
  #callersOf(connections: readonly ConnectionEnds[], rows: readonly SocketRow[]): Caller[] {
    const byLocal = new Map<string, SocketRow[]>();
    for (const row of rows) {
      const group = byLocal.get(row.local);
      if (group) group.push(row);
      else byLocal.set(row.local, [row]);
    }
    const inodes = connections.map((ends) => {
      const peer = `${canonicalAddress(ends.peerAddress)}:${ends.peerPort}`;
      return clientSocketInode(
        byLocal.get(peer) ?? [],
        peer,
        `${canonicalAddress(ends.localAddress)}:${ends.localPort}`,
      );
    });
    const { owners, unreadable } = findSocketOwners(
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
      if (pid === undefined) return this.#count({ status: unreadable ? 'not-visible' : 'exited' });
      if (!processes.has(pid)) processes.set(pid, readCallerProcess(this.#procRoot, pid, this.#users));
      const process = processes.get(pid);
      if (!process) return this.#count({ status: 'exited' });
      this.#remember(pid);
      return this.#count({ status: 'resolved', ...process });
    });
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

/**
 * The tables to search, the first connection's family first, and the endpoints each writes the
 * client ends as: an IPv4 client as itself in `tcp` and IPv4-mapped in `tcp6` (a dual-stack
 * socket); an IPv6 client only in `tcp6`.
 */
function tableSearches(connections: readonly ConnectionEnds[]): [string, Set<string>][] {
  const tcp = new Set<string>();
  const tcp6 = new Set<string>();
  for (const ends of connections) {
    const address = ends.peerAddress.replace(/%.*$/, '');
    const v4 = /^(?:::ffff:)?(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
    if (v4 !== undefined) {
      tcp.add(encodeEndpoint(v4, ends.peerPort));
      tcp6.add(encodeEndpoint(`::ffff:${v4}`, ends.peerPort));
    } else {
      tcp6.add(encodeEndpoint(address, ends.peerPort));
    }
  }
  const first = tableOf(connections[0]?.peerAddress ?? '');
  const searches: [string, Set<string>][] = [
    ['tcp', tcp],
    ['tcp6', tcp6],
  ];
  return (first === 'tcp' ? searches : searches.reverse()).filter(([, endpoints]) => endpoints.size > 0);
}

/** True once `rows` hold, for every connection, its client end's live row facing us. */
function foundAll(connections: readonly ConnectionEnds[]): (rows: readonly SocketRow[]) => boolean {
  const wanted = connections.map(
    (ends) =>
      [
        `${canonicalAddress(ends.peerAddress)}:${ends.peerPort}`,
        `${canonicalAddress(ends.localAddress)}:${ends.localPort}`,
      ] as const,
  );
  return (rows) =>
    wanted.every(([peer, ours]) =>
      rows.some((row) => row.local === peer && row.remote === ours && row.inode !== 0),
    );
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
