import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../src/config/load-file.js';
import { DEFAULT_INSTANCE } from '../../src/metadata/default-instance.js';
import { serveOnLoopback, type Served } from '../scenarios/http.js';

let served: Served | undefined;
afterEach(() => served?.close());

const dir = mkdtempSync(join(tmpdir(), 'imds-config-'));
const write = (name: string, text: string | Uint8Array) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

describe('loading a configuration file', () => {
  it('an empty file is the built-in instance with no scenarios', () => {
    const config = loadConfigFile(write('empty.yaml', '# nothing\n'));
    expect(config.instance).toEqual(DEFAULT_INSTANCE);
    expect(config.scenarios).toEqual([]);
    expect(config.settings).toEqual({});
  });

  it('user data from a file is served byte for byte, every byte value included', async () => {
    const bytes = new Uint8Array([...Array.from({ length: 256 }, (_, i) => i), ...randomBytes(4000)]);
    write('user-data.bin', bytes);
    const config = loadConfigFile(write('binary.yaml', 'instance:\n  userData:\n    file: user-data.bin\n'));
    expect(config.instance.userData).toEqual(bytes);
    served = await serveOnLoopback({ instance: config.instance });
    const token = await served.token();
    const response = await fetch(`${served.url}/latest/user-data`, {
      headers: { 'X-aws-ec2-metadata-token': token },
    });
    expect(response.headers.get('content-type')).toBe('application/octet-stream');
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(bytes);
  });

  it('YAML and JSON describing the same thing load the same', () => {
    const yaml = loadConfigFile(
      write(
        'same.yaml',
        'instance:\n  tags: { Name: a, Count: 3 }\nscenarios:\n  - type: spot-interruption\n    after: 90\nfaults:\n  - { type: latency, delay: 1.5s, for: 1h }\n',
      ),
    );
    const json = loadConfigFile(
      write(
        'same.json',
        JSON.stringify({
          instance: { tags: { Name: 'a', Count: '3' } },
          scenarios: [{ type: 'spot-interruption', after: '1m30s' }],
          faults: [{ type: 'latency', delay: 1500 / 1000, for: '60m' }],
        }),
      ),
    );
    expect(json.instance).toEqual(yaml.instance);
    expect(json.scenarios).toEqual(yaml.scenarios);
    expect(yaml.scenarios).toEqual([
      { type: 'spot-interruption', when: { after: 90_000 }, action: 'terminate' },
      { type: 'latency', durationMs: 3_600_000, delayMs: 1_500 },
    ]);
  });

  it('any number of tags, interfaces and block devices', () => {
    const tags = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`tag-${i}`, `value ${i}`]));
    const interfaces = Array.from({ length: 8 }, (_, i) => ({
      mac: `06:00:00:00:01:${i.toString(16).padStart(2, '0')}`,
      localIpv4s: [`10.0.${i}.10`],
    }));
    const devices = Object.fromEntries(
      Array.from({ length: 12 }, (_, i) => [`ebs${i + 1}`, `sd${String.fromCharCode(102 + i)}`]),
    );
    const config = loadConfigFile(
      write(
        'many.json',
        JSON.stringify({ instance: { tags, networkInterfaces: interfaces, blockDeviceMapping: devices } }),
      ),
    );
    expect(Object.keys(config.instance.tags ?? {})).toHaveLength(60);
    expect(config.instance.networkInterfaces.map((eni) => eni.deviceNumber)).toEqual([
      0, 1, 2, 3, 4, 5, 6, 7,
    ]);
    expect(config.instance.networkInterfaces[3]).toMatchObject({
      localHostname: 'ip-10-0-3-10.ap-northeast-1.compute.internal',
      ownerId: '123456789012',
    });
    expect(new Set(config.instance.networkInterfaces.map((eni) => eni.interfaceId)).size).toBe(8);
    expect(Object.keys(config.instance.blockDeviceMapping)).toHaveLength(12);
  });

  it('tags: null means not exposed, {} means exposed and empty; iam: null means no role', () => {
    expect(
      loadConfigFile(write('tags-null.yaml', 'instance: { tags: null, iam: null }\n')).instance,
    ).not.toHaveProperty('tags');
    expect(
      loadConfigFile(write('tags-null.yaml', 'instance: { tags: null, iam: null }\n')).instance,
    ).not.toHaveProperty('iam');
    expect(loadConfigFile(write('tags-empty.yaml', 'instance: { tags: {} }\n')).instance.tags).toEqual({});
  });

  it('removes apply before sets, and paths are canonical', async () => {
    const config = loadConfigFile(
      write(
        'edits.yaml',
        'set:\n  /latest/meta-data/placement//region/: eu-west-1\nremove: [meta-data/placement/]\n',
      ),
    );
    expect(config.instance.overrides).toEqual({
      'meta-data/placement': null,
      'meta-data/placement/region': 'eu-west-1',
    });
    served = await serveOnLoopback({ instance: config.instance });
    expect((await served.get('/latest/meta-data/placement/')).body).toBe('region');
    expect((await served.get('/latest/meta-data/placement/region')).body).toBe('eu-west-1');
  });

  it('a zone alone sets its region, a region alone its first zone', () => {
    expect(
      loadConfigFile(write('zone.yaml', 'instance: { availabilityZone: us-west-2c }\n')).instance,
    ).toMatchObject({ region: 'us-west-2', availabilityZone: 'us-west-2c', availabilityZoneId: 'usw2-az3' });
    expect(loadConfigFile(write('region.yaml', 'instance: { region: us-east-1 }\n')).instance).toMatchObject({
      availabilityZone: 'us-east-1a',
      hostname: 'ip-172-31-38-15.ec2.internal',
    });
  });
});
