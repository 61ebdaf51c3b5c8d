/**
 * Issue 10, items 2 and 4 on the client side: `dump` has bounds on entries and time; extreme JSON
 * and early-closing readers never produce a stack trace; odd names (`__proto__`) are kept;
 * timeouts a timer cannot wait are refused; an endpoint's credentials never reach an error.
 */
import { execFile } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run as dump } from '../../src/cli/dump.js';
import { run as get } from '../../src/cli/get.js';
import { ManualClock } from '../../src/clock.js';
import { resolveImdsConfig } from '../../src/client/config.js';
import { dumpTree } from '../../src/client/dump.js';
import { ImdsConfigError, ImdsError } from '../../src/client/errors.js';
import { DEFAULT_INSTANCE } from '../../src/metadata/default-instance.js';
import type { RunningEmulator } from '../../src/start/start.js';
import { assertLoopbackUrl, useNetworkGuard } from '../client/helpers/network-guard.js';
import { clientFor, emulatorOn } from '../client/helpers/peers.js';
import { endpointEnv, fakeIo } from './helpers/fake-io.js';

useNetworkGuard();

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const DEEP = `${'['.repeat(5_000)}${']'.repeat(5_000)}`;
let imds: RunningEmulator;

beforeAll(async () => {
  imds = await emulatorOn({
    clock: new ManualClock(Date.UTC(2024, 1, 27, 13, 6, 6)),
    instance: { ...DEFAULT_INSTANCE, userData: new TextEncoder().encode(DEEP) },
  });
  imds.emulator.setValue('meta-data/tags/instance/__proto__', 'kept');
});
afterAll(() => imds.close());

/** A peer that lists `width` children at every level, forever. */
const hostile = (width: number) => ({
  list: async () => Array.from({ length: width }, (_, index) => `d${index}/`),
  getBytes: async () => new Uint8Array(),
});

describe('dump bounds', () => {
  it('stops a listing of 2,000 children per level at maxEntries with BODY_TOO_LARGE', async () => {
    const error = await dumpTree(hostile(2_000)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ImdsError);
    expect((error as ImdsError).code).toBe('BODY_TOO_LARGE');
    expect((error as Error).message).toContain('more than 10000 entries');
  });

  it('stops at the deadline with TIMEOUT when the peer never finishes', async () => {
    const stalled = { list: () => new Promise<string[]>(() => {}), getBytes: async () => new Uint8Array() };
    const error = await dumpTree(stalled, { deadlineMs: 50 }).catch((caught: unknown) => caught);
    expect((error as ImdsError).code).toBe('TIMEOUT');
    expect((error as Error).message).toContain('dump deadline');
  });

  it('refuses bounds that are not positive integers', async () => {
    await expect(dumpTree(hostile(1), { maxEntries: 0 })).rejects.toThrow(RangeError);
    await expect(dumpTree(hostile(1), { deadlineMs: 2 ** 31 })).rejects.toThrow(/deadlineMs/);
  });

  it('imds dump --max-entries 10 fails with one line and exit 3, not a stack trace', async () => {
    const io = fakeIo(endpointEnv(imds.url));
    expect(await dump(['--max-entries', '10'], io)).toBe(3);
    expect(io.out()).toBe('');
    expect(io.err()).toMatch(/^imds dump: the tree lists more than 10 entries; .*\n$/);
    const bad = fakeIo(endpointEnv(imds.url));
    expect(await dump(['--deadline', 'soon'], bad)).toBe(2);
    expect(bad.err()).toContain("--deadline must be a positive duration up to 24 days (30s, 2m); got 'soon'");
  });

  it('keeps a child named __proto__ as a child', async () => {
    const tree = (await clientFor(imds.url).dump()) as Record<
      string,
      Record<string, Record<string, unknown>>
    >;
    const tags = tree['meta-data']?.tags?.instance as Record<string, unknown>;
    expect(Object.keys(tags)).toContain('__proto__');
    expect(Object.getOwnPropertyDescriptor(tags, '__proto__')?.value).toBe('kept');
    const io = fakeIo(endpointEnv(imds.url));
    expect(await dump([], io)).toBe(0);
    expect(io.out()).toContain('"__proto__": "kept"');
  });
});

describe('extreme JSON', () => {
  it('imds get --json and imds dump print JSON nested 5,000 deep as text, without a stack', async () => {
    const io = fakeIo(endpointEnv(imds.url));
    expect(await get(['--json', 'user-data'], io)).toBe(0);
    expect(JSON.parse(io.out())).toBe(DEEP);
    expect(io.err()).toBe('');
    const dumped = fakeIo(endpointEnv(imds.url));
    expect(await dump([], dumped)).toBe(0);
    expect(JSON.parse(dumped.out())['user-data']).toBe(DEEP);
  });
});

describe('the real binary', () => {
  it('imds dump | true exits quietly: no EPIPE stack trace', async () => {
    assertLoopbackUrl(imds.url);
    const ran = await new Promise<{ code: number | null; stderr: string }>((done) => {
      execFile(
        '/bin/sh',
        ['-c', `"${process.execPath}" "${join(ROOT, 'bin/imds.js')}" dump --endpoint "${imds.url}" | true`],
        { env: { PATH: process.env.PATH ?? '' }, timeout: 30_000 },
        (error, _stdout, stderr) => done({ code: error ? (error.code as number) : 0, stderr }),
      );
    });
    expect(ran).toEqual({ code: 0, stderr: '' });
  });
});

describe('client settings', () => {
  it('refuses timeouts a timer cannot wait, naming the setting', () => {
    expect(() => resolveImdsConfig({ endpoint: imds.url, timeoutMs: 2 ** 31 }, {})).toThrow(ImdsConfigError);
    expect(() => resolveImdsConfig({ endpoint: imds.url, timeoutMs: 2 ** 31 }, {})).toThrow(/timeoutMs/);
    // AWS_METADATA_SERVICE_TIMEOUT counts seconds: 3,000,000 s is past what a timer can wait.
    expect(() =>
      resolveImdsConfig({ endpoint: imds.url }, { AWS_METADATA_SERVICE_TIMEOUT: '3000000' }),
    ).toThrow(/up to 2147483647/);
    expect(resolveImdsConfig({ endpoint: imds.url, timeoutMs: 2 ** 31 - 1 }, {}).timeoutMs).toBe(2 ** 31 - 1);
  });

  it('never echoes user:password from an endpoint URL', () => {
    for (const endpoint of [
      'http://user:s3cret@127.0.0.1:1/path',
      'ftp://user:s3cret@127.0.0.1',
      'http://user:s3cret@',
    ]) {
      const error = (() => {
        try {
          resolveImdsConfig({ endpoint }, {});
        } catch (caught) {
          return caught as Error;
        }
        return undefined;
      })();
      expect(error, endpoint).toBeInstanceOf(ImdsConfigError);
      expect(error?.message).not.toContain('s3cret');
      expect(error?.message).toContain('<credentials>@');
    }
  });
});
