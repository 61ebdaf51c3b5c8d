/**
 * How tokens use node:crypto, observed through spies on the module: the MAC is compared with
 * `timingSafeEqual` (so a forger cannot learn it byte by byte from response times), and the
 * emulator's secret is `randomBytes(32)` (a CSPRNG), different for every emulator.
 */
import * as crypto from 'node:crypto';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_INSTANCE } from '../../src/metadata/default-instance.js';
import { createTokenIssuer } from '../../src/server/tokens.js';
import { inProcess, SEED_NOW } from '../helpers/in-process.js';

vi.mock('node:crypto', async (importOriginal) => {
  const original = await importOriginal<typeof import('node:crypto')>();
  return {
    ...original,
    timingSafeEqual: vi.fn(original.timingSafeEqual),
    randomBytes: vi.fn(original.randomBytes),
  };
});

const timingSafeEqual = vi.mocked(crypto.timingSafeEqual);
const randomBytes = vi.mocked(crypto.randomBytes) as unknown as ReturnType<
  typeof vi.fn<(size: number) => Buffer>
>;
const INSTANCE = DEFAULT_INSTANCE.instanceId;

beforeEach(() => {
  timingSafeEqual.mockClear();
  randomBytes.mockClear();
});

describe('token MAC comparison', () => {
  it('goes through timingSafeEqual for good and forged tokens alike, on the full 24-byte MAC', () => {
    // Minted by another issuer with the same secret: a token this one minted skips the MAC.
    const secret = crypto.randomBytes(32);
    const good = createTokenIssuer(secret).mint(INSTANCE, 60, SEED_NOW);
    const issuer = createTokenIssuer(secret);
    const forged = `${good.slice(0, 30)}${good[30] === 'A' ? 'B' : 'A'}${good.slice(31)}`;
    expect(issuer.verify(good, INSTANCE, SEED_NOW)).toBeDefined();
    expect(issuer.verify(forged, INSTANCE, SEED_NOW)).toBeUndefined();
    expect(timingSafeEqual).toHaveBeenCalledTimes(2);
    for (const [expected, given] of timingSafeEqual.mock.calls) {
      expect([(expected as Buffer).length, (given as Buffer).length]).toEqual([24, 24]);
    }
  });

  it('is reached for a token whose MAC matches in all but its last byte, as for any other', () => {
    const issuer = createTokenIssuer();
    const good = Buffer.from(issuer.mint(INSTANCE, 60, SEED_NOW).slice(0, -2), 'base64url');
    good[good.length - 1] = (good[good.length - 1] as number) ^ 0x01;
    expect(issuer.verify(`${good.toString('base64url')}==`, INSTANCE, SEED_NOW)).toBeUndefined();
    expect(timingSafeEqual).toHaveBeenCalledTimes(1);
  });
});

describe('token secret', () => {
  it("is 32 bytes from crypto.randomBytes: an issuer keyed with them verifies the emulator's tokens", () => {
    const { token } = inProcess({ httpTokens: 'required' });
    const candidates = randomBytes.mock.calls.flatMap(([size], index) =>
      size === 32 ? [randomBytes.mock.results[index]?.value as Buffer] : [],
    );
    const minted = token('60');
    const keys = candidates.filter(
      (secret) => createTokenIssuer(secret).verify(minted, INSTANCE, SEED_NOW) !== undefined,
    );
    expect(keys).toHaveLength(1);
  });

  it('differs between emulators, so tokens do not cross', () => {
    const one = inProcess();
    const two = inProcess();
    const fromOne = one.token();
    expect(one.get('/latest/meta-data/instance-id', fromOne).status).toBe(200);
    expect(two.get('/latest/meta-data/instance-id', fromOne).status).toBe(401);
    const secrets = randomBytes.mock.calls.flatMap(([size], index) =>
      size === 32 ? [(randomBytes.mock.results[index]!.value as Buffer).toString('hex')] : [],
    );
    expect(new Set(secrets).size).toBe(secrets.length);
    expect(secrets.length).toBeGreaterThanOrEqual(2);
  });
});
