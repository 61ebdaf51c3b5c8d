/**
 * Reads a request body to its end and discards it, so the connection can be closed after the
 * response without the kernel resetting it over unread bytes.
 */
import { ChunkedBodyDecoder } from './chunked.js';
import type { BodyFraming } from './framing.js';
import type { FrontLimits } from './limits.js';
import type { BodyProgress, BodyReader } from './body-reader.js';

/** A `Content-Length` body: counts bytes down to zero. */
export class FixedLengthBody implements BodyReader {
  endedAt = -1;

  constructor(private remaining: number) {}

  push(bytes: Uint8Array, offset: number): BodyProgress {
    const taken = Math.min(this.remaining, bytes.length - offset);
    this.remaining -= taken;
    if (this.remaining > 0) return 'more';
    this.endedAt = offset + taken;
    return 'done';
  }
}

/**
 * The reader for a framing, or `undefined` when there is no body to read.
 *
 * @example
 * ```ts
 * const reader = createBodyReader({ kind: 'length', length: 3 }, DEFAULT_FRONT_LIMITS);
 * reader?.push(Buffer.from('abc'), 0); // 'done'
 * ```
 */
export function createBodyReader(framing: BodyFraming, limits: FrontLimits): BodyReader | undefined {
  switch (framing.kind) {
    case 'none':
      return undefined;
    case 'length':
      return new FixedLengthBody(framing.length);
    case 'chunked':
      return new ChunkedBodyDecoder(limits.maxBodyBytes, limits.maxHeadBytes);
  }
}
