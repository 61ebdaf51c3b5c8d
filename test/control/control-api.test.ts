/**
 * Every control API operation over HTTP on 127.0.0.1, against an emulator on a manual clock, with
 * the effect checked on the metadata listener (a different port).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { startControlServer, type RunningControlServer } from '../../src/control/control-server.js';
import { Controller } from '../../src/control/controller.js';
import { Emulator } from '../../src/server/emulator.js';
import { startEmulator, type RunningEmulator } from '../../src/start/start.js';
import { request, T0 } from '../scenarios/http.js';

const TOKEN = 'control-token-for-tests';
let clock: ManualClock;
let emulator: Emulator;
let metadata: RunningEmulator;
let control: RunningControlServer;

async function setup(token?: string) {
  clock = new ManualClock(T0);
  emulator = new Emulator({
    clock,
    httpTokens: 'optional',
    seed: 3,
    scenarios: [{ type: 'rebalance-recommendation', when: { after: 600_000 } }],
  });
  metadata = await startEmulator({ emulator, host: '127.0.0.1', port: 0 });
  control = await startControlServer({
    controller: new Controller(emulator),
    host: '127.0.0.1',
    port: 0,
    ...(token ? { token } : {}),
  });
}
afterEach(async () => {
  await Promise.all([metadata?.close(), control?.close()]);
});

/** A control call: JSON in, JSON out. */
async function api(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${control.url}${path}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}
const meta = async (path: string) => request(metadata.url, path);

