/**
 * Precedence: flag > IMDS_* environment > file > default, checked for every setting and every
 * combination of the sources that give it.
 */
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ConfigError } from '../../src/config/config-error.js';
import type { FileAccess } from '../../src/config/load-file.js';
import { resolveConfig, resolveFlagsAndEnvironment } from '../../src/config/resolve.js';
import {
  AUDIT_SETTINGS,
  METADATA_OPTION_SETTINGS,
  SETTINGS,
  type SettingName,
} from '../../src/config/settings.js';
import type { MetadataOptions } from '../../src/metadata/instance.js';

/** A value per source; the file's is written into a YAML file at the setting's key path. */
const VALUES: Record<
  SettingName,
  {
    flag: string;
    env: string;
    file: string | number;
    parsed: { flag: unknown; env: unknown; file: unknown };
    default: unknown;
  }
> = {
  host: {
    flag: '127.0.0.4',
    env: '127.0.0.3',
    file: '127.0.0.2',
    parsed: { flag: '127.0.0.4', env: '127.0.0.3', file: '127.0.0.2' },
    default: '127.0.0.1',
  },
  port: {
    flag: '4001',
    env: '4002',
    file: 4003,
    parsed: { flag: 4001, env: 4002, file: 4003 },
    default: 1338,
  },
  httpTokens: {
    flag: 'optional',
    env: 'required',
    file: 'optional',
    parsed: { flag: 'optional', env: 'required', file: 'optional' },
    default: 'required',
  },
  httpEndpoint: {
    flag: 'disabled',
    env: 'enabled',
    file: 'disabled',
    parsed: { flag: 'disabled', env: 'enabled', file: 'disabled' },
    default: 'enabled',
  },
  controlHost: {
    flag: '127.0.1.4',
    env: '127.0.1.3',
    file: '127.0.1.2',
    parsed: { flag: '127.0.1.4', env: '127.0.1.3', file: '127.0.1.2' },
    default: '127.0.0.1',
  },
  controlPort: {
    flag: '5001',
    env: '5002',
    file: 5003,
    parsed: { flag: 5001, env: 5002, file: 5003 },
    default: undefined,
  },
  controlToken: {
    flag: 'flag-token-0123456789',
    env: 'env-token-0123456789',
    file: 'file-token-0123456789',
    parsed: { flag: 'flag-token-0123456789', env: 'env-token-0123456789', file: 'file-token-0123456789' },
    default: undefined,
  },
  controlAllowedHosts: {
    flag: 'Flag.Example, two.example',
    env: 'env.example',
    file: 'file.example',
    parsed: { flag: 'flag.example,two.example', env: 'env.example', file: 'file.example' },
    default: undefined,
  },
  controlAllowedOrigins: {
    flag: 'http://localhost:5173',
    env: 'https://env.example:8443',
    file: 'http://[::1]:3000',
    parsed: { flag: 'http://localhost:5173', env: 'https://env.example:8443', file: 'http://[::1]:3000' },
    default: undefined,
  },
  seed: { flag: '11', env: '22', file: 33, parsed: { flag: 11, env: 22, file: 33 }, default: undefined },
  httpPutResponseHopLimit: {
    flag: '3',
    env: '2',
    file: 1,
    parsed: { flag: 3, env: 2, file: 1 },
    default: undefined,
  },
  instanceMetadataTags: {
    flag: 'enabled',
    env: 'disabled',
    file: 'enabled',
    parsed: { flag: 'enabled', env: 'disabled', file: 'enabled' },
    default: undefined,
  },
  httpProtocolIpv6: {
    flag: 'disabled',
    env: 'enabled',
    file: 'disabled',
    parsed: { flag: 'disabled', env: 'enabled', file: 'disabled' },
    default: undefined,
  },
  attribution: {
    flag: 'before',
    env: 'after',
    file: 'off',
    parsed: { flag: 'before', env: 'after', file: 'off' },
    default: process.platform === 'linux' ? 'auto' : 'off',
  },
  attributionBudget: {
    flag: '12.5',
    env: '100',
    file: 0.5,
    parsed: { flag: 12.5, env: 100, file: 0.5 },
    default: 5,
  },
  requestLog: {
    flag: 'flag.jsonl',
    env: '/var/log/env.jsonl',
    file: 'logs/file.jsonl',
    // A relative path in the file is relative to the file (here ./imds.yaml); flags and variables keep theirs.
    parsed: { flag: 'flag.jsonl', env: '/var/log/env.jsonl', file: resolve('logs/file.jsonl') },
    default: undefined,
  },
};

