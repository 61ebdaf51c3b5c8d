/**
 * Reads one HTTP/1.x response from the bytes a socket delivers, for {@link socketTransport}.
 * IMDS answers are small and always `Connection: close`, but a client may be pointed at a proxy
 * or a sidecar, so the three body framings are handled: `Content-Length`, chunked, and read
 * until close. Interim `1xx` responses are skipped.
 */

/** A parsed status line and headers (names lower-cased, repeats joined with `, `). */
export interface ResponseHead {
  readonly status: number;
  readonly headers: Record<string, string>;
}

/** Why the bytes are not a response; the message never quotes them (they may hold a token). */
export class MalformedResponseError extends Error {
  override readonly name = 'MalformedResponseError';
}

/** The body is (or is declared to be) larger than the reader accepts. */
export class BodyTooLargeError extends Error {
  override readonly name = 'BodyTooLargeError';
}

/** What {@link ResponseReader.push} found so far. */
export type ReadState =
  | { readonly done: false }
  | { readonly done: true; readonly head: ResponseHead; readonly body: Buffer };

const HEAD_END = Buffer.from('\r\n\r\n');
const MAX_HEAD_BYTES = 64 * 1024;
const STATUS_LINE = /^HTTP\/1\.[01] ([0-9]{3})(?: .*)?$/;

/**
 * Feed it chunks as they arrive, then {@link ResponseReader.end} when the peer closes.
 * `maxBodyBytes` is enforced while reading (and from `Content-Length` before the body comes), so
 * an oversized body is never held in memory.
 */
export class ResponseReader {
  #buffer: Buffer = Buffer.alloc(0);
  #head: ResponseHead | undefined;
  #bodyStart = 0;
  readonly #maxBodyBytes: number;

  constructor(maxBodyBytes: number) {
    this.#maxBodyBytes = maxBodyBytes;
  }

  /**
   * Adds bytes; returns the response once it is complete by its own framing.
   * @throws MalformedResponseError, BodyTooLargeError
   */
  push(chunk: Buffer): ReadState {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    while (!this.#head) {
      const end = this.#buffer.indexOf(HEAD_END);
      if (end < 0) {
        if (this.#buffer.length > MAX_HEAD_BYTES) throw new MalformedResponseError('response head too large');
        return { done: false };
      }
      const head = parseHead(this.#buffer.subarray(0, end).toString('latin1'));
      if (head.status >= 100 && head.status < 200) {
        this.#buffer = this.#buffer.subarray(end + HEAD_END.length);
        continue;
      }
      this.#head = head;
      this.#bodyStart = end + HEAD_END.length;
      const declared = head.headers['content-length'];
      if (declared !== undefined && Number(declared) > this.#maxBodyBytes) throw new BodyTooLargeError();
    }
    // Framing bytes (chunk-size lines) are not body, but may not grow without bound either.
    if (this.#buffer.length - this.#bodyStart > this.#maxBodyBytes + MAX_HEAD_BYTES)
      throw new BodyTooLargeError();
    return this.#framedBody(false);
  }

  /** The peer closed: a close-delimited body ends here; anything else incomplete is an error. */
  end(): ReadState {
    if (!this.#head)
      throw new MalformedResponseError('connection closed before the response head was complete');
    const state = this.#framedBody(true);
    if (!state.done) throw new MalformedResponseError('connection closed before the response was complete');
    return state;
  }

  #framedBody(closed: boolean): ReadState {
    const head = this.#head as ResponseHead;
    const body = this.#buffer.subarray(this.#bodyStart);
    const encoding = head.headers['transfer-encoding'];
    if (encoding !== undefined && /(^|,)\s*chunked\s*$/i.test(encoding)) {
      const decoded = decodeChunked(body, this.#maxBodyBytes);
      return decoded ? { done: true, head, body: decoded } : { done: false };
    }
    const declared = head.headers['content-length'];
    if (declared !== undefined) {
      if (!/^[0-9]+$/.test(declared)) throw new MalformedResponseError('invalid Content-Length');
      const length = Number(declared);
      return body.length >= length ? { done: true, head, body: body.subarray(0, length) } : { done: false };
    }
    if (body.length > this.#maxBodyBytes) throw new BodyTooLargeError();
    return closed ? { done: true, head, body } : { done: false };
  }
}

function parseHead(text: string): ResponseHead {
  const [statusLine = '', ...lines] = text.split('\r\n');
  const status = STATUS_LINE.exec(statusLine);
  if (!status) throw new MalformedResponseError('not an HTTP/1.x status line');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) throw new MalformedResponseError('malformed header line');
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  return { status: Number(status[1]), headers };
}

/** The decoded body once the last chunk has arrived, else undefined. Trailers are skipped. */
function decodeChunked(bytes: Buffer, maxBodyBytes: number): Buffer | undefined {
  const parts: Buffer[] = [];
  let size = 0;
  let at = 0;
  for (;;) {
    const lineEnd = bytes.indexOf('\r\n', at);
    if (lineEnd < 0) return undefined;
    const sizeText = bytes.subarray(at, lineEnd).toString('latin1').split(';')[0]?.trim() ?? '';
    if (!/^[0-9a-fA-F]{1,8}$/.test(sizeText)) throw new MalformedResponseError('invalid chunk size');
    const chunkSize = parseInt(sizeText, 16);
    at = lineEnd + 2;
    if (chunkSize === 0) {
      const trailersEnd = bytes.indexOf('\r\n\r\n', at - 2);
      return trailersEnd < 0 ? undefined : parts.length === 1 ? parts[0] : Buffer.concat(parts);
    }
    size += chunkSize;
    if (size > maxBodyBytes) throw new BodyTooLargeError();
    if (bytes.length < at + chunkSize + 2) return undefined;
    parts.push(bytes.subarray(at, at + chunkSize));
    at += chunkSize + 2;
  }
}
