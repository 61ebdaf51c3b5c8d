/**
 * Turns an {@link ImdsResponse} into the exact bytes to write: one status line, the headers in
 * the order the handler gave, a blank line, the body; one buffer, so one write.
 */
import type { ImdsResponse } from '../exchange.js';
import { reasonPhrase } from './reason-phrases.js';
import { COLON, CR, LF, SP } from './syntax.js';

const DIGIT_ZERO = 0x30;
/** `HTTP/1.1 ` + 3 digits + SP + CRLF, around the reason phrase; then the final CRLF. */
const FIXED_HEAD_BYTES = 9 + 3 + 1 + 2 + 2;

/**
 * Serializes a response. Header names and values are written as given (the handler owns their
 * spelling and order), one byte per character (latin1), as HTTP field values are.
 *
 * Characters are copied straight into the output buffer instead of building a head string first:
 * the string pieces and their flattening were most of the garbage a request made, and the young
 * generation collections they caused cost more throughput than the copying loop.
 *
 * @throws {RangeError} when the status is not a three-digit code.
 * @example
 * ```ts
 * serializeResponse({ status: 200, headers: [['Content-Length', '2']], body: Buffer.from('ok') }).toString();
 * // 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'
 * ```
 */
export function serializeResponse(response: ImdsResponse): Buffer {
  const status = response.status;
  if (!Number.isInteger(status) || status < 100 || status > 999) {
    throw new RangeError(`status must be a three-digit integer, got ${String(status)}`);
  }
  const reason = response.reason ?? reasonPhrase(status);
  const headers = response.headers;
  const body = response.body;
  let size = FIXED_HEAD_BYTES + reason.length + body.length;
  for (let index = 0; index < headers.length; index++) {
    const header = headers[index] as readonly [string, string];
    size += header[0].length + header[1].length + 4;
  }

  const bytes = Buffer.allocUnsafe(size);
  let at = copyLatin1(bytes, 0, response.httpVersion === '1.0' ? 'HTTP/1.0 ' : 'HTTP/1.1 ');
  bytes[at++] = DIGIT_ZERO + Math.floor(status / 100);
  bytes[at++] = DIGIT_ZERO + (Math.floor(status / 10) % 10);
  bytes[at++] = DIGIT_ZERO + (status % 10);
  bytes[at++] = SP;
  at = copyLatin1(bytes, at, reason);
  bytes[at++] = CR;
  bytes[at++] = LF;
  for (let index = 0; index < headers.length; index++) {
    const header = headers[index] as readonly [string, string];
    at = copyLatin1(bytes, at, header[0]);
    bytes[at++] = COLON;
    bytes[at++] = SP;
    at = copyLatin1(bytes, at, header[1]);
    bytes[at++] = CR;
    bytes[at++] = LF;
  }
  bytes[at++] = CR;
  bytes[at++] = LF;
  bytes.set(body, at);
  return bytes;
}

/** Writes each character's low byte (latin1) at `at`; returns the index after the last one. */
function copyLatin1(bytes: Buffer, at: number, text: string): number {
  for (let index = 0; index < text.length; index++) bytes[at++] = text.charCodeAt(index);
  return at;
}
