/**
 * The load driver shared by the stress test and `npm run soak`: concurrent clients, each on its
 * own connection per request, mixing token PUTs, GETs and HEADs (with a valid token, no token, a
 * tampered or another emulator's token) and a few refused requests, against one or more
 * emulators; every answer is checked against the expected status, headers and body.
 *
 * The emulators must run on a clock that does not move (a ManualClock), so a token's remaining
 * TTL is exactly the TTL it was minted with and credentials never rotate mid-run.
 */
import { seededRandom } from '../../http1/helpers.js';
import type { LoadTarget, PathCase } from './expected.js';
import { sendRequest, type WireOutcome, type WireRequest } from './wire-client.js';

/** How much load to drive. */
export interface LoadOptions {
  readonly targets: readonly LoadTarget[];
  /** Concurrent clients, each waiting for its answer before sending its next request. */
  readonly clients: number;
  /** Stop after this many requests... */
  readonly requests: number;
  /** ...or after this long, whichever comes first. */
  readonly maxDurationMs: number;
  readonly seed: number;
  /** How many wrong answers and failures to describe in full. */
  readonly keepSamples?: number;
  /** Called about once a second with the counts so far. */
  readonly onProgress?: (report: LoadReport) => void;
}

/** What happened. `wrong` and `failed` must both be 0. */
export interface LoadReport {
  requests: number;
  /** Answered exactly as expected. */
  correct: number;
  /** Answered, but with another status, header or body than expected. */
  wrong: number;
  /** No usable answer: connection refused or reset, closed early, timed out, malformed bytes. */
  failed: number;
  /** Requests by kind (`GET token`, `HEAD none`, `PUT token`...). */
  readonly byKind: Record<string, number>;
  /** Status codes seen. */
  readonly byStatus: Record<string, number>;
  /** Distinct tokens minted; equal to the successful token PUTs when none repeats. */
  readonly tokensMinted: Set<string>;
  /** `<target> <path>` of every path served at least once to a GET or HEAD. */
  readonly pathsServed: Set<string>;
  readonly samples: string[];
  elapsedMs: number;
  /** True when the time bound ended the run before the request count was reached. */
  stoppedByTime: boolean;
}

type Auth = 'token' | 'none' | 'tampered' | 'foreign';

/** What a request must get back. */
interface Expectation {
  readonly status: number;
  readonly body: Buffer;
  /** Content-Length must equal this (for HEAD too, where the body is empty). */
  readonly length: number;
  readonly contentType?: string;
  /** The `X-Aws-Ec2-Metadata-Token-Ttl-Seconds` value, or undefined when it must be absent. */
  readonly ttl?: string;
}

interface Planned {
  readonly kind: string;
  readonly target: LoadTarget;
  readonly request: WireRequest;
  /** Undefined for token PUTs, which are checked by shape and remembered. */
  readonly expect?: Expectation;
  readonly tokenTtl?: number;
  /** A GET or HEAD that must be served (200 or 404), not refused. */
  readonly served?: boolean;
}

const TTL_HEADER = 'X-aws-ec2-metadata-token-ttl-seconds';
const TOKEN_HEADER = 'X-aws-ec2-metadata-token';
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{54}==$/;
const EMPTY = Buffer.alloc(0);
const BAD_TTLS = ['0', '21601', '-1', '+60', '1e3', '60.0', '18446744073709551616', ''];

/** A client's tokens, one per target, with the TTL each was minted with. */
type Wallet = Map<LoadTarget, { token: string; ttl: number }>;

/**
 * Runs the load and reports; never rejects for a wrong answer (the caller asserts on the counts).
 * @example
 * ```ts
 * const report = await runLoad({ targets, clients: 64, requests: 20_000, maxDurationMs: 25_000, seed: 1 });
 * expect(report.wrong).toBe(0);
 * ```
 */
