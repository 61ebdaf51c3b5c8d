/**
 * An incremental decoder for the chunked transfer coding that checks the syntax and counts the
 * data, then throws the data away: the front reads request bodies only to find where they end.
 * @see https://www.rfc-editor.org/rfc/rfc9112#section-7.1
 */
import type { BodyProgress, BodyReader } from './body-reader.js';
import { reject, type Rejection } from './rejection.js';
import { COLON, CR, HTAB, LF, SP, TCHAR_BYTES, isFieldContentByte } from './syntax.js';

const SEMICOLON = 0x3b;

/** Where the decoder stands between two bytes. */
type State =
  | 'size-first-digit'
  | 'size'
  | 'ext-space' // BWS between the size and ";"
  | 'ext'
  | 'size-lf'
  | 'data'
  | 'data-cr'
  | 'data-lf'
  | 'trailer-start'
  | 'trailer-name'
  | 'trailer-value'
  | 'trailer-lf'
  | 'end-lf'
  | 'done';

/**
 * Feeds on body bytes in whatever pieces they arrive (one byte at a time works) and reports when
 * the last chunk and the trailer section have been read.
 *
 * @example
 * ```ts
 * const body = new ChunkedBodyDecoder(65536, 8192);
 * body.push(Buffer.from('5\r\nhello\r\n0\r\n\r\n'), 0); // 'done'
 * ```
 */
export class ChunkedBodyDecoder implements BodyReader {
  private state: State = 'size-first-digit';
  /** Data bytes still to skip in the current chunk. */
  private remaining = 0;
  /** Data bytes declared so far, against `maxBodyBytes`. */
  private total = 0;
  /** Bytes of the current size line or of the whole trailer section, against `maxLineBytes`. */
  private metaBytes = 0;
  /** See {@link BodyReader.endedAt}. */
  endedAt = -1;

  /**
   * @param maxBodyBytes - decoded data over this is refused with 413.
   * @param maxLineBytes - a chunk-size line (with extensions) or a trailer section longer than this is refused (400 / 431).
   */
  constructor(
    private readonly maxBodyBytes: number,
    private readonly maxLineBytes: number,
  ) {}

  /** Consumes `bytes` from `offset`. Bytes after the end of the body are left unread (pipelining is ignored). */
  push(bytes: Uint8Array, offset: number): BodyProgress | Rejection {
    let index = offset;
    const length = bytes.length;
    while (index < length) {
      if (this.state === 'data') {
        const skip = Math.min(this.remaining, length - index);
        this.remaining -= skip;
        index += skip;
        if (this.remaining === 0) this.state = 'data-cr';
        continue;
      }
      const outcome = this.step(bytes[index] as number);
      index++;
      if (outcome === 'done') this.endedAt = index;
      if (outcome !== undefined) return outcome;
    }
    return this.state === 'done' ? 'done' : 'more';
  }

  /** Advances over one byte outside chunk data; returns a result only when decoding stops. */
  private step(byte: number): BodyProgress | Rejection | undefined {
    switch (this.state) {
      case 'size-first-digit':
      case 'size': {
        if (++this.metaBytes > this.maxLineBytes) return reject(400, 'chunk size line too long');
        const digit = hexValue(byte);
        if (digit !== -1) {
          this.remaining = this.remaining * 16 + digit;
          this.state = 'size';
          if (this.total + this.remaining > this.maxBodyBytes)
            return reject(413, 'chunked body over the body limit');
          return undefined;
        }
        if (this.state === 'size-first-digit') return reject(400, 'chunk size is not hex');
        if (byte === SP || byte === HTAB) this.state = 'ext-space';
        else if (byte === SEMICOLON) this.state = 'ext';
        else return this.endOfSizeLine(byte);
        return undefined;
      }
      case 'ext-space':
        if (++this.metaBytes > this.maxLineBytes) return reject(400, 'chunk size line too long');
        if (byte === SEMICOLON) this.state = 'ext';
        else if (byte !== SP && byte !== HTAB) return reject(400, 'bad chunk extension');
        return undefined;
      case 'ext':
        if (++this.metaBytes > this.maxLineBytes) return reject(400, 'chunk size line too long');
        if (isFieldContentByte(byte)) return undefined;
        return this.endOfSizeLine(byte);
      case 'size-lf':
        return byte === LF ? this.startChunk() : reject(400, 'CR without LF after chunk size');
      case 'data-cr':
        if (byte === CR) this.state = 'data-lf';
        else if (byte === LF) this.state = 'size-first-digit';
        else return reject(400, 'chunk data longer than its size');
        return undefined;
      case 'data-lf':
        if (byte !== LF) return reject(400, 'CR without LF after chunk data');
        this.state = 'size-first-digit';
        return undefined;
      case 'trailer-start':
        if (byte === CR) this.state = 'end-lf';
        else if (byte === LF) return this.finish();
        else if (TCHAR_BYTES[byte] === 1) this.state = 'trailer-name';
        else return reject(400, 'trailer field name is not a token');
        return this.countTrailerByte();
      case 'trailer-name':
        if (byte === COLON) this.state = 'trailer-value';
        else if (TCHAR_BYTES[byte] !== 1) return reject(400, 'trailer field name is not a token');
        return this.countTrailerByte();
      case 'trailer-value':
        if (byte === CR) this.state = 'trailer-lf';
        else if (byte === LF) this.state = 'trailer-start';
        else if (!isFieldContentByte(byte)) return reject(400, 'control byte in trailer field');
        return this.countTrailerByte();
      case 'trailer-lf':
        if (byte !== LF) return reject(400, 'CR without LF in trailer section');
        this.state = 'trailer-start';
        return this.countTrailerByte();
      case 'end-lf':
        return byte === LF ? this.finish() : reject(400, 'CR without LF after the last chunk');
      case 'done':
      case 'data':
        // Not reached: push stops at 'done' and consumes data bytes itself.
        return 'done';
    }
  }

  private endOfSizeLine(byte: number): Rejection | undefined {
    if (byte === CR) {
      this.state = 'size-lf';
      return undefined;
    }
    if (byte === LF) return this.startChunk();
    return reject(400, 'bad byte in chunk size line');
  }

  private startChunk(): undefined {
    this.metaBytes = 0;
    this.total += this.remaining;
    this.state = this.remaining === 0 ? 'trailer-start' : 'data';
    return undefined;
  }

  private countTrailerByte(): Rejection | undefined {
    return ++this.metaBytes > this.maxLineBytes ? reject(431, 'trailer section too large') : undefined;
  }

  private finish(): 'done' {
    this.state = 'done';
    return 'done';
  }
}

function hexValue(byte: number): number {
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  const lower = byte | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x61 + 10;
  return -1;
}
