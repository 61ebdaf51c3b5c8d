/**
 * Decides how a request's body is delimited, from its Content-Length and Transfer-Encoding
 * headers, per RFC 9112 §6. The front only reads bodies to discard them, so the one question is
 * where the request ends.
 * @see https://www.rfc-editor.org/rfc/rfc9112#section-6.3
 */
import type { RequestLine } from './parse-head.js';
import { reject, type Rejection } from './rejection.js';
import { TOKEN, trimOws } from './syntax.js';

/** How the body that follows a head is delimited. */
export type BodyFraming =
  | { readonly kind: 'none' }
  | { readonly kind: 'length'; readonly length: number }
  | { readonly kind: 'chunked' };

const NO_BODY: BodyFraming = Object.freeze({ kind: 'none' });
const CHUNKED: BodyFraming = Object.freeze({ kind: 'chunked' });
const DIGITS = /^\d+$/;

/**
 * Reads the framing headers of a parsed head.
 *
 * @returns the framing, or a {@link Rejection}: 400 for contradictory or malformed framing,
 * 413 for a declared length over `maxBodyBytes`, 501 for a transfer coding other than chunked.
 * @example
 * ```ts
 * resolveBodyFraming('HTTP/1.1', new Map([['content-length', ['5']]]), 65536); // { kind: 'length', length: 5 }
 * ```
 */
export function resolveBodyFraming(
  version: RequestLine['version'],
  headers: ReadonlyMap<string, readonly string[]>,
  maxBodyBytes: number,
): BodyFraming | Rejection {
  const transferEncoding = headers.get('transfer-encoding');
  const contentLength = headers.get('content-length');
  if (transferEncoding === undefined) {
    return contentLength === undefined ? NO_BODY : lengthFraming(contentLength, maxBodyBytes);
  }
  // Both at once is the classic request-smuggling shape; HTTP/1.0 has no transfer codings at all.
  if (contentLength !== undefined) return reject(400, 'both Content-Length and Transfer-Encoding');
  if (version === 'HTTP/1.0') return reject(400, 'Transfer-Encoding in an HTTP/1.0 request');
  return transferFraming(transferEncoding);
}

function lengthFraming(values: readonly string[], maxBodyBytes: number): BodyFraming | Rejection {
  let length = -1;
  for (const element of listElements(values)) {
    if (!DIGITS.test(element)) return reject(400, 'Content-Length is not digits');
    const parsed = Number(element);
    if (length !== -1 && parsed !== length) return reject(400, 'conflicting Content-Length values');
    length = parsed;
  }
  if (length === -1) return reject(400, 'empty Content-Length');
  if (length > maxBodyBytes) return reject(413, 'Content-Length over the body limit');
  return length === 0 ? NO_BODY : { kind: 'length', length };
}

function transferFraming(values: readonly string[]): BodyFraming | Rejection {
  const codings = listElements(values);
  if (codings.length === 0) return reject(400, 'empty Transfer-Encoding');
  for (const coding of codings) {
    const name = coding.split(';', 1)[0] ?? '';
    if (!TOKEN.test(trimOws(name))) return reject(400, 'transfer coding is not a token');
    if (trimOws(name).toLowerCase() !== 'chunked') return reject(501, 'transfer coding not implemented');
  }
  // Every coding is "chunked" now; it must be there exactly once, bare, and last.
  if (codings.length > 1) return reject(400, 'chunked applied more than once');
  if (codings[0]?.toLowerCase() !== 'chunked') return reject(400, 'chunked takes no parameters');
  return CHUNKED;
}

/** Splits comma-separated header values into trimmed elements, dropping empty ones (RFC 9110 §5.6.1.2). */
function listElements(values: readonly string[]): string[] {
  const elements: string[] = [];
  for (const value of values) {
    for (const element of value.split(',')) {
      const trimmed = trimOws(element);
      if (trimmed.length > 0) elements.push(trimmed);
    }
  }
  return elements;
}