describe('control API', () => {
  beforeEach(() => setup());

  it('listens on its own port, never the metadata one', () => {
    expect(control.port).not.toBe(metadata.port);
    expect(control.host).toBe('127.0.0.1');
  });

  it('GET /state reads the state', async () => {
    const { status, body } = await api('GET', '/state');
    expect(status).toBe(200);
    expect(body).toMatchObject({
      now: '2024-03-01T09:00:00Z',
      clock: 'manual',
      httpTokens: { served: 'optional', base: 'optional' },
      httpEndpoint: { served: 'enabled', base: 'enabled' },
      instance: { instanceId: 'i-0410f3c9b2d5e8a71', instanceLifeCycle: 'on-demand', maintenanceEvents: [] },
      values: {},
      activeFaults: [],
      requestCount: 0,
    });
    expect(body.scenarios).toEqual([
      {
        id: 'rebalance-recommendation-1',
        type: 'rebalance-recommendation',
        kind: 'scenario',
        status: 'pending',
        anchor: '2024-03-01T09:00:00Z',
        entry: { type: 'rebalance-recommendation', after: '10m' },
      },
    ]);
  });

  it('PUT and DELETE /values/<path> set and remove values', async () => {
    expect((await api('PUT', '/values/meta-data/tags/instance/Name', 'web-7')).body).toEqual({
      'meta-data/tags/instance/Name': 'web-7',
    });
    expect((await meta('/latest/meta-data/tags/instance/Name')).body).toBe('web-7');
    await api('PUT', '/values/meta-data/ami-id', { value: 'ami-0123456789abcdef0' });
    expect((await meta('/latest/meta-data/ami-id')).body).toBe('ami-0123456789abcdef0');
    expect((await api('DELETE', '/values/meta-data/public-ipv4')).body).toMatchObject({
      'meta-data/public-ipv4': null,
    });
    expect((await meta('/latest/meta-data/public-ipv4')).status).toBe(404);
    expect((await api('GET', '/values')).body).toEqual({
      'meta-data/tags/instance/Name': 'web-7',
      'meta-data/ami-id': 'ami-0123456789abcdef0',
      'meta-data/public-ipv4': null,
    });
    const bad = await api('PUT', '/values/metadata/ami-id', 'x');
    expect(bad.status).toBe(400);
    expect(bad.body.problems).toEqual([
      'request body: path: expected a path under /latest/ starting with meta-data, dynamic, user-data (such as meta-data/ami-id), got "metadata/ami-id"; did you mean "meta-data/ami-id"?',
    ]);
  });

  it('POST /scenarios triggers a scenario now, or after a delay; DELETE cancels it', async () => {
    const now = await api('POST', '/scenarios', { type: 'spot-interruption', action: 'hibernate' });
    expect(now.status).toBe(201);
    expect(now.body).toMatchObject({ id: 'spot-interruption-1', status: 'active', kind: 'scenario' });
    expect(JSON.parse((await meta('/latest/meta-data/spot/instance-action')).body)).toEqual({
      action: 'hibernate',
      time: '2024-03-01T09:02:00Z',
    });

    const later = await api('POST', '/scenarios', {
      type: 'hop-limit',
      id: 'containers',
      after: '1m',
      for: '5m',
    });
    expect(later.body).toMatchObject({
      id: 'containers',
      status: 'pending',
      kind: 'fault',
      entry: { type: 'hop-limit', id: 'containers', after: '1m', for: '5m' },
    });
    expect((await api('GET', '/scenarios/containers')).body.status).toBe('pending');
    expect((await api('GET', '/scenarios')).body.map((s: { id: string }) => s.id)).toEqual([
      'rebalance-recommendation-1',
      'spot-interruption-1',
      'containers',
    ]);

    expect((await api('DELETE', '/scenarios/spot-interruption-1')).status).toBe(200);
    expect((await meta('/latest/meta-data/spot/instance-action')).status).toBe(404);
    expect((await api('DELETE', '/scenarios/spot-interruption-1')).status).toBe(404);
    expect((await api('POST', '/scenarios', { type: 'hop-limit', id: 'containers' })).status).toBe(409);
  });

  it('an invalid scenario gets the same clear messages as a bad file', async () => {
    const { status, body } = await api('POST', '/scenarios', {
      type: 'spot-interruption',
      action: 'terminat',
      afterr: '2m',
    });
    expect(status).toBe(400);
    expect(body.error).toBe('invalid-request');
    expect(body.problems).toEqual([
      'request body: action: expected one of "terminate", "stop", "hibernate", got "terminat"; did you mean "terminate"?',
      'request body: afterr: unknown key; did you mean "after"?',
    ]);
    expect((await api('POST', '/scenarios', '{not json')).status).toBe(400);
  });

  it('POST /events/<id>/complete and /cancel move maintenance events to history', async () => {
    const first = (
      await api('POST', '/scenarios', {
        type: 'maintenance-event',
        code: 'system-reboot',
        notBefore: '1d',
        notAfter: '1d2h',
      })
    ).body;
    const second = (
      await api('POST', '/scenarios', {
        type: 'maintenance-event',
        code: 'instance-stop',
        eventId: 'instance-event-0123456789abcdef0',
        notBefore: '2d',
        notAfter: '2d1h',
      })
    ).body;
    expect(first.eventId).toMatch(/^instance-event-[0-9a-f]{17}$/);
    expect((await api('POST', `/events/${first.eventId}/complete`)).status).toBe(200);
    expect((await api('POST', `/events/${second.eventId}/cancel`)).status).toBe(200);
    const history = JSON.parse((await meta('/latest/meta-data/events/maintenance/history')).body);
    expect(history.map((event: { EventId: string; State: string }) => [event.EventId, event.State])).toEqual([
      [first.eventId, 'completed'],
      ['instance-event-0123456789abcdef0', 'canceled'],
    ]);
    expect((await meta('/latest/meta-data/events/maintenance/scheduled')).body).toBe('[]');
    expect((await api('POST', '/events/instance-event-ffffffffffffffff0/cancel')).status).toBe(404);
  });

  it('PATCH /settings changes the token mode and the endpoint', async () => {
    expect((await meta('/latest/meta-data/instance-id')).status).toBe(200);
    expect((await api('PATCH', '/settings', { httpTokens: 'required' })).body).toEqual({
      httpTokens: { served: 'required', base: 'required' },
      httpEndpoint: { served: 'enabled', base: 'enabled' },
      metadataOptions: {},
    });
    expect((await meta('/latest/meta-data/instance-id')).status).toBe(401);
    await api('PUT', '/settings', { httpEndpoint: 'disabled' });
    expect((await meta('/latest/meta-data/instance-id')).status).toBe(403);
    const bad = await api('PATCH', '/settings', { httpTokens: 'requried' });
    expect(bad.body.problems).toEqual([
      'request body: httpTokens: expected one of "required", "optional", got "requried"; did you mean "required"?',
    ]);
    expect((await api('PATCH', '/settings', { tokens: 'required' })).body.message).toBe(
      'unknown setting "tokens"; the settings here are httpTokens, httpEndpoint and metadataOptions',
    );
    expect(
      (await api('PATCH', '/settings', { metadataOptions: { httpPutResponseHopLimit: 2 } })).body
        .metadataOptions,
    ).toEqual({ httpPutResponseHopLimit: 2 });
    const range = await api('PATCH', '/settings', { metadataOptions: { httpPutResponseHopLimit: 0 } });
    expect(range.status).toBe(400);
    expect(range.body.problems[0]).toContain('metadataOptions.httpPutResponseHopLimit');
  });

  it('GET /requests reads the log (time, method, path, version, status, user agent, peer); DELETE clears it', async () => {
    await request(metadata.url, '/latest/meta-data/instance-id', {
      headers: { 'user-agent': 'probe/1.0' },
      from: '127.0.0.2',
    });
    await request(metadata.url, '/latest/api/token', {
      method: 'PUT',
      headers: { 'x-aws-ec2-metadata-token-ttl-seconds': '60' },
    });
    await request(metadata.url, '/latest/meta-data/', {
      headers: { 'x-aws-ec2-metadata-token': 'AQAAAbogus' },
    });
    const { body } = await api('GET', '/requests');
    expect(body.total).toBe(3);
    expect(body.requests[0]).toEqual({
      time: '2024-03-01T09:00:00Z',
      method: 'GET',
      path: '/latest/meta-data/instance-id',
      version: 'v1',
      status: 200,
      userAgent: 'probe/1.0',
      peer: '127.0.0.2',
    });
    expect(
      body.requests.map((entry: { version: string; status: number }) => `${entry.version}:${entry.status}`),
    ).toEqual(['v1:200', 'token-request:200', 'bad-token:401']);
    expect((await api('GET', '/requests?since=2')).body.requests).toHaveLength(1);
    expect((await api('GET', '/requests?since=-1')).status).toBe(400);
    expect((await api('DELETE', '/requests')).status).toBe(204);
    expect((await api('GET', '/requests')).body).toEqual({ total: 0, requests: [] });
  });

  it('POST /clock moves a manual clock, and scenarios follow', async () => {
    expect((await api('POST', '/clock', { advance: '10m' })).body).toEqual({ now: '2024-03-01T09:10:00Z' });
    expect((await meta('/latest/meta-data/events/recommendations/rebalance')).body).toBe(
      '{"noticeTime": "2024-03-01T09:10:00Z"}',
    );
    expect((await api('POST', '/clock', { set: '2024-03-02T00:00:00Z' })).body).toEqual({
      now: '2024-03-02T00:00:00Z',
    });
    expect((await api('POST', '/clock', { advance: 'soon' })).status).toBe(400);
    // A bare number is seconds here too, as in files, flags and the fixture.
    expect((await api('POST', '/clock', { advance: 120 })).body).toEqual({ now: '2024-03-02T00:02:00Z' });
  });

  it('POST /reset returns to the configured state', async () => {
    await api('PUT', '/values/meta-data/ami-id', 'ami-0123456789abcdef0');
    await api('PATCH', '/settings', { httpTokens: 'required' });
    await api('POST', '/scenarios', { type: 'server-errors', rate: 1 });
    await api('POST', '/clock', { advance: '5m' });
    const { body } = await api('POST', '/reset');
    expect(body).toMatchObject({
      httpTokens: { base: 'optional' },
      values: {},
      activeFaults: [],
      requestCount: 0,
    });
    expect(body.scenarios).toEqual([
      expect.objectContaining({
        id: 'rebalance-recommendation-1',
        status: 'pending',
        anchor: '2024-03-01T09:05:00Z',
      }),
    ]);
    expect((await meta('/latest/meta-data/ami-id')).body).toBe('ami-0d52744d6551d851e');
  });

  it('POST /instance-connect/keys pushes a key for 60 s of the clock; bad input names the field', async () => {
    const publicKey =
      'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHx8fHx8fHx8fHx8fHx8fHx8fHx8fHx8fHx8fHx8fHx8 ops@example';
    const pushed = await api('POST', '/instance-connect/keys', { user: 'ec2-user', publicKey });
    expect(pushed.status).toBe(201);
    expect(pushed.body).toMatchObject({ id: 'instance-connect-key-1', status: 'active' });
    expect((await api('GET', '/instance-connect/keys')).body).toEqual([
      expect.objectContaining({ user: 'ec2-user', publicKey, expires: '2024-03-01T09:01:00Z' }),
    ]);
    const keys = await meta('/latest/meta-data/managed-ssh-keys/active-keys/ec2-user/');
    expect(keys.status).toBe(200);
    expect(keys.body).toContain(`#Timestamp=${Date.UTC(2024, 2, 1, 9, 1) / 1000}\n`);
    expect((await meta('/latest/meta-data/managed-ssh-keys/signer-cert')).body).toMatch(
      /^-----BEGIN CERTIFICATE-----\n/,
    );
    await api('POST', '/clock', { advance: '60s' });
    expect((await meta('/latest/meta-data/managed-ssh-keys/active-keys/ec2-user/')).status).toBe(404);
    expect((await api('GET', '/instance-connect/keys')).body).toEqual([]);

    const bad = await api('POST', '/instance-connect/keys', {
      user: 'ec2-user',
      publicKey: 'ecdsa-sha2 AAAA',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.problems).toEqual([
      expect.stringMatching(/^request body: publicKey: expected an OpenSSH RSA or ED25519/),
    ]);
    const missing = await api('POST', '/instance-connect/keys', { publicKey });
    expect(missing.body.problems).toEqual([expect.stringMatching(/^request body: user: /)]);
    expect((await api('POST', '/instance-connect/keys', [])).status).toBe(400);
    const ca = await api('GET', '/instance-connect/ca');
    expect(ca.body.certificate).toMatch(/^-----BEGIN CERTIFICATE-----\n[\s\S]+-----END CERTIFICATE-----\n$/);
  });

  it('unknown paths are 404 and wrong methods 405 with Allow', async () => {
    expect((await api('GET', '/nope')).status).toBe(404);
    const wrong = await api('DELETE', '/state');
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET');
  });

  it('a system clock cannot be moved', async () => {
    await control.close();
    control = await startControlServer({ controller: new Controller(new Emulator()), port: 0 });
    const { status, body } = await api('POST', '/clock', { advance: '1m' });
    expect(status).toBe(409);
    expect(body.error).toBe('not-manual');
  });
});

describe('control API with a bearer token', () => {
  beforeEach(() => setup(TOKEN));

  it('refuses requests without the right token, for every operation', async () => {
    for (const [method, path] of [
      ['GET', '/state'],
      ['POST', '/reset'],
      ['PUT', '/values/meta-data/ami-id'],
      ['GET', '/requests'],
      ['POST', '/scenarios'],
    ] as const) {
      const missing = await api(method, path);
      expect(missing.status).toBe(401);
      expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="imds-control"');
      expect(
        (await api(method, path, undefined, { authorization: 'Bearer wrong-token-xxxxxxxx' })).status,
      ).toBe(401);
    }
    expect((await api('GET', '/requests', undefined, { authorization: `Bearer ${TOKEN}` })).status).toBe(200);
    expect(emulator.timeline.list()).toHaveLength(1);
  });

  it('accepts the right token', async () => {
    const { status, body } = await api(
      'POST',
      '/scenarios',
      { type: 'rebalance-recommendation' },
      { authorization: `Bearer ${TOKEN}` },
    );
    expect(status).toBe(201);
    expect(body.id).toBe('rebalance-recommendation-2');
  });
});
