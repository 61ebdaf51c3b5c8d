/**
 * Finds rows of a `/proc/net/tcp{,6}` table by reading it in fixed-size chunks, so what is held
 * at once is one buffer and one partial line, however many sockets the host has (a busy host's
 * table is tens of megabytes; read whole, it would be held as one string). A scan can stop early:
 * once every connection asked for is found, or at a deadline (the caller then looks up later).
 *
 * @see https://www.kernel.org/doc/Documentation/networking/proc_net_tcp.txt
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { parseSocketTable, type SocketRow } from './proc-net.js';

/** Bytes read at once. A table row is about 150 bytes; 64 KiB is a few hundred rows. */
export const SCAN_CHUNK_BYTES = 64 * 1024;
/** A partial line longer than this is not a table row: it is dropped rather than carried on. */
const MAX_LINE_BYTES = 4 * 1024;
/** Up to this many endpoints are found by string search; beyond, each line's local field is looked up. */
const SEARCH_LIMIT = 8;

/** What a scan looks for, and when it may stop. */
export interface ScanRequest {
  /** Local endpoints as the table writes them ({@link encodeEndpoint}: `0100007F:A3F2`). */
  readonly endpoints: ReadonlySet<string>;
  /** Stop once this holds for the rows found so far (checked after each chunk). */
  readonly complete?: (rows: readonly SocketRow[]) => boolean;
  /** `performance.now()` after which the scan stops unfinished. */
  readonly deadline?: number;
  readonly chunkBytes?: number;
}

/** What a scan found. */
export interface TableScan {
  /** The rows whose local end is one of the endpoints. */
  readonly rows: SocketRow[];
  /** The most bytes held at once: the chunk buffer plus the partial line carried into the next chunk. */
  readonly peakHeldBytes: number;
  /** Stopped at the deadline before the end of the table (or before `complete` held). */
  readonly timedOut: boolean;
}

/** Scans a table at once (synchronously); a missing table (no IPv6, no procfs) has no rows. */
export function scanTableSync(path: string, request: ScanRequest): TableScan {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return { rows: [], peakHeldBytes: 0, timedOut: false };
  }
  try {
    const scanner = new Scanner(request);
    const buffer = Buffer.allocUnsafe(scanner.chunkBytes);
    for (;;) {
      let read: number;
      try {
        read = readSync(fd, buffer, 0, buffer.length, null);
      } catch {
        break;
      }
      if (read === 0 || scanner.feed(buffer, read)) break;
    }
    return scanner.result();
  } finally {
    closeSync(fd);
  }
}

/** Scans a table without blocking the event loop (each chunk is read on the thread pool). */
export async function scanTable(path: string, request: ScanRequest): Promise<TableScan> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'r');
  } catch {
    return { rows: [], peakHeldBytes: 0, timedOut: false };
  }
  try {
    const scanner = new Scanner(request);
    const buffer = Buffer.allocUnsafe(scanner.chunkBytes);
    for (;;) {
      let read: number;
      try {
        ({ bytesRead: read } = await handle.read(buffer, 0, buffer.length, null));
      } catch {
        break;
      }
      if (read === 0 || scanner.feed(buffer, read)) break;
    }
    return scanner.result();
  } finally {
    await handle.close();
  }
}

/** The search over chunks: the lines completed by each chunk are searched, the partial last one carried. */
class Scanner {
  readonly chunkBytes: number;
  readonly #request: ScanRequest;
  readonly #endpoints: readonly string[];
  #carry = '';
  #peak = 0;
  #timedOut = false;
  readonly #rows: SocketRow[] = [];

  constructor(request: ScanRequest) {
    this.#request = request;
    this.#endpoints = [...request.endpoints];
    this.chunkBytes = request.chunkBytes ?? SCAN_CHUNK_BYTES;
  }

  /** Takes the next `length` bytes of `buffer`; true when the scan is done (found, or out of time). */
  feed(buffer: Buffer, length: number): boolean {
    this.#peak = Math.max(this.#peak, buffer.length + this.#carry.length);
    const text = this.#carry + buffer.toString('latin1', 0, length);
    const end = text.lastIndexOf('\n');
    this.#carry = end < 0 ? text : text.slice(end + 1);
    if (this.#carry.length > MAX_LINE_BYTES) this.#carry = '';
    if (end >= 0) this.#search(text, end);
    if (this.#request.complete?.(this.#rows)) return true;
    if (this.#request.deadline !== undefined && performance.now() > this.#request.deadline) {
      this.#timedOut = true;
      return true;
    }
    return false;
  }

  result(): TableScan {
    // The table's last line may end without a newline.
    if (this.#carry !== '') this.#search(`${this.#carry}\n`, this.#carry.length);
    this.#carry = '';
    return { rows: this.#rows, peakHeldBytes: this.#peak, timedOut: this.#timedOut };
  }

  /** Adds the rows of `text` (complete lines up to `end`) whose local field is wanted. */
  #search(text: string, end: number): void {
    const wanted = this.#request.endpoints;
    if (this.#endpoints.length <= SEARCH_LIMIT) {
      for (const endpoint of this.#endpoints) {
        let at = text.indexOf(endpoint);
        while (at >= 0 && at < end) {
          const start = text.lastIndexOf('\n', at) + 1;
          const stop = text.indexOf('\n', at);
          this.#take(text.slice(start, stop), wanted);
          at = text.indexOf(endpoint, stop);
        }
      }
      return;
    }
    let start = 0;
    while (start < end) {
      const stop = text.indexOf('\n', start);
      this.#take(text.slice(start, stop), wanted);
      start = stop + 1;
    }
  }

  /** Keeps a line's row when its local field (the one after `sl:`) is wanted. */
  #take(line: string, wanted: ReadonlySet<string>): void {
    const fields = line.trimStart().split(/\s+/, 2);
    if (fields[1] === undefined || !wanted.has(fields[1])) return;
    this.#rows.push(...parseSocketTable(line));
  }
}
