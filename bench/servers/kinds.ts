/** The servers a figure can start in a child process, and how the table names them. */
export const SERVER_KINDS = {
  emulator: 'emulator (strict HTTP/1.1 front)',
  'emulator-node-http': 'emulator through node:http',
  'front-only': 'HTTP/1.1 front, constant handler',
  'node-http': 'bare node:http',
  'raw-net': 'raw node:net (write + destroy)',
  'raw-net-end': 'raw node:net (end)',
  'fleet-1': 'fleet of 1 instance',
  'fleet-10k': 'fleet of 10,000 instances',
  'emulator-attributed': 'emulator with caller attribution (auto, default budget)',
  proxy: 'imds proxy (upstream: IMDS_BENCH_UPSTREAM)',
} as const;

export type ServerKind = keyof typeof SERVER_KINDS;

/** Parent → child. */
export type ToServer =
  /** `collectGarbage`: run a full collection before reading memory (figure 3); it costs CPU time, read first. */
  { readonly type: 'stats'; readonly collectGarbage: boolean } | { readonly type: 'stop' };

/** Child → parent. */
export type FromServer =
  | { readonly type: 'ready'; readonly port: number }
  | { readonly type: 'stats'; readonly stats: ServerStats };

/** What a server child reports about itself. */
export interface ServerStats {
  /** Connections accepted (for the emulator: requests answered, one per connection by design). */
  readonly connections: number;
  /** Resident set size (after a full garbage collection when one was asked for), in bytes. */
  readonly rssBytes: number;
  readonly heapUsedBytes: number;
  /** V8's committed heap, by space (new_space, old_space...), in bytes: where RSS growth went. */
  readonly heapSpaces: Readonly<Record<string, number>>;
  /** Memory outside the V8 heap: Buffers' backing stores and other external allocations. */
  readonly externalBytes: number;
  /** CPU time the process has used (user + system), in microseconds. */
  readonly cpuMicros: number;
}

export function isServerKind(value: string | undefined): value is ServerKind {
  return value !== undefined && Object.hasOwn(SERVER_KINDS, value);
}