/** A matcher for an error whose message holds every one of `parts`. */
function ConfigErrorMatching(parts: readonly string[]): RegExp {
  return new RegExp(
    parts.map((part) => `(?=[\\s\\S]*${part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')})`).join(''),
  );
}

const SOURCES = ['flag', 'environment', 'file'] as const;
const COMBINATIONS = Array.from({ length: 8 }, (_, mask) => SOURCES.filter((_, bit) => mask & (1 << bit)));

function fileText(name: SettingName, value: string | number): string {
  const key = SETTINGS[name].fileKey;
  return key
    .map((part, depth) =>
      depth === key.length - 1
        ? `${'  '.repeat(depth)}${part}: ${JSON.stringify(value)}\n`
        : `${'  '.repeat(depth)}${part}:\n`,
    )
    .join('');
}

const memoryFiles = (files: Record<string, string>): FileAccess => ({
  readFile(path) {
    const text = files[path];
    if (text === undefined) throw Object.assign(new Error('no such file'), { code: 'ENOENT' });
    return Buffer.from(text);
  },
});

describe.each(Object.keys(VALUES) as SettingName[])('%s', (name) => {
  const values = VALUES[name];
  it.each(COMBINATIONS.map((sources) => [sources.join(' + ') || 'nothing', sources] as const))(
    'given by %s',
    (_, sources) => {
      const config = resolveConfig({
        flags: sources.includes('flag')
          ? { [name]: values.flag, config: 'imds.yaml' }
          : { config: 'imds.yaml' },
        env: sources.includes('environment') ? { [SETTINGS[name].env]: values.env } : {},
        files: memoryFiles({ 'imds.yaml': sources.includes('file') ? fileText(name, values.file) : '' }),
      });
      const winner = SOURCES.find((source) => sources.includes(source));
      const expected =
        winner === undefined ? values.default : values.parsed[winner === 'environment' ? 'env' : winner];
      expect(config.settings[name]).toBe(expected);
      expect(config.sources[name]).toBe(winner ?? 'default');
      if ((METADATA_OPTION_SETTINGS as readonly string[]).includes(name))
        expect(config.instance.metadataOptions?.[name as keyof MetadataOptions]).toBe(expected);
    },
  );
});

describe('the configuration file itself', () => {
  const files = memoryFiles({ 'a.yaml': 'port: 1\n', 'b.yaml': 'port: 2\n' });

  it('--config wins over IMDS_CONFIG, which is used without it', () => {
    expect(
      resolveConfig({ flags: { config: 'a.yaml' }, env: { IMDS_CONFIG: 'b.yaml' }, files }).settings.port,
    ).toBe(1);
    expect(resolveConfig({ flags: {}, env: { IMDS_CONFIG: 'b.yaml' }, files }).configFile).toBe('b.yaml');
    expect(resolveConfig({ flags: {}, env: { IMDS_CONFIG: 'b.yaml' }, files }).settings.port).toBe(2);
    expect(resolveConfig({ flags: {}, env: {}, files }).configFile).toBeUndefined();
  });

  it('an empty variable counts as unset', () => {
    const config = resolveConfig({
      flags: { config: 'a.yaml' },
      env: { IMDS_PORT: '', IMDS_CONFIG: '' },
      files,
    });
    expect(config.settings.port).toBe(1);
    expect(config.sources.port).toBe('file');
  });
});

