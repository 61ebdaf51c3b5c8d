/**
 * The functions with the most self time in a V8 CPU profile (`node --cpu-prof`): what the issue's
 * closing note quotes as "profile top 10". Self time is summed per function (name, file, line) over
 * the profile's samples; idle time is left out of the total, so the shares are of time spent working.
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { REPO_ROOT } from './paths.js';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: {
    readonly functionName: string;
    readonly url: string;
    readonly lineNumber: number;
  };
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  /** Microseconds on the system's monotonic clock (the one `process.hrtime` reads). */
  readonly startTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** One function's share of a profile. */
export interface SelfTime {
  /** `name (file:line)`, the file relative to the repository when it is inside it. */
  readonly where: string;
  readonly micros: number;
  /** Of the non-idle time, 0..1. */
  readonly share: number;
}

/** A span of the monotonic clock, in microseconds (`process.hrtime.bigint() / 1000n`). */
export interface Window {
  readonly fromMicros: number;
  readonly toMicros: number;
}

/**
 * The `count` functions with the most self time, counting only samples inside `window` when given
 * (the load, without the process's own start-up).
 * @example
 * ```ts
 * for (const row of topSelfTime(readProfile('bench/profiles/CPU.1.cpuprofile'), 10)) console.log(row.where);
 * ```
 */
export function topSelfTime(
  profile: CpuProfile,
  count: number,
  window?: Window,
): { rows: SelfTime[]; busyMicros: number } {
  const byNode = new Map(profile.nodes.map((node) => [node.id, node]));
  const totals = new Map<string, number>();
  let busy = 0;
  let at = profile.startTime;
  profile.samples.forEach((id, index) => {
    const node = byNode.get(id);
    const delta = profile.timeDeltas[index] ?? 0;
    at += delta;
    if (window && (at < window.fromMicros || at > window.toMicros)) return;
    if (node === undefined || node.callFrame.functionName === '(idle)') return;
    busy += delta;
    const key = label(node);
    totals.set(key, (totals.get(key) ?? 0) + delta);
  });
  const rows = [...totals]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([where, micros]) => ({ where, micros, share: busy === 0 ? 0 : micros / busy }));
  return { rows, busyMicros: busy };
}

export function readProfile(path: string): CpuProfile {
  return JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
}

/** The rows as a Markdown table. */
export function renderTop(rows: readonly SelfTime[]): string {
  return [
    '| # | function (file:line) | self time | share |',
    '|---|---|---|---|',
    ...rows.map(
      (row, index) =>
        `| ${index + 1} | \`${row.where}\` | ${(row.micros / 1000).toFixed(0)} ms | ${(row.share * 100).toFixed(1)}% |`,
    ),
  ].join('\n');
}

function label(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const name = functionName === '' ? '(anonymous)' : functionName;
  if (url === '') return name;
  const file = url.startsWith('file://') ? relative(REPO_ROOT, fileURLToPath(url)) : url;
  return `${name} (${file}:${lineNumber + 1})`;
}