export async function runLoad(options: LoadOptions): Promise<LoadReport> {
  const report: LoadReport = {
    requests: 0,
    correct: 0,
    wrong: 0,
    failed: 0,
    byKind: {},
    byStatus: {},
    tokensMinted: new Set(),
    pathsServed: new Set(),
    samples: [],
    elapsedMs: 0,
    stoppedByTime: false,
  };
  const keepSamples = options.keepSamples ?? 20;
  const started = performance.now();
  const stopAt = started + options.maxDurationMs;
  let issued = 0;
  let lastProgress = started;
  // Reads walk each target's paths round-robin across all clients, so a run longer than the path
  // list reads every path; which client reads which path, and how, stays random.
  const cursors = new Map<LoadTarget, number>();
  const nextCase = (target: LoadTarget): PathCase => {
    const cursor = cursors.get(target) ?? 0;
    cursors.set(target, cursor + 1);
    return target.cases[cursor % target.cases.length] as PathCase;
  };

  const client = async (index: number) => {
    const random = seededRandom(options.seed + index * 7_919);
    const wallet: Wallet = new Map();
    while (issued < options.requests) {
      if (performance.now() >= stopAt) {
        report.stoppedByTime = true;
        return;
      }
      issued++;
      const planned = plan(random, options.targets, wallet, nextCase);
      // Generous: a request is judged on its answer; the bound only catches a hang on a loaded machine.
      const outcome = await sendRequest(planned.target.port, planned.request, 30_000);
      const problem = judge(planned, outcome, wallet, report);
      report.requests++;
      report.byKind[planned.kind] = (report.byKind[planned.kind] ?? 0) + 1;
      if (planned.served) report.pathsServed.add(`${planned.target.name} ${planned.request.path}`);
      if (outcome.kind === 'response')
        report.byStatus[outcome.status] = (report.byStatus[outcome.status] ?? 0) + 1;
      if (problem === undefined) report.correct++;
      else {
        if (outcome.kind === 'failure') report.failed++;
        else report.wrong++;
        if (report.samples.length < keepSamples) {
          report.samples.push(
            `${planned.target.name}: ${planned.request.method} ${planned.request.path} (${planned.kind}): ${problem}`,
          );
        }
      }
      const now = performance.now();
      if (options.onProgress && now - lastProgress >= 1_000) {
        lastProgress = now;
        report.elapsedMs = now - started;
        options.onProgress(report);
      }
    }
  };
  await Promise.all(Array.from({ length: options.clients }, (_, index) => client(index)));
  report.elapsedMs = performance.now() - started;
  return report;
}

function plan(
  random: () => number,
  targets: readonly LoadTarget[],
  wallet: Wallet,
  nextCase: (target: LoadTarget) => PathCase,
): Planned {
  const int = (max: number) => Math.floor(random() * max);
  const target = pickTarget(random, targets);
  if (target.mode === 'disabled') return planDisabled(random, target, wallet);
  const roll = random();
  if (roll < 0.1 || (roll < 0.5 && !wallet.has(target))) {
    const ttl = 1 + int(21_600);
    return {
      kind: 'PUT token',
      target,
      request: { method: 'PUT', path: '/latest/api/token', headers: [[TTL_HEADER, String(ttl)]] },
      tokenTtl: ttl,
    };
  }
  if (roll < 0.12) {
    const ttl = BAD_TTLS[int(BAD_TTLS.length)] as string;
    const body = target.pages.badRequest;
    return {
      kind: 'PUT bad-ttl',
      target,
      request: { method: 'PUT', path: '/latest/api/token', headers: [[TTL_HEADER, ttl]] },
      expect: { status: 400, body, length: body.length, contentType: 'text/html' },
    };
  }
  if (roll < 0.13) {
    const method = ['POST', 'DELETE', 'PATCH'][int(3)] as string;
    const path = (target.cases[int(target.cases.length)] as PathCase).path;
    return {
      kind: `${method} refused`,
      target,
      request: { method, path },
      expect: { status: 405, body: EMPTY, length: 0 },
    };
  }

  const method = random() < 0.7 ? 'GET' : 'HEAD';
  const auth = pickAuth(random, targets, wallet.has(target));
  const own = wallet.get(target);
  const headers: Array<readonly [string, string]> = [];
  if (auth === 'token' && own) headers.push([TOKEN_HEADER, own.token]);
  if (auth === 'tampered' && own) headers.push([TOKEN_HEADER, tamper(own.token, random)]);
  if (auth === 'foreign') {
    const other = [...wallet].find(([owner]) => owner !== target)?.[1];
    headers.push([TOKEN_HEADER, other?.token ?? `${'AQAAA'.padEnd(54, 'x')}==`]);
  }
  const refused =
    auth === 'tampered' || auth === 'foreign' || (auth === 'none' && target.mode === 'required');
  if (refused) {
    // Refused before the path is looked up: any path will do, the served reads cover them all.
    const path = (target.cases[int(target.cases.length)] as PathCase).path;
    return {
      kind: `${method} ${auth}`,
      target,
      request: { method, path, headers },
      expect: { status: 401, body: EMPTY, length: 0 },
    };
  }
  const pathCase = nextCase(target);
  const expect: Expectation = {
    status: pathCase.status,
    body: method === 'HEAD' ? EMPTY : pathCase.body,
    length: pathCase.body.length,
    contentType: pathCase.contentType,
    ...(auth === 'token' && own ? { ttl: String(own.ttl) } : {}),
  };
  return {
    kind: `${method} ${auth}`,
    target,
    request: { method, path: pathCase.path, headers },
    expect,
    served: true,
  };
}

