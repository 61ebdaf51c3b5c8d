/**
 * Parses an HTTP/1.x request head (request line and header fields) strictly, per RFC 9112.
 *
 * The head arrives as latin1 text (every byte one character) that {@link scanHead} has already
 * cleared of control bytes and bare CRs; what is left to check is the grammar of each part.
 * @see https://www.rfc-editor.org/rfc/rfc9112#section-2
 */
import { isRejection, reject, type Rejection } from './rejection.js';
import type { scanHead } from './scan-head.js';
import { COLON, CR, FORBIDDEN_IN_HEAD, HTTP_VERSION, TCHAR_BYTES, TOKEN } from './syntax.js';

/** The request line, split and checked. */
export interface RequestLine {
  readonly method: string;
  readonly target: string;
  /** Only the two versions this front serves; anything else is rejected with 505. */
  readonly version: 'HTTP/1.0' | 'HTTP/1.1';
}

/** A whole head, checked. */
export interface ParsedHead extends RequestLine {
  /** Header values by lower-cased name, every repeated value kept in arrival order. */
  readonly headers: Map<string, string[]>;
}

/**
 * Parses the head text, up to but not including the LF of its final blank line.
 * The bytes must have passed {@link scanHead}: no control byte but HTAB, no CR except at line ends.
 *
 * Works on the one string with `indexOf` and `slice`, without splitting it into lines first:
 * this runs once per request and its allocations showed up in the throughput.
 *
 * @returns the parsed head, or the {@link Rejection} to answer with (400, 431 or 505).
 * @example
 * ```ts
 * parseHead('GET /latest/meta-data/ HTTP/1.1\r\nHost: 127.0.0.1\r', 100);
 * // { method: 'GET', target: '/latest/meta-data/', version: 'HTTP/1.1', headers: Map { 'host' => ['127.0.0.1'] } }
 * ```
 */
export function parseHead(text: string, maxHeaderCount: number): ParsedHead | Rejection {
  const length = text.length;
  let lineFeed = text.indexOf('\n');
  if (lineFeed === -1) lineFeed = length;
  const head = readRequestLine(text, 0, lineEndBeforeCr(text, lineFeed), true);
  if (isRejection(head)) return head;

  const headers = new Map<string, string[]>();
  let count = 0;
  for (let lineStart = lineFeed + 1; lineStart < length; lineStart = lineFeed + 1) {
    lineFeed = text.indexOf('\n', lineStart);
    if (lineFeed === -1) lineFeed = length;
    if (++count > maxHeaderCount) return reject(431, 'too many header fields');
    const lineEnd = lineEndBeforeCr(text, lineFeed);
    // The name runs to the first non-tchar, which must be the colon: a leading SP/HTAB (obs-fold),
    // a space before the colon, or no colon at all end it anywhere else.
    let colon = lineStart;
    let upperCase = false;
    for (let code = text.charCodeAt(colon); TCHAR_BYTES[code] === 1; code = text.charCodeAt(++colon)) {
      if (code <= 0x5a && code >= 0x41) upperCase = true;
    }
    if (colon === lineStart || colon >= lineEnd || text.charCodeAt(colon) !== COLON) {
      return reject(400, 'header name is not a token followed by a colon');
    }
    const name = text.slice(lineStart, colon);
    const key = upperCase ? name.toLowerCase() : name;
    let valueStart = colon + 1;
    let valueEnd = lineEnd;
    while (valueStart < valueEnd && isOws(text.charCodeAt(valueStart))) valueStart++;
    while (valueEnd > valueStart && isOws(text.charCodeAt(valueEnd - 1))) valueEnd--;
    const value = text.slice(valueStart, valueEnd);
    const values = headers.get(key);
    if (values === undefined) headers.set(key, [value]);
    else values.push(value);
  }

  const hosts = headers.get('host');
  if (hosts !== undefined ? hosts.length > 1 : head.version === 'HTTP/1.1') {
    return reject(400, 'HTTP/1.1 needs exactly one Host header');
  }
  head.headers = headers;
  return head as ParsedHead;
}

/**
 * Parses `method SP request-target SP HTTP-version` (no trailing CR). Exported so the front can
 * refuse a bad request line as soon as it arrives, without waiting for the rest of the head.
 */
export function parseRequestLine(line: string): RequestLine | Rejection {
  return readRequestLine(line, 0, line.length, false);
}

/** The head under construction: the request line's parts, then the headers once read (one object, one shape). */
interface HeadInProgress extends RequestLine {
  headers: Map<string, string[]> | undefined;
}

/** `scanned`: the bytes already passed {@link scanHead}, so only HTAB can hide in the target. */
function readRequestLine(
  text: string,
  start: number,
  end: number,
  scanned: boolean,
): HeadInProgress | Rejection {
  const firstSpace = text.indexOf(' ', start);
  const secondSpace = firstSpace === -1 || firstSpace >= end ? -1 : text.indexOf(' ', firstSpace + 1);
  if (secondSpace === -1 || secondSpace >= end)
    return reject(400, 'request line is not three space-separated parts');
  // A third space can only sit in the version, which then is not exactly HTTP/1.x and fails below.
  const known = knownMethod(text, start, firstSpace);
  const method = known ?? text.slice(start, firstSpace);
  if (known === undefined && !TOKEN.test(method)) return reject(400, 'method is not a token');
  const target = text.slice(firstSpace + 1, secondSpace);
  if (target.length === 0 || target.includes('\t') || (!scanned && hasControlBytes(target))) {
    return reject(400, 'request target is empty or has whitespace or control bytes');
  }
  const version = servedVersion(text, secondSpace + 1, end);
  if (version !== undefined) return { method, target, version, headers: undefined };
  if (HTTP_VERSION.test(text.slice(secondSpace + 1, end))) return reject(505, 'HTTP version not supported');
  return reject(400, 'malformed HTTP version');
}

/** The interned string for the methods IMDS clients send, so the common request slices nothing. */
function knownMethod(text: string, start: number, end: number): string | undefined {
  const length = end - start;
  if (length === 3) {
    if (text.startsWith('GET', start)) return 'GET';
    if (text.startsWith('PUT', start)) return 'PUT';
  } else if (length === 4 && text.startsWith('HEAD', start)) {
    return 'HEAD';
  }
  return undefined;
}

function servedVersion(text: string, start: number, end: number): RequestLine['version'] | undefined {
  if (end - start !== 8 || !text.startsWith('HTTP/1.', start)) return undefined;
  const minor = text.charCodeAt(start + 7);
  return minor === 0x31 ? 'HTTP/1.1' : minor === 0x30 ? 'HTTP/1.0' : undefined;
}

function hasControlBytes(target: string): boolean {
  return target.includes('\r') || FORBIDDEN_IN_HEAD.test(target);
}

/** The index where a line's content ends: before its CR when the line ended in CRLF. */
function lineEndBeforeCr(text: string, lineFeed: number): number {
  return lineFeed > 0 && text.charCodeAt(lineFeed - 1) === CR ? lineFeed - 1 : lineFeed;
}

function isOws(code: number): boolean {
  return code === 0x20 || code === 0x09;
}
