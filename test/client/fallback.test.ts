import { afterEach, describe, expect, it } from 'vitest';
import { ImdsForbiddenError, ImdsTimeoutError, ImdsTokenError } from '../../src/client/errors.js';
import type { V1Fallback } from '../../src/client/fallback.js';
import { TOKEN_PATH } from '../../src/wire.js';
import { useNetworkGuard } from './helpers/network-guard.js';
import { clientFor, emulatorOn, interceptedEmulator, page, tokenPuts } from './helpers/peers.js';

useNetworkGuard();

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

/** An emulator (HttpTokens=optional unless told) whose token PUT is answered `status` while `refuse.on`. */
async function refusingPut(status: number, httpTokens: 'optional' | 'required' = 'optional') {
  const refuse = { on: true };
  const imds = await interceptedEmulator(
    (request) => (refuse.on && request.method === 'PUT' ? page(status) : undefined),
    { httpTokens },
  );
  closers.push(() => imds.close());
  return { imds, refuse };
}

function accessKinds(imds: {
  emulator: { requests: { entries(): readonly { access: string; status: unknown }[] } };
}) {
  return imds.emulator.requests.entries().map((entry) => `${entry.access} ${String(entry.status)}`);
}

describe('IMDSv1 fallback', () => {
  it('prefers tokens when the service would also take IMDSv1', async () => {
    const imds = await emulatorOn({ httpTokens: 'optional' });
    closers.push(() => imds.close());
    const client = clientFor(imds.url);
    await client.instanceId();
    expect(client.lastV1Fallback).toBeUndefined();
    expect(accessKinds(imds)).toEqual(['token-request 200', 'v2 200']);
  });

  it.each([403, 404, 405])(
    'falls back after a %d on the token PUT, reports it, and stays on IMDSv1',
    async (status) => {
      const { imds } = await refusingPut(status);
      const seen: V1Fallback[] = [];
      const client = clientFor(imds.url, { onV1Fallback: (fallback) => seen.push(fallback) });
      expect(await client.instanceId()).toBe('i-0410f3c9b2d5e8a71');
      expect(await client.region()).toBe('ap-northeast-1');
      expect(client.usingV1).toBe(true);
      expect(client.lastV1Fallback).toMatchObject({ reason: 'status', status });
      expect(seen).toHaveLength(1);
      expect(client.transport.requests.map((request) => request.method)).toEqual(['PUT', 'GET', 'GET']);
      expect(client.transport.requests[1]?.headers['x-aws-ec2-metadata-token']).toBeUndefined();
    },
  );

  it('HttpEndpoint=disabled: falls back after the 403, and the read itself is refused (ImdsForbiddenError)', async () => {
    const imds = await emulatorOn({ httpEndpoint: 'disabled' });
    closers.push(() => imds.close());
    const client = clientFor(imds.url);
    const error = await client.instanceId().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ImdsForbiddenError);
    expect(error).toMatchObject({ code: 'FORBIDDEN', status: 403, attempts: 1 });
    expect(client.lastV1Fallback).toMatchObject({ reason: 'status', status: 403 });
  });

  it('a 400 on the token PUT is an error, never a fallback, and is not retried', async () => {
    const { imds } = await refusingPut(400);
    const client = clientFor(imds.url);
    const error = await client.instanceId().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ImdsTokenError);
    expect(error).toMatchObject({
      code: 'TOKEN_REQUEST_REJECTED',
      status: 400,
      path: TOKEN_PATH,
      attempts: 1,
    });
    expect(client.lastV1Fallback).toBeUndefined();
    expect(client.transport.requests.map((request) => request.method)).toEqual(['PUT']);
  });

  it.each([403, 404, 405])(
    'with IMDSv1 disabled, a %d on the token PUT fails with V1_FALLBACK_DISABLED and no read',
    async (status) => {
      const { imds } = await refusingPut(status);
      const client = clientFor(imds.url, { env: { AWS_EC2_METADATA_V1_DISABLED: 'true' } });
      const error = await client.instanceId().catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ImdsTokenError);
      expect(error).toMatchObject({ code: 'V1_FALLBACK_DISABLED', status });
      expect(client.transport.requests.map((request) => request.method)).toEqual(['PUT']);
      expect(client.lastV1Fallback).toBeUndefined();
    },
  );

  it('falls back when the token response never arrives (hop limit), within the timeout', async () => {
    const imds = await emulatorOn({ httpTokens: 'optional', scenarios: [{ type: 'hop-limit' }] });
    closers.push(() => imds.close());
    const client = clientFor(imds.url, { timeoutMs: 300 });
    const started = performance.now();
    expect(await client.instanceId()).toBe('i-0410f3c9b2d5e8a71');
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(elapsed).toBeLessThan(4_000); // a hang guard: one timeout, not a retry loop
    expect(client.lastV1Fallback).toMatchObject({ reason: 'timeout' });
    // Later reads do not wait for a token again.
    const before = performance.now();
    await client.region();
    expect(performance.now() - before).toBeLessThan(250);
    expect(tokenPuts(imds)).toBe(1);
  });

  it('with IMDSv1 disabled, a lost token response is a timeout error on the token path', async () => {
    const imds = await emulatorOn({ httpTokens: 'optional', scenarios: [{ type: 'hop-limit' }] });
    closers.push(() => imds.close());
    const client = clientFor(imds.url, { timeoutMs: 200, attempts: 2, v1Fallback: false });
    const error = await client.instanceId().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ImdsTimeoutError);
    expect(error).toMatchObject({ code: 'TIMEOUT', phase: 'response', path: TOKEN_PATH, attempts: 2 });
    expect(client.transport.requests.every((request) => request.method === 'PUT')).toBe(true);
  });

  it('leaves IMDSv1 when a token-less read gets a 401 (tokens became required) and uses a token again', async () => {
    const { imds, refuse } = await refusingPut(404);
    const client = clientFor(imds.url);
    await client.instanceId();
    expect(client.usingV1).toBe(true);
    refuse.on = false;
    imds.emulator.setHttpTokens('required');
    expect(await client.instanceId()).toBe('i-0410f3c9b2d5e8a71');
    expect(client.usingV1).toBe(false);
    expect(client.lastV1Fallback).toMatchObject({ status: 404 });
    // The refused PUT never reached the emulator (the intercept answered it), so its log starts with the v1 read.
    expect(accessKinds(imds)).toEqual(['v1 200', 'v1 401', 'token-request 200', 'v2 200']);
    expect(client.transport.requests.map((request) => request.method)).toEqual([
      'PUT',
      'GET',
      'GET',
      'PUT',
      'GET',
    ]);
  });

  it('needs a token and cannot get one: TOKEN_UNAVAILABLE, saying why', async () => {
    const imds = await emulatorOn({ httpTokens: 'required', scenarios: [{ type: 'hop-limit' }] });
    closers.push(() => imds.close());
    // Budget 200 ms × 3: lost PUT, v1 read refused, lost PUT again, v1 read refused again.
    const client = clientFor(imds.url, { timeoutMs: 200, attempts: 2 });
    const error = await client.instanceId().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ImdsTokenError);
    expect(error).toMatchObject({ code: 'TOKEN_UNAVAILABLE', status: 401 });
    expect((error as Error).message).toContain('HopLimit');
  });
});
