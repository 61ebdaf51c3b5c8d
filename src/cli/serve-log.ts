/**
 * What `imds serve` says while it runs, on stderr: a line per request and a line each time a
 * scenario or fault changes (a notice fires, a fault starts or ends), so a user watching the
 * terminal sees what their code did and what the emulator did to it.
 * `--log quiet` says nothing, `requests` (the default) prints text lines, `json` one object a line.
 */
import type { RequestLogEntry } from '../server/request-log.js';
import type { Emulator } from '../server/emulator.js';
import { scenarioStatus, type Scenario, type ScenarioStatus } from '../scenarios/scenario.js';

export const LOG_LEVELS = ['quiet', 'requests', 'json'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const FAULTS: ReadonlySet<string> = new Set([
  'hop-limit',
  'throttle',
  'latency',
  'server-errors',
  'endpoint-off',
]);

/**
 * One request as a line: `GET /latest/meta-data/instance-id 200 v2 127.0.0.1 "curl/8.5.0"`.
 * @example
 * ```ts
 * requestLine(entry, 'json'); // '{"time":"2026-…","method":"GET",…}\n'
 * ```
 */
export function requestLine(entry: RequestLogEntry, level: Exclude<LogLevel, 'quiet'>): string {
  const time = new Date(entry.time).toISOString();
  const version = entry.access === 'none' ? '-' : entry.access;
  if (level === 'json') {
    const { method, path, status, peer, userAgent, caller } = entry;
    return `${JSON.stringify({ time, method, path, status, version, client: peer, userAgent: userAgent ?? null, ...(caller ? { caller } : {}) })}\n`;
  }
  const agent = entry.userAgent === undefined ? '-' : JSON.stringify(entry.userAgent);
  return `${time} ${entry.method} ${entry.path} ${entry.status} ${version} ${entry.peer} ${agent}${callerText(entry)}\n`;
}

/** ` <- /usr/bin/curl pid 4242 (root)` when the caller is known, ` <- (exited)` when it could not be. */
function callerText(entry: RequestLogEntry): string {
  const caller = entry.caller;
  if (caller === undefined) return '';
  if (caller.status !== 'resolved') return ` <- (${caller.status})`;
  const container = caller.containerId ? ` container ${caller.containerId.slice(0, 12)}` : '';
  return ` <- ${caller.exe ?? '?'} pid ${caller.pid}${caller.user ? ` (${caller.user})` : ''}${container}`;
}

/** A scenario's change as a line: `scenario spot-interruption-1 (spot-interruption): active`. */
export function scenarioLine(
  scenario: Scenario,
  change: ScenarioStatus | 'added' | 'removed' | 'next step',
  now: number,
  level: Exclude<LogLevel, 'quiet'>,
): string {
  const kind = FAULTS.has(scenario.spec.type) ? 'fault' : 'scenario';
  const word =
    kind === 'fault' && change === 'active'
      ? 'started'
      : kind === 'fault' && change === 'ended'
        ? 'ended'
        : change;
  const time = new Date(now).toISOString();
  if (level === 'json')
    return `${JSON.stringify({ time, [kind]: scenario.id, type: scenario.spec.type, event: word })}\n`;
  return `${time} ${kind} ${scenario.id} (${scenario.spec.type}): ${word}\n`;
}

/**
 * Watches the emulator's timeline and reports each change of a scenario (added, active, each
 * further step, ended, removed). It polls the timeline, because the clock may be moved through
 * the control API as well as by time passing; the interval is short and the check is a handful
 * of comparisons.
 * @returns a function that stops watching.
 */
export function watchScenarios(
  emulator: Emulator,
  write: (line: string) => void,
  level: Exclude<LogLevel, 'quiet'>,
  intervalMs = 200,
): () => void {
  const seen = new Map<string, { scenario: Scenario; status: ScenarioStatus; steps: number }>();
  const steps = (scenario: Scenario, now: number) => scenario.changesAt.filter((at) => at <= now).length;
  const check = () => {
    const now = emulator.clock.now();
    const current = emulator.timeline.list();
    const ids = new Set(current.map((scenario) => scenario.id));
    for (const [id, last] of seen) {
      if (ids.has(id)) continue;
      seen.delete(id);
      write(scenarioLine(last.scenario, 'removed', now, level));
    }
    for (const scenario of current) {
      const status = scenarioStatus(scenario, now);
      const stepCount = steps(scenario, now);
      const last = seen.get(scenario.id);
      seen.set(scenario.id, { scenario, status, steps: stepCount });
      if (!last) {
        write(scenarioLine(scenario, 'added', now, level));
        if (status !== 'pending') write(scenarioLine(scenario, status, now, level));
      } else if (last.status !== status) {
        write(scenarioLine(scenario, status, now, level));
      } else if (status === 'active' && stepCount > last.steps) {
        write(scenarioLine(scenario, 'next step', now, level));
      }
    }
  };
  check();
  const timer = setInterval(check, intervalMs);
  timer.unref();
  return () => {
    clearInterval(timer);
    check();
  };
}
