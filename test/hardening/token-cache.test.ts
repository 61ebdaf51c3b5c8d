/**
 * The table of verified tokens: a remembered token skips the MAC but not the instance and expiry
 * checks, a forged token never enters it, and it stays bounded however many tokens are verified.
 * `timingSafeEqual` is spied on: every MAC check goes through it, so its call count says whether a
 * verification was a full one.
 */
import * as crypto from 'node:crypto';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_INSTANCE } from '../../src/metadata/default-instance.js';
import { createTokenIssuer, VERIFIED_TOKENS_KEPT } from '../../src/server/tokens.js';
import { inProcess, SEED_NOW } from '../helpers/in-process.js';

vi.mock('node:crypto', async (importOriginal) => {
  const original = await importOriginal<typeof import('node:crypto')>();
  return { ...original, timingSafeEqual: vi.fn(original.timingSafeEqual) };
});

const timingSafeEqual = vi.mocked(crypto.timingSafeEqual);
const INSTANCE = DEFAULT_INSTANCE.instanceId;

beforeEach(() => {
  timingSafeEqual.mockClear();
});

const SECRET = crypto.randomBytes(32);

describe('verified tokens', () => {
  it('are checked by MAC once, then answered from the table with the same expiry', () => {
    // Another issuer with the same secret: the token was not minted by the one that checks it.
    const token = createTokenIssuer(SECRET).mint(INSTANCE, 60, SEED_NOW);
    const issuer = createTokenIssuer(SECRET);
    const first = issuer.verify(token, INSTANCE, SEED_NOW);
    const again = issuer.verify(token, INSTANCE, SEED_NOW + 1_000);
    expect(first).toBe(SEED_NOW + 60_000);
    expect(again).toBe(first);
    expect(timingSafeEqual).toHaveBeenCalledTimes(1);
  });

  it('include the tokens the issuer minted: their first use needs no MAC, and is still bound to instance and expiry', () => {
    const issuer = createTokenIssuer();
    const token = issuer.mint(INSTANCE, 60, SEED_NOW);
    expect(issuer.verify(token, INSTANCE, SEED_NOW)).toBe(SEED_NOW + 60_000);
    expect(timingSafeEqual).not.toHaveBeenCalled();
    expect(issuer.verify(token, 'i-0123456789abcdef0', SEED_NOW)).toBeUndefined();
    expect(issuer.verify(token, INSTANCE, SEED_NOW + 60_000)).toBeUndefined();
  });

  it('minted beyond the bound push out the oldest, which is then checked by MAC again', () => {
    const issuer = createTokenIssuer();
    const tokens = Array.from({ length: VERIFIED_TOKENS_KEPT + 1 }, () =>
      issuer.mint(INSTANCE, 600, SEED_NOW),
    );
    expect(issuer.verify(tokens[tokens.length - 1]!, INSTANCE, SEED_NOW)).toBeDefined();
    expect(issuer.verify(tokens[1]!, INSTANCE, SEED_NOW)).toBeDefined();
    expect(timingSafeEqual).not.toHaveBeenCalled();
    expect(issuer.verify(tokens[0]!, INSTANCE, SEED_NOW)).toBeDefined();
    expect(timingSafeEqual).toHaveBeenCalledTimes(1);
  });

  it('still expire: a remembered token is refused once the clock passes its expiry, and stays refused', () => {
    const issuer = createTokenIssuer();
    const token = issuer.mint(INSTANCE, 60, SEED_NOW);
    expect(issuer.verify(token, INSTANCE, SEED_NOW)).toBeDefined();
    expect(issuer.verify(token, INSTANCE, SEED_NOW + 60_000)).toBeUndefined();
    expect(issuer.verify(token, INSTANCE, SEED_NOW + 61_000)).toBeUndefined();
  });

  it('are still bound to their instance: a remembered token is refused for another instance id', () => {
    const issuer = createTokenIssuer();
    const token = issuer.mint(INSTANCE, 60, SEED_NOW);
    expect(issuer.verify(token, INSTANCE, SEED_NOW)).toBeDefined();
    expect(issuer.verify(token, 'i-0123456789abcdef0', SEED_NOW)).toBeUndefined();
    expect(issuer.verify(token, INSTANCE, SEED_NOW)).toBeDefined();
  });

  it('never include a forged token: each attempt with it is a full MAC check, and each is refused', () => {
    const issuer = createTokenIssuer();
    const good = issuer.mint(INSTANCE, 60, SEED_NOW);
    const forged = `${good.slice(0, 30)}${good[30] === 'A' ? 'B' : 'A'}${good.slice(31)}`;
    for (let attempt = 0; attempt < 3; attempt++) {
      expect(issuer.verify(forged, INSTANCE, SEED_NOW)).toBeUndefined();
    }
    expect(timingSafeEqual).toHaveBeenCalledTimes(3);
  });

  it('are remembered up to the bound only: the oldest is forgotten and checked by MAC again', () => {
    const minter = createTokenIssuer(SECRET);
    const issuer = createTokenIssuer(SECRET);
    const tokens = Array.from({ length: VERIFIED_TOKENS_KEPT + 1 }, () =>
      minter.mint(INSTANCE, 600, SEED_NOW),
    );
    for (const token of tokens) expect(issuer.verify(token, INSTANCE, SEED_NOW)).toBeDefined();
    expect(timingSafeEqual).toHaveBeenCalledTimes(tokens.length);
    // The newest is still remembered; the first was evicted when the last one came in.
    expect(issuer.verify(tokens[tokens.length - 1]!, INSTANCE, SEED_NOW)).toBeDefined();
    expect(timingSafeEqual).toHaveBeenCalledTimes(tokens.length);
    expect(issuer.verify(tokens[0]!, INSTANCE, SEED_NOW)).toBeDefined();
    expect(timingSafeEqual).toHaveBeenCalledTimes(tokens.length + 1);
  });

  it('minted in one millisecond still differ (nonces drawn in blocks are not reused)', () => {
    const issuer = createTokenIssuer();
    const minted = new Set(Array.from({ length: 5_000 }, () => issuer.mint(INSTANCE, 60, SEED_NOW)));
    expect(minted.size).toBe(5_000);
  });
});

describe('the emulator with remembered tokens', () => {
  it('refuses a remembered token after a clock move past its expiry and after an instance-id edit', () => {
    const imds = inProcess({ httpTokens: 'required' });
    const token = imds.token('60');
    expect(imds.get('/latest/meta-data/instance-id', token).status).toBe(200);
    const original = imds.emulator.instance;
    imds.emulator.setInstance({ ...original, instanceId: 'i-0aaaaaaaaaaaaaaaa' });
    expect(imds.get('/latest/meta-data/instance-id', token).status).toBe(401);
    imds.emulator.setInstance(original);
    expect(imds.get('/latest/meta-data/instance-id', token).status).toBe(200);
    imds.clock.advance(61_000);
    expect(imds.get('/latest/meta-data/instance-id', token).status).toBe(401);
  });
});