describe('invalid flags and variables', () => {
  it('every bad flag and variable is reported, not only the first', () => {
    try {
      resolveConfig({
        flags: { port: 'eighty', httpTokens: 'sometimes' },
        env: { IMDS_HTTP_ENDPOINT: 'off', IMDS_SEED: '-1', IMDS_CONTROL_TOKEN: 'secret' },
      });
      expect.unreachable();
    } catch (error) {
      expect((error as ConfigError).lines).toEqual([
        "--port must be an integer from 0 to 65535; got 'eighty'",
        "--http-tokens must be one of required, optional; got 'sometimes'",
        "IMDS_HTTP_ENDPOINT must be one of enabled, disabled; got 'off'",
        'IMDS_CONTROL_TOKEN must be a bearer token of at least 16 visible ASCII characters; got (hidden)',
        "IMDS_SEED must be an integer from 0 to 4294967295; got '-1'",
      ]);
    }
  });

  it('bad audit settings name their flag, variable or file key', () => {
    try {
      resolveConfig({
        flags: { attribution: 'sometimes', config: 'imds.yaml' },
        env: { IMDS_ATTRIBUTION_BUDGET: '0', IMDS_REQUEST_LOG: '' },
        files: memoryFiles({ 'imds.yaml': 'audit:\n  attributionBudget: 101\n  requestLog: ""\n' }),
      });
      expect.unreachable();
    } catch (error) {
      expect((error as ConfigError).lines).toEqual([
        "--attribution must be one of auto, before, after, off; got 'sometimes'",
        "IMDS_ATTRIBUTION_BUDGET must be a percentage greater than 0 and at most 100, such as 5; got '0'",
        'imds.yaml:2:3: audit.attributionBudget: expected a percentage greater than 0 and at most 100, such as 5, got 101',
        'imds.yaml:3:3: audit.requestLog: expected a file path such as requests.jsonl, got ""',
      ]);
    }
    expect(() => resolveConfig({ flags: { attributionBudget: '5%' }, env: {} })).toThrow(
      "--attribution-budget must be a percentage greater than 0 and at most 100, such as 5; got '5%'",
    );
    expect(() =>
      resolveConfig({
        flags: { config: 'imds.yaml' },
        env: {},
        files: memoryFiles({ 'imds.yaml': 'audit:\n  atribution: off\n' }),
      }),
    ).toThrow(/audit\.atribution/);
  });

  it('imds proxy reads the audit settings from flags, then variables, then defaults (no file)', () => {
    expect(
      resolveFlagsAndEnvironment(AUDIT_SETTINGS, {
        flags: { attribution: 'before' },
        env: { IMDS_ATTRIBUTION: 'after', IMDS_ATTRIBUTION_BUDGET: '50', IMDS_REQUEST_LOG: 'r.jsonl' },
      }),
    ).toEqual({ attribution: 'before', attributionBudget: 50, requestLog: 'r.jsonl' });
    expect(resolveFlagsAndEnvironment(AUDIT_SETTINGS, { flags: {}, env: {} })).toEqual({
      attribution: process.platform === 'linux' ? 'auto' : 'off',
      attributionBudget: 5,
    });
    expect(() =>
      resolveFlagsAndEnvironment(AUDIT_SETTINGS, {
        flags: { attributionBudget: 'lots' },
        env: { IMDS_ATTRIBUTION: 'on' },
      }),
    ).toThrow(
      ConfigErrorMatching([
        '--attribution-budget',
        'IMDS_ATTRIBUTION must be one of auto, before, after, off',
      ]),
    );
  });

  it('a control API beyond loopback without a token is refused, naming where the host came from', () => {
    expect(() => resolveConfig({ flags: { controlPort: '0', controlHost: '0.0.0.0' }, env: {} })).toThrow(
      'the control API listens beyond loopback (0.0.0.0) without a bearer token (control host from --control-host): set --control-token, IMDS_CONTROL_TOKEN or control.token, or keep it on 127.0.0.1',
    );
    expect(() =>
      resolveConfig({ flags: { controlPort: '0' }, env: { IMDS_CONTROL_HOST: '192.0.2.10' } }),
    ).toThrow('(control host from IMDS_CONTROL_HOST)');
    const allowed = resolveConfig({
      flags: { controlPort: '0', controlHost: '0.0.0.0' },
      env: { IMDS_CONTROL_TOKEN: 'a-long-enough-token' },
    });
    expect(allowed.settings.controlToken).toBe('a-long-enough-token');
  });

  it('the control API may not share the metadata port', () => {
    expect(() => resolveConfig({ flags: { port: '4000', controlPort: '4000' }, env: {} })).toThrow(
      'the control API cannot share port 4000 with the metadata service: choose another control port (0 picks a free one)',
    );
    expect(resolveConfig({ flags: { port: '0', controlPort: '0' }, env: {} }).settings.controlPort).toBe(0);
  });

  it('an unknown IMDS_* variable is a warning with the likely intended name', () => {
    expect(
      resolveConfig({ flags: {}, env: { IMDS_PROT: '1', IMDS_WHATEVER: 'x', HOME: '/root' } }).warnings,
    ).toEqual([
      'IMDS_PROT is not a setting of imds serve and is ignored; did you mean IMDS_PORT?',
      'IMDS_WHATEVER is not a setting of imds serve and is ignored',
    ]);
  });
});
