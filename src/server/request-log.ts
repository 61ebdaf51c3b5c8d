import type { Caller } from '../audit/attributor.js';
import type { AccessKind } from './handler.js';

/** One answered request, as the control API and the test fixture report it. */
export interface RequestLogEntry {
  readonly time: number;
  readonly method: string;
  readonly path: string;
  readonly access: AccessKind;
  readonly status: number | 'reset' | 'silence';
  readonly userAgent?: string;
  readonly peer: string;
  /** The calling process, once looked up; absent when attribution is off or the request came in-process. */
  caller?: Caller;
  /**
   * Set by `imds proxy`: a token-less read it let through (`dry-run`) or answered 401 (`refused`)
   * under `--enforce`, or a token `PUT` it left unanswered beyond the hop limit (`hop-limit`).
   */
  readonly enforced?: 'dry-run' | 'refused' | 'hop-limit';
}

/** Longest path or user agent kept; longer ones are cut, so the log's memory stays small. */
export const LOGGED_TEXT_LIMIT = 512;

/** Session tokens (`AQAAA…==` shape) anywhere in logged text; a client may put one in a URL by mistake. */
const TOKEN_SHAPED_MIN_LENGTH = 40;
const TOKEN_SHAPED = new RegExp(`[A-Za-z0-9_-]{${TOKEN_SHAPED_MIN_LENGTH},}={0,2}`, 'g');

/** Longest method kept: real ones are at most 7 characters; the front accepts any token. */
export const LOGGED_METHOD_LIMIT = 16;
/** Longest peer address kept (an IPv6 address with a zone fits). */
export const LOGGED_PEER_LIMIT = 64;

/**
 * A copy of `text` that shares no memory with the string it came from. V8 keeps a substring of 13
 * or more characters as a view on its parent: a path sliced out of an 8 KiB request head would
 * pin the whole head for as long as the log keeps the entry (measured: 78 MiB for 12,000 entries
 * instead of ~12 MiB). A round trip through UTF-16 bytes is exact for every JS string.
 */
export function detached(text: string): string {
  return text.length < 13 ? text : Buffer.from(text, 'utf16le').toString('utf16le');
}

/** `text` cut to `limit` characters (with `…` when cut) and detached from its parent. */
function capped(text: string, limit: number): string {
  return detached(text.length > limit ? `${text.slice(0, limit)}…` : text);
}

/**
 * What the log keeps of a client-controlled string: token-shaped runs masked and length capped,
 * because the log is served by the control API and printed in test failures; always a copy, never
 * a view on the request head (see {@link detached}).
 */
export function loggable(text: string): string {
  // Every request is logged: most paths and user agents are too short to hold a token, skip the scan.
  if (text.length < TOKEN_SHAPED_MIN_LENGTH) return detached(text);
  const cut = text.length > LOGGED_TEXT_LIMIT ? `${text.slice(0, LOGGED_TEXT_LIMIT)}…` : text;
  return detached(cut.replace(TOKEN_SHAPED, '<redacted>'));
}

/**
 * The most recent requests, bounded so a long-running emulator's memory stays flat. A fleet keeps
 * one with entries that also name the instance that answered (`E` extends the entry).
 */
export class RequestLog<E extends RequestLogEntry = RequestLogEntry> {
  readonly #entries: E[] = [];
  readonly #capacity: number;
  #total = 0;

  constructor(capacity = 10_000) {
    this.#capacity = capacity;
  }

  /** Keeps an entry (path and user agent made {@link loggable}) and returns it as kept; its `caller` is filled in later. */
  add(raw: E): E {
    const entry: E = {
      ...raw,
      method: capped(raw.method, LOGGED_METHOD_LIMIT),
      peer: capped(raw.peer, LOGGED_PEER_LIMIT),
      path: loggable(raw.path),
      ...(raw.userAgent === undefined ? {} : { userAgent: loggable(raw.userAgent) }),
    };
    // A ring: once full, the oldest slot is overwritten, so adding stays O(1).
    if (this.#entries.length < this.#capacity) this.#entries.push(entry);
    else this.#entries[this.#total % this.#capacity] = entry;
    this.#total++;
    return entry;
  }

  /** The kept entries, oldest first. */
  entries(): readonly E[] {
    if (this.#entries.length < this.#capacity) return [...this.#entries];
    const start = this.#total % this.#capacity;
    return [...this.#entries.slice(start), ...this.#entries.slice(0, start)];
  }

  /** The entry added last, if any (a fleet copies it into its own log, naming the instance). */
  last(): E | undefined {
    if (this.#total === 0) return undefined;
    return this.#entries.length < this.#capacity
      ? this.#entries[this.#entries.length - 1]
      : this.#entries[(this.#total - 1) % this.#capacity];
  }

  /** Every request since the last clear, including those no longer kept. */
  get total(): number {
    return this.#total;
  }

  clear(): void {
    this.#entries.length = 0;
    this.#total = 0;
  }
}
