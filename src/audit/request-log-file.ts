/**
 * `--request-log FILE`: every request as one JSON line (the control API's record, caller
 * included), appended once its caller is known, for `imds audit FILE` later.
 */
import { appendFileSync, openSync, closeSync } from 'node:fs';
import { requestRecord } from '../control/controller.js';
import type { RequestLogEntry } from '../server/request-log.js';

/** Opens (creating or appending to) a request-log file; the returned function writes one entry. */
export function requestLogWriter(path: string): { write(entry: RequestLogEntry): void; close(): void } {
  const fd = openSync(path, 'a');
  let open = true;
  return {
    write(entry) {
      if (open) appendFileSync(fd, `${JSON.stringify(requestRecord(entry))}\n`);
    },
    close() {
      if (!open) return;
      open = false;
      closeSync(fd);
    },
  };
}

/** The serve/proxy log line of a request: `v1 GET /latest/meta-data/ 200 <- /usr/bin/curl pid 4242 (root)`. */
export function requestLogLine(entry: RequestLogEntry): string {
  const caller = entry.caller;
  const who =
    caller === undefined
      ? entry.peer
      : caller.status === 'resolved'
        ? `${caller.exe ?? '?'} pid ${caller.pid}${caller.user ? ` (${caller.user})` : ''}${caller.containerId ? ` container ${caller.containerId.slice(0, 12)}` : ''}`
        : `${entry.peer} (${caller.status})`;
  const enforced = entry.enforced ? ` [${entry.enforced}]` : '';
  return `${entry.access} ${entry.method} ${entry.path} ${entry.status}${enforced} <- ${who}${entry.userAgent ? ` "${entry.userAgent}"` : ''}`;
}
