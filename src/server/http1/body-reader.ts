/**
 * What the connection asks of a body reader, whatever the framing.
 */
import type { Rejection } from './rejection.js';

/** `more`: the body goes on in later bytes; `done`: the body has ended. */
export type BodyProgress = 'more' | 'done';

/** Something that eats body bytes as they arrive and says when the body is over. */
export interface BodyReader {
  /** Consumes `bytes` from `offset`; bytes past the end of the body are ignored. */
  push(bytes: Uint8Array, offset: number): BodyProgress | Rejection;
  /** Once `push` returned `done`: the index in its `bytes` just past the body (less than `bytes.length` when more followed). */
  readonly endedAt: number;
}
