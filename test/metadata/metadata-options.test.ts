import { afterEach, describe, expect, it } from 'vitest';
import { emulatorOptionsOf } from '../../src/config/emulator-options.js';
import { configFromData } from '../../src/config/load-file.js';
import { HOP_LIMIT_FAULT_ID, IPV6_OFF_FAULT_ID } from '../../src/config/metadata-option-faults.js';
import { ManualClock } from '../../src/clock.js';
import { Controller } from '../../src/control/controller.js';
import { Emulator } from '../../src/server/emulator.js';
import { isNoResponse, makeRequest } from '../../src/server/exchange.js';
import { startImds, type Imds } from '../../src/testing/index.js';
import { request } from '../scenarios/http.js';
import { SEED_NOW } from '../helpers/in-process.js';

const TTL = { 'x-aws-ec2-metadata-token-ttl-seconds': '60' };

/** An emulator set up from an `instance:` block the way `imds serve` and the fixture set one up. */
function emulatorFor(instance: Record<string, unknown>, httpTokens: 'required' | 'optional' = 'required') {
  const built = configFromData({ instance });
  if ('problems' in built) throw new Error(JSON.stringify(built.problems));
  const clock = new ManualClock(SEED_NOW);
  const emulator = new Emulator(
    emulatorOptionsOf(
      { instance: built.config.instance, scenarios: [], httpTokens, httpEndpoint: 'enabled' },
      clock,
    ),
  );
  const put = (peer: string) => {
    const outcome = emulator.handle(makeRequest('PUT', '/latest/api/token', TTL, peer));
    return isNoResponse(outcome) ? outcome.noResponse : outcome.status;
  };
  const get = (path: string, peer = '127.0.0.1') => {
    const token = emulator.handle(makeRequest('PUT', '/latest/api/token', TTL, '127.0.0.1'));
    if (isNoResponse(token)) throw new Error('no token');
    const outcome = emulator.handle(
      makeRequest(
        'GET',
        path,
        { 'x-aws-ec2-metadata-token': Buffer.from(token.body).toString('latin1') },
        peer,
      ),
    );
    return isNoResponse(outcome) ? outcome.noResponse : outcome.status;
  };
  return { emulator, put, get, controller: new Controller(emulator) };
}

describe('InstanceMetadataTags', () => {
  it('disabled: tags/ is a 404 although the instance has tags; enabled: served', () => {
    const tags = { Name: 'web-1' };
    expect(
      emulatorFor({ tags, metadataOptions: { instanceMetadataTags: 'disabled' } }).get(
        '/latest/meta-data/tags/instance/Name',
      ),
    ).toBe(404);
    expect(
      emulatorFor({ tags, metadataOptions: { instanceMetadataTags: 'enabled' } }).get(
        '/latest/meta-data/tags/instance/Name',
      ),
    ).toBe(200);
  });

  it('switched at run time through the control API settings', () => {
    const { get, controller } = emulatorFor({ tags: { Name: 'web-1' } });
    expect(get('/latest/meta-data/tags/instance/Name')).toBe(200);
    expect(controller.setMetadataOptions({ instanceMetadataTags: 'disabled' })).toEqual({
      instanceMetadataTags: 'disabled',
    });
    expect(get('/latest/meta-data/tags/instance/Name')).toBe(404);
    expect(() => controller.setMetadataOptions({ instanceMetadataTags: 'off' })).toThrow(
      /instanceMetadataTags/,
    );
  });
});

describe('HttpPutResponseHopLimit', () => {
  const containers = ['172.17.0.0/16', '127.0.0.2'];

  it('1: token PUTs from declared container clients go unanswered, the host is answered', () => {
    const { put, emulator } = emulatorFor({
      metadataOptions: { httpPutResponseHopLimit: 1, containerClients: containers },
    });
    expect(put('172.17.0.5')).toBe('silence');
    expect(put('127.0.0.2')).toBe('silence');
    expect(put('127.0.0.1')).toBe(200);
    expect(emulator.timeline.list().map((scenario) => scenario.id)).toEqual([HOP_LIMIT_FAULT_ID]);
  });

  it('2: containers are within reach; raising it at run time lifts the fault, lowering it brings it back', () => {
    const high = emulatorFor({
      metadataOptions: { httpPutResponseHopLimit: 2, containerClients: containers },
    });
    expect(high.put('172.17.0.5')).toBe(200);
    expect(high.emulator.timeline.list()).toEqual([]);
    const { put, controller } = emulatorFor({
      metadataOptions: { httpPutResponseHopLimit: 1, containerClients: containers },
    });
    controller.setMetadataOptions({ httpPutResponseHopLimit: 2 });
    expect(put('172.17.0.5')).toBe(200);
    controller.setMetadataOptions({ httpPutResponseHopLimit: 1 });
    expect(put('172.17.0.5')).toBe('silence');
  });

  it('out of range is a config error naming the field', () => {
    const result = configFromData({ instance: { metadataOptions: { httpPutResponseHopLimit: 65 } } });
    expect('problems' in result && result.problems[0]?.path).toEqual([
      'instance',
      'metadataOptions',
      'httpPutResponseHopLimit',
    ]);
  });
});

describe('HttpProtocolIpv6', () => {
  it('disabled: IPv6 callers get no answer, IPv4 callers (mapped ones too) are served', () => {
    const { put, get, emulator } = emulatorFor({ metadataOptions: { httpProtocolIpv6: 'disabled' } });
    expect(put('::1')).toBe('silence');
    expect(get('/latest/meta-data/instance-id', '::1')).toBe('silence');
    expect(put('127.0.0.1')).toBe(200);
    expect(put('::ffff:127.0.0.1')).toBe(200);
    expect(emulator.timeline.list().map((scenario) => scenario.id)).toEqual([IPV6_OFF_FAULT_ID]);
  });

  it('enabled or not given: IPv6 callers are served', () => {
    expect(emulatorFor({ metadataOptions: { httpProtocolIpv6: 'enabled' } }).put('::1')).toBe(200);
    expect(emulatorFor({}).put('::1')).toBe(200);
  });
});

describe('through the test fixture, over a socket', () => {
  let imds: Imds | undefined;
  afterEach(async () => {
    await imds?.close();
    imds = undefined;
  });

  it('a container client at 127.0.0.2 times out on the token while the host gets one', async () => {
    imds = await startImds({
      instance: { metadataOptions: { httpPutResponseHopLimit: 1, containerClients: ['127.0.0.2'] } },
    });
    await expect(
      request(imds.url, '/latest/api/token', {
        method: 'PUT',
        headers: TTL,
        from: '127.0.0.2',
        timeoutMs: 300,
      }),
    ).rejects.toMatchObject({ kind: 'timeout' });
    expect(
      (await request(imds.url, '/latest/api/token', { method: 'PUT', headers: TTL, from: '127.0.0.1' }))
        .status,
    ).toBe(200);
  });
});