/** A disabled emulator answers everything alike, so it gets a quarter of an enabled one's share. */
function pickTarget(random: () => number, targets: readonly LoadTarget[]): LoadTarget {
  const weight = (target: LoadTarget) => (target.mode === 'disabled' ? 1 : 4);
  let roll = random() * targets.reduce((sum, target) => sum + weight(target), 0);
  for (const target of targets) {
    roll -= weight(target);
    if (roll < 0) return target;
  }
  return targets[targets.length - 1] as LoadTarget;
}

/** `HttpEndpoint=disabled`: every request, token PUTs included, gets the 403 page. */
function planDisabled(random: () => number, target: LoadTarget, wallet: Wallet): Planned {
  const int = (max: number) => Math.floor(random() * max);
  const page = target.pages.forbidden;
  const path = (target.cases[int(target.cases.length)] as PathCase).path;
  const someToken = [...wallet.values()][0]?.token;
  const roll = random();
  const request: WireRequest =
    roll < 0.2
      ? { method: 'PUT', path: '/latest/api/token', headers: [[TTL_HEADER, '21600']] }
      : {
          method: roll < 0.7 ? 'GET' : roll < 0.95 ? 'HEAD' : 'DELETE',
          path,
          headers: someToken && roll < 0.5 ? [[TOKEN_HEADER, someToken]] : [],
        };
  const body = request.method === 'HEAD' ? EMPTY : page;
  return {
    kind: `${request.method} disabled`,
    target,
    request,
    expect: { status: 403, body, length: page.length, contentType: 'text/html' },
  };
}

function pickAuth(random: () => number, targets: readonly LoadTarget[], hasToken: boolean): Auth {
  const roll = random();
  if (!hasToken) return roll < 0.1 && targets.length > 1 ? 'foreign' : 'none';
  if (roll < 0.6) return 'token';
  if (roll < 0.85) return 'none';
  if (roll < 0.95) return 'tampered';
  return 'foreign';
}

/** Changes one character of the token to another character of the same alphabet. */
function tamper(token: string, random: () => number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const at = Math.floor(random() * 54);
  const current = token[at] as string;
  const replacement = alphabet[(alphabet.indexOf(current) + 1 + Math.floor(random() * 63)) % 64] as string;
  return token.slice(0, at) + replacement + token.slice(at + 1);
}

/** Undefined when the outcome is right; else what is wrong. Token PUTs fill the wallet. */
function judge(
  planned: Planned,
  outcome: WireOutcome,
  wallet: Wallet,
  report: LoadReport,
): string | undefined {
  if (outcome.kind === 'failure') return `${outcome.reason}: ${outcome.detail}`;
  const length = outcome.headers.get('content-length');
  if (planned.tokenTtl !== undefined) {
    const token = outcome.body.toString('latin1');
    if (outcome.status !== 200) return `status ${outcome.status}, expected 200`;
    if (!TOKEN_SHAPE.test(token)) return `token ${JSON.stringify(token.slice(0, 80))} has the wrong shape`;
    if (outcome.headers.get(TTL_HEADER.toLowerCase()) !== String(planned.tokenTtl))
      return `TTL header ${outcome.headers.get(TTL_HEADER.toLowerCase())}, expected ${planned.tokenTtl}`;
    if (length !== String(outcome.body.length))
      return `Content-Length ${length} for ${outcome.body.length} bytes`;
    if (report.tokensMinted.has(token)) return 'token minted twice';
    report.tokensMinted.add(token);
    wallet.set(planned.target, { token, ttl: planned.tokenTtl });
    return undefined;
  }
  const expect = planned.expect as Expectation;
  if (outcome.status !== expect.status) return `status ${outcome.status}, expected ${expect.status}`;
  if (!outcome.body.equals(expect.body)) {
    return `body ${JSON.stringify(outcome.body.toString('latin1', 0, 120))} (${outcome.body.length} bytes), expected ${JSON.stringify(expect.body.toString('latin1', 0, 120))} (${expect.body.length} bytes)`;
  }
  if (length !== String(expect.length)) return `Content-Length ${length}, expected ${expect.length}`;
  if (expect.contentType !== undefined && outcome.headers.get('content-type') !== expect.contentType) {
    return `Content-Type ${outcome.headers.get('content-type')}, expected ${expect.contentType}`;
  }
  const ttl = outcome.headers.get(TTL_HEADER.toLowerCase());
  if (ttl !== expect.ttl) return `TTL header ${ttl}, expected ${expect.ttl}`;
  return undefined;
}
