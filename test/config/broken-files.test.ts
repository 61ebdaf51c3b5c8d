/**
 * Broken configuration files, each with the exact message a user reads: the file, the line and
 * column, the key path, what was expected, and a likely fix for a typo. One line per problem.
 */
import { readdirSync } from 'node:fs';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { serve } from '../../src/cli/serve.js';
import { ConfigError } from '../../src/config/config-error.js';
import { loadConfigFile } from '../../src/config/load-file.js';
import { freePort } from '../helpers/free-port.js';

const DIR = 'test/config/broken';
const file = (name: string) => `${DIR}/${name}`;

const EXPECTED: Record<string, string[]> = {
  '01-unknown-top-level-key.yaml': ['1:1: prot: unknown key; did you mean "port"?'],
  '02-port-out-of-range.yaml': ['1:1: port: expected an integer from 0 to 65535, got 70000'],
  '03-http-tokens-typo.yaml': [
    '1:1: httpTokens: expected one of "required", "optional", got "requried"; did you mean "required"?',
  ],
  '04-yaml-syntax.yaml': [
    '3:1: not valid YAML or JSON: Flow map in block collection must be sufficiently indented and end with a }',
  ],
  '05-duplicate-key.yaml': ['3:1: not valid YAML or JSON: Map keys must be unique'],
  '06-json-trailing-comma.json': ['1:41: not valid JSON: Expected double-quoted property name'],
  '07-json-port-as-text.json': ['2:3: port: expected an integer from 0 to 65535, got "1338"'],
  '08-instance-id-shape.yaml': [
    '2:3: instance.instanceId: expected an id such as i-0410f3c9b2d5e8a71 (i- and 8 or 17 lower-case hex digits), got "i-123"',
  ],
  '09-misspelt-instance-key.yaml': ['2:3: instance.instanceTpye: unknown key; did you mean "instanceType"?'],
  '10-scenario-type-typo.yaml': [
    '2:5: scenarios[0].type: expected one of "spot-interruption", "rebalance-recommendation", "maintenance-event", "autoscaling-lifecycle", "credential-rotation", "http-tokens", "instance-connect-key", "set-value", "remove-value", "hop-limit", "throttle", "latency", "server-errors", "endpoint-off", got "spot-interuption"; did you mean "spot-interruption"?',
  ],
  '11-spot-action-typo.yaml': [
    '3:5: scenarios[0].action: expected one of "terminate", "stop", "hibernate", got "terminat"; did you mean "terminate"?',
  ],
  '12-after-and-at.yaml': ['4:5: scenarios[0].at: give either after (a delay) or at (a time), not both'],
  '13-bad-duration.yaml': [
    '3:5: scenarios[0].after: expected a duration such as 90s, 2m, 1h30m or 500ms (a bare number is seconds), got "2 minutes"',
  ],
  '14-fault-under-scenarios.yaml': [
    '2:5: scenarios[0].type: throttle is a fault, not a scenario: list it under faults',
  ],
  '15-missing-required-key.yaml': [
    '2:5: faults[0].ratePerSecond: missing; expected a number of requests per second > 0',
  ],
  '16-zone-not-in-region.yaml': [
    '3:3: instance.availabilityZone: "eu-west-1a" is not a zone of region "us-east-1"; expected a zone such as us-east-1a',
  ],
  '17-user-data-file-missing.yaml': [
    '3:5: instance.userData.file: cannot read ./no-such-user-data.bin: ENOENT',
  ],
  '18-tag-key-with-slash.yaml': [
    '3:5: instance.tags["team/name"]: a tag key exposed in metadata has only letters, digits and + - = . , _ : @ (not "/") (key "team/name")',
  ],
  '19-set-path-typo.yaml': [
    '2:3: set["metadata/ami-id"]: expected a path under /latest/ starting with meta-data, dynamic, user-data (such as meta-data/ami-id), got "metadata/ami-id"; did you mean "meta-data/ami-id"?',
  ],
  '20-credentials-lifetime.yaml': [
    '3:3: credentials.lifetime: credentials must outlive their rotation, so a new set appears before the old one expires: lifetime (3600s) must be longer than rotateEvery (7200s)',
  ],
  '21-error-rate-above-one.yaml': [
    '3:5: faults[0].rate: expected a share of requests from 0 (exclusive) to 1, such as 0.25, got 1.5',
  ],
  '22-maintenance-window-reversed.yaml': [
    '5:5: scenarios[0].notAfter: the window ends before it starts: notAfter is earlier than notBefore',
  ],
  '23-lifecycle-steps.yaml': [
    '4:9: scenarios[0].steps[0].state: expected one of "InService", "Standby", "Detached", "Terminated", "Warmed:Stopped", "Warmed:Running", "Warmed:Hibernated", "Warmed:Terminated", got "Inservice"; did you mean "InService"?',
  ],
  '24-top-level-list.yaml': [
    '1:1: expected a map of settings (host, port, httpTokens, instance, scenarios...), got a list ([{"port":1338}])',
  ],
  '25-duplicate-mac.yaml': [
    '4:7: instance.networkInterfaces[1].mac: 06:00:00:00:00:01 is already the MAC of networkInterfaces[0]; each interface needs its own',
  ],
  '26-client-address.yaml': [
    '3:28: faults[0].clients.addresses[0]: expected an address or CIDR block such as 10.0.0.7 or 172.17.0.0/16, got "172.17.0.0/33"',
  ],
  '27-user-data-too-large.yaml': [
    // Refused before reading: the file is checked with fstat and read to at most the limit + 1.
    '3:5: instance.userData.file: cannot read ./big-user-data.bin: larger than 16384 bytes (16385 bytes)',
  ],
  '28-several-problems.yaml': [
    '1:1: port: expected an integer from 0 to 65535, got -1',
    '2:1: httpEndpoint: expected one of "enabled", "disabled", got "off"',
    '4:3: instance.architecture: expected one of "x86_64", "arm64", "i386", got "amd64"',
    '7:5: faults[0].delay: expected a positive duration such as 90s, 2m or 1h (a bare number is seconds), got 0',
    '8:16: faults[0].clients.firstseen: unknown key; did you mean "firstSeen"?',
  ],
  '29-control-token-short.yaml': [
    '3:3: control.token: expected a bearer token of at least 16 visible ASCII characters, no spaces (the value given is not shown)',
  ],
};

