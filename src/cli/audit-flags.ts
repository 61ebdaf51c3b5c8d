/**
 * What `imds serve` and `imds proxy` start for auditing from the `attribution`,
 * `attributionBudget` and `requestLog` settings (see src/config/settings.ts) and the proxy's
 * `--log-requests`.
 */
import { attributionSupported, type AttributionSetting } from '../server/attribution-mode.js';
import { Attributor } from '../audit/attributor.js';
import { requestLogLine, requestLogWriter } from '../audit/request-log-file.js';
import type { RequestLogEntry } from '../server/request-log.js';
import type { CommandIo } from './io.js';

/** What the audit settings asked for. */
export interface AuditOptions {
  readonly attribution?: Attributor;
  readonly requestLog?: string;
  /** Where the request log was named (`--request-log`, `IMDS_REQUEST_LOG`, `FILE: audit.requestLog`), for errors. */
  readonly requestLogSource?: string;
  readonly logRequests: 'v1' | 'all' | 'off';
}

/** The resolved audit settings (flag > environment > file > default). */
export interface AuditSettings {
  readonly attribution: AttributionSetting;
  /** Percent of time lookups may take, 0 < x <= 100. */
  readonly attributionBudget: number;
  readonly requestLog?: string | undefined;
}

/** Where the `attribution` and `requestLog` settings came from, in the words of error messages. */
export interface AuditSources {
  readonly attribution: string;
  readonly requestLog: string;
}

const LOG_CHOICES = ['v1', 'all', 'off'] as const;

/**
 * Builds the attributor the settings describe (none for `off`). `sources` name where the
 * settings came from, for errors: a mode asked for where there is no `/proc`, a file not opened.
 * @throws {Error} naming the flag, for a mode that cannot work here or a bad `--log-requests`.
 */
export function auditOptionsOf(
  settings: AuditSettings,
  logRequests = 'off',
  sources: AuditSources = { attribution: '--attribution', requestLog: '--request-log' },
): AuditOptions {
  const mode = settings.attribution;
  if (mode !== 'off' && !attributionSupported())
    throw new Error(`${sources.attribution}: ${mode} needs Linux /proc; use off here`);
  if (!(LOG_CHOICES as readonly string[]).includes(logRequests))
    throw new Error(`--log-requests: expected v1, all or off, got ${JSON.stringify(logRequests)}`);
  const budget = settings.attributionBudget;
  return {
    ...(mode === 'off'
      ? {}
      : {
          attribution: new Attributor({
            mode,
            maxDutyCycle: budget / 100,
            // 100% means no budget at all: every request is looked up, however long it takes.
            ...(budget === 100 ? { burstMs: Number.POSITIVE_INFINITY } : {}),
          }),
        }),
    ...(settings.requestLog === undefined
      ? {}
      : { requestLog: settings.requestLog, requestLogSource: sources.requestLog }),
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
        `${audit.requestLogSource}: cannot open ${audit.requestLog}: ${(error as NodeJS.ErrnoException).code ?? error}`,
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
              `${prefix}: ${audit.requestLogSource}: ${audit.requestLog}: ${(error as Error).message}; not writing it any more\n`,
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
