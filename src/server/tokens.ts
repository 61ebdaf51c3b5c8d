import { createHmac, randomBytes, randomFillSync, timingSafeEqual } from 'node:crypto';
import { TOKEN_LENGTH } from '../wire.js';

/**
 * Stateless session tokens. A token is 40 bytes, written as 56 characters of base64url with `==`
 * padding, which is how the real service's tokens look (`AQAAA...==`):
 *
 * | bytes | content |
 * |---|---|
 * | 0 | format version, 1 |
 * | 1-3 | zero |
 * | 4-9 | expiry, epoch milliseconds, big-endian |
 * | 10-15 | random nonce, so two tokens minted in one millisecond differ |
 * | 16-39 | HMAC-SHA256 of bytes 0-15 and the instance id, under the emulator's secret, truncated to 192 bits |
 *
 * Verifying recomputes the MAC and compares in constant time, so a token from another emulator
 * (another secret), another instance id or an earlier run is rejected. Clients send the same token
 * thousands of times, so the last {@link VERIFIED_TOKENS_KEPT} tokens minted here or that passed
 * that check are remembered with their instance id and expiry (ADR 0015): a remembered token skips
 * the HMAC, and its instance and expiry are still checked on every use. Only authentic tokens are
 * remembered, so a flood of forged tokens costs a MAC each and no memory, and a million tokens cost
 * at most that bounded table.
 *
 * Only the canonical spelling is accepted: 40 bytes leave 4 unused bits in the last base64
 * character, so a decoder alone would take 16 spellings of every token as the same bytes, and a
 * tampered token would pass.
 */
export interface TokenIssuer {
  /** A new token for `instanceId` that expires `ttlSeconds` after `now`. */
  mint(instanceId: string, ttlSeconds: number, now: number): string;
  /** The token's expiry (epoch ms) when it is authentic, for this instance and unexpired; else undefined. */
  verify(token: string, instanceId: string, now: number): number | undefined;
}

const TOKEN_BYTES = 40;
const HEADER_BYTES = 16;
const MAC_BYTES = TOKEN_BYTES - HEADER_BYTES;
const VERSION = 1;
/** 53 characters, then one whose 4 low bits are zero (`A`, `Q`, `g`, `w`: the last byte's top 2 bits), then the padding. */
const SHAPE = /^[A-Za-z0-9_-]{53}[AQgw]==$/;
/** Keeps token MACs apart from anything else the emulator derives from the same secret (credentials). */
const KEY_LABEL = 'ec2-imds session token key v1';
/** How many verified tokens are remembered (about 200 KiB at most); the oldest is forgotten first. */
export const VERIFIED_TOKENS_KEPT = 4096;
/** Nonces are drawn from the CSPRNG this many at a time: one system call per 1,024 tokens, not per token. */
const NONCES_PER_DRAW = 1024;
const NONCE_BYTES = 6;

interface VerifiedToken {
  readonly instanceId: string;
  readonly expiresAt: number;
}

/** Creates an issuer keyed by `secret` (at least 32 bytes from a CSPRNG; one is made when omitted). */
export function createTokenIssuer(secret: Uint8Array = randomBytes(32)): TokenIssuer {
  if (secret.length < 32) throw new RangeError('token secret must be at least 32 bytes');
  const key = createHmac('sha256', secret).update(KEY_LABEL).digest();
  const mac = (header: Uint8Array, instanceId: string) =>
    createHmac('sha256', key).update(header).update(instanceId).digest().subarray(0, MAC_BYTES);
  const verified = new Map<string, VerifiedToken>();
  // The table's keys in the order they came in, as a ring: forgetting the oldest is one slot, not
  // a walk past the holes that deletions leave at the front of a Map's insertion order.
  const arrivals: (string | undefined)[] = new Array(VERIFIED_TOKENS_KEPT);
  let nextArrival = 0;
  const nonces = Buffer.alloc(NONCES_PER_DRAW * NONCE_BYTES);
  let nextNonce = nonces.length;

  // A slot's old key may already be gone (expired) or be the same text remembered again later
  // (forgotten, then verified anew): deleting it then only forgets early, never keeps too many.
  const remember = (text: string, entry: VerifiedToken) => {
    const oldest = arrivals[nextArrival];
    if (oldest !== undefined) verified.delete(oldest);
    arrivals[nextArrival] = text;
    nextArrival = (nextArrival + 1) % VERIFIED_TOKENS_KEPT;
    verified.set(text, entry);
  };

  return {
    mint(instanceId, ttlSeconds, now) {
      const token = Buffer.alloc(TOKEN_BYTES);
      token[0] = VERSION;
      const expiresAt = now + ttlSeconds * 1000;
      token.writeUIntBE(expiresAt, 4, 6);
      if (nextNonce === nonces.length) {
        randomFillSync(nonces);
        nextNonce = 0;
      }
      nonces.copy(token, 10, nextNonce, nextNonce + NONCE_BYTES);
      nextNonce += NONCE_BYTES;
      mac(token.subarray(0, HEADER_BYTES), instanceId).copy(token, HEADER_BYTES);
      const text = `${token.toString('base64url')}==`;
      // A client sends a token it was just given: remembering it spares that first GET the MAC.
      remember(text, { instanceId, expiresAt });
      return text;
    },
    verify(text, instanceId, now) {
      const known = verified.get(text);
      if (known !== undefined) {
        if (known.instanceId !== instanceId) return undefined;
        if (known.expiresAt > now) return known.expiresAt;
        verified.delete(text);
        return undefined;
      }
      if (text.length !== TOKEN_LENGTH || !SHAPE.test(text)) return undefined;
      const token = Buffer.from(text.slice(0, -2), 'base64url');
      if (token.length !== TOKEN_BYTES || token[0] !== VERSION) return undefined;
      const expected = mac(token.subarray(0, HEADER_BYTES), instanceId);
      if (!timingSafeEqual(expected, token.subarray(HEADER_BYTES))) return undefined;
      const expiresAt = token.readUIntBE(4, 6);
      if (expiresAt <= now) return undefined;
      remember(text, { instanceId, expiresAt });
      return expiresAt;
    },
  };
}