function messagesOf(name: string): string[] {
  try {
    loadConfigFile(file(name));
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).name).toBe('ConfigError');
    return (error as ConfigError).lines;
  }
  throw new Error(`${name} loaded without a problem`);
}

describe('broken configuration files', () => {
  it('every file in the folder has its expected messages (and there are at least 15)', () => {
    const files = readdirSync(DIR)
      .filter((name) => /\.(ya?ml|json)$/.test(name))
      .sort();
    expect(files).toEqual(Object.keys(EXPECTED).sort());
    expect(files.length).toBeGreaterThanOrEqual(15);
  });

  it.each(Object.entries(EXPECTED))('%s', (name, lines) => {
    expect(messagesOf(name)).toEqual(lines.map((line) => `${file(name)}:${line}`));
  });

  it('each problem carries its key path and position as data, too', () => {
    try {
      loadConfigFile(file('11-spot-action-typo.yaml'));
    } catch (error) {
      expect((error as ConfigError).problems).toEqual([
        expect.objectContaining({
          source: file('11-spot-action-typo.yaml'),
          path: ['scenarios', 0, 'action'],
          position: { line: 3, column: 5 },
        }),
      ]);
    }
  });

  it('a file that cannot be read says so', () => {
    expect(() => loadConfigFile(file('does-not-exist.yaml'))).toThrow(
      `${file('does-not-exist.yaml')} cannot be read: ENOENT`,
    );
  });
});

describe('imds serve with a broken file', () => {
  it('prints one line per problem, exits 2, and never binds the port', async () => {
    const port = await freePort();
    const out: string[] = [];
    const err: string[] = [];
    const io = {
      stdout: (text: string | Uint8Array) => void out.push(String(text)),
      stderr: (text: string) => void err.push(text),
      env: {},
    };
    const code = await serve(['--config', file('28-several-problems.yaml'), '--port', String(port)], io, () =>
      Promise.resolve(),
    );
    expect(code).toBe(2);
    expect(out).toEqual([]);
    const lines = err.join('').trimEnd().split('\n');
    expect(lines).toHaveLength(6);
    expect(lines[0]).toBe(
      `imds serve: ${file('28-several-problems.yaml')}:1:1: port: expected an integer from 0 to 65535, got -1`,
    );
    expect(lines[5]).toBe('imds serve: not started (5 problems in the configuration)');
    expect(await canBind(port)).toBe(true);
  });
});

async function canBind(port: number): Promise<boolean> {
  const server = net.createServer();
  return new Promise((done) => {
    server.once('error', () => done(false));
    server.listen(port, '127.0.0.1', () => server.close(() => done(true)));
  });
}
