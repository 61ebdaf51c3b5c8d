/**
 * The IMDSv1 caller report: token-less reads grouped by who made them (executable, container,
 * user agent), with counts, first and last seen, and the paths read. `imds audit`, the control
 * API's `GET /audit` and the dashboard all show this one summary.
 */
import type { RequestRecord } from '../control/api-shapes.js';

/** One group of token-less reads by the same executable, container and user agent. */
export interface V1Caller {
  /** The executable (`/usr/bin/curl`), or `(exited)`, `(not visible)`, `(unknown)` when it could not be named. */
  readonly exe: string;
  readonly containerId?: string;
  readonly userAgent?: string;
  readonly count: number;
  /** Token-less reads refused with 401 (`HttpTokens=required`, or a proxy in enforce mode). */
  readonly refused: number;
  readonly firstSeen: string;
  readonly lastSeen: string;
  /** Distinct pids, users and command lines seen, first first (at most {@link LIST_LIMIT} each). */
  readonly pids: readonly number[];
  readonly users: readonly string[];
  readonly cmdlines: readonly string[];
  /** Distinct paths read, first first (at most {@link LIST_LIMIT}). */
  readonly paths: readonly string[];
}

/** The report over a set of requests. */
export interface AuditReport {
  readonly requests: number;
  readonly v1Requests: number;
  readonly v2Requests: number;
  /** Groups, most requests first. */
  readonly v1Callers: readonly V1Caller[];
}

export const LIST_LIMIT = 20;

interface Group {
  exe: string;
  containerId?: string;
  userAgent?: string;
  count: number;
  refused: number;
  firstSeen: string;
  lastSeen: string;
  pids: number[];
  users: string[];
  cmdlines: string[];
  paths: string[];
}

/**
 * Summarizes requests (as the control API reports them) into v1 callers.
 * @example
 * ```ts
 * const report = auditReport(imds.requests);
 * report.v1Callers[0]?.exe; // '/usr/bin/curl'
 * ```
 */
export function auditReport(records: readonly RequestRecord[]): AuditReport {
  const groups = new Map<string, Group>();
  let v1 = 0;
  let v2 = 0;
  for (const record of records) {
    if (record.version === 'v2') v2++;
    if (record.version !== 'v1') continue;
    v1++;
    const caller = record.caller;
    const resolved = caller?.status === 'resolved' ? caller : undefined;
    const exe =
      resolved?.exe ??
      (caller === undefined || caller.status === 'pending' || caller.status === 'skipped'
        ? '(unknown)'
        : caller.status === 'not-visible'
          ? '(not visible)'
          : '(exited)');
    const key = JSON.stringify([exe, resolved?.containerId ?? null, record.userAgent ?? null]);
    let group = groups.get(key);
    if (!group) {
      group = {
        exe,
        ...(resolved?.containerId === undefined ? {} : { containerId: resolved.containerId }),
        ...(record.userAgent === undefined ? {} : { userAgent: record.userAgent }),
        count: 0,
        refused: 0,
        firstSeen: record.time,
        lastSeen: record.time,
        pids: [],
        users: [],
        cmdlines: [],
        paths: [],
      };
      groups.set(key, group);
    }
    group.count++;
    if (record.status === 401) group.refused++;
    if (record.time < group.firstSeen) group.firstSeen = record.time;
    if (record.time > group.lastSeen) group.lastSeen = record.time;
    if (resolved) {
      addDistinct(group.pids, resolved.pid);
      if (resolved.user !== undefined) addDistinct(group.users, resolved.user);
      if (resolved.cmdline !== undefined) addDistinct(group.cmdlines, resolved.cmdline);
    }
    addDistinct(group.paths, record.path);
  }
  const v1Callers = [...groups.values()].sort((a, b) => b.count - a.count || a.exe.localeCompare(b.exe));
  return { requests: records.length, v1Requests: v1, v2Requests: v2, v1Callers };
}

function addDistinct<T>(list: T[], value: T): void {
  if (list.length < LIST_LIMIT && !list.includes(value)) list.push(value);
}

/** The report as a table for a terminal. */
export function formatAuditReport(report: AuditReport): string {
  const head = `${report.requests} requests: ${report.v1Requests} without a token (IMDSv1), ${report.v2Requests} with one\n`;
  if (report.v1Callers.length === 0) return `${head}No IMDSv1 callers.\n`;
  const rows = report.v1Callers.map((caller) => [
    String(caller.count),
    String(caller.refused),
    caller.exe,
    caller.pids.join(',') || '-',
    caller.users.join(',') || '-',
    caller.containerId?.slice(0, 12) ?? '-',
    caller.userAgent ?? '-',
    caller.firstSeen,
    caller.lastSeen,
    caller.paths.join(' '),
  ]);
  const header = [
    'COUNT',
    '401',
    'EXECUTABLE',
    'PIDS',
    'USER',
    'CONTAINER',
    'USER-AGENT',
    'FIRST',
    'LAST',
    'PATHS',
  ];
  const widths = header.map((name, column) =>
    column === header.length - 1
      ? 0
      : Math.max(name.length, ...rows.map((row) => (row[column] as string).length)),
  );
  const line = (cells: readonly string[]) =>
    `${cells.map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] as number))).join('  ')}\n`;
  return head + line(header) + rows.map(line).join('');
}
