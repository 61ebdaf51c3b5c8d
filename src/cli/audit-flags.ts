/**
 * The flags `imds serve` and `imds proxy` share for auditing: `--attribution`, `--request-log`
 * and `--log-requests`, and what they start.
 */
import {
  ATTRIBUTION_MODES,
  Attributor,
  attributionSupported,
  DEFAULT_MAX_DUTY_CYCLE,
  type AttributionMode,
} from '../audit/attributor.js';
import { requestLogLine, requestLogWriter } from '../audit/request-log-file.js';
import type { RequestLogEntry } from '../server/request-log.js';
import type { CommandIo } from './io.js';

/** What the audit flags asked for. */
export interface AuditOptions {
  readonly attribution?: Attributor;
  readonly requestLog?: string;
  readonly logRequests: 'v1' | 'all' | 'off';
}

const LOG_CHOICES = ['v1', 'all', 'off'] as const;

/**
 * Reads the flags. Attribution is on (`auto`) by default on Linux, off elsewhere; its budget is
 * the share of time lookups may take (percent, default 5).
 * @throws {Error} naming the flag, for a value that is not one of its choices.
 */
export function auditOptionsOf(flags: {
  attribution?: string | undefined;
  'attribution-budget'?: string | undefined;
  'request-log'?: string | undefined;
  'log-requests'?: string | undefined;
}): AuditOptions {
  const mode = flags.attribution ?? (attributionSupported() ? 'auto' : 'off');
  if (mode !== 'off' && !ATTRIBUTION_MODES.includes(mode as 'before'))
    throw new Error(`--attribution: expected auto, before, after or off, got ${JSON.stringify(mode)}`);
  const budgetText = flags['attribution-budget'] ?? String(DEFAULT_MAX_DUTY_CYCLE * 100);
  const budget = Number(budgetText);
  if (!/^\d+(\.\d+)?$/.test(budgetText) || !(budget > 0 && budget <= 100))
    throw new Error(
      `--attribution-budget: expected a percentage 0 < x <= 100, got ${JSON.stringify(budgetText)}`,
    );
  if (mode !== 'off' && !attributionSupported())
    throw new Error(`--attribution ${mode}: needs Linux /proc; use --attribution off here`);
  const logRequests = flags['log-requests'] ?? 'off';
  if (!(LOG_CHOICES as readonly string[]).includes(logRequests))
    throw new Error(`--log-requests: expected v1, all or off, got ${JSON.stringify(logRequests)}`);
  return {
    ...(mode === 'off'
      ? {}
      : {
          attribution: new Attributor({
            mode: mode as AttributionMode,
            maxDutyCycle: budget / 100,
            // 100% means no budget at all: every request is looked up, however long it takes.
            ...(budget === 100 ? { burstMs: Number.POSITIVE_INFINITY } : {}),
          }),
        }),
    ...(flags['request-log'] === undefined ? {} : { requestLog: flags['request-log'] }),
    logRequests: logRequests as AuditOptions['logRequests'],
  };
}

/**
 * Follows settled requests into the request-log file and the log lines. Returns the stop
 * function (stops attribution, closes the file).
 */
export function followRequests(
  subscribe: (listener: (entry: RequestLogEntry) => void) => () => void,
  audit: AuditOptions,
  io: CommandIo,
  prefix: string,
): () => void {
  let file: ReturnType<typeof requestLogWriter> | undefined;
  if (audit.requestLog !== undefined) {
    try {
      file = requestLogWriter(audit.requestLog);
    } catch (error) {
      audit.attribution?.close();
      throw new Error(
        `--request-log: cannot open ${audit.requestLog}: ${(error as NodeJS.ErrnoException).code ?? error}`,
      );
    }
  }
  const unsubscribe =
    file !== undefined || audit.logRequests !== 'off'
      ? subscribe((entry) => {
          if (audit.logRequests === 'all' || (audit.logRequests === 'v1' && entry.access === 'v1'))
            io.stderr(`${prefix}: ${requestLogLine(entry)}\n`);
          try {
            file?.write(entry);
          } catch (error) {
            io.stderr(
              `${prefix}: --request-log ${audit.requestLog}: ${(error as Error).message}; not writing it any more\n`,
            );
            file?.close();
            file = undefined;
          }
        })
      : () => {};
  return () => {
    // Lookups still queued or in flight are answered `skipped` now, and so still logged.
    audit.attribution?.close();
    unsubscribe();
    file?.close();
  };
}
