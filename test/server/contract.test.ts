import { describe, expect, it } from 'vitest';
import { Emulator } from '../../src/server/emulator.js';
import { makeRequest } from '../../src/server/exchange.js';
import { HTTP_TOKENS_VALUES } from './modes.js';
import { CONTRACT_CASES } from './contract-cases.js';
import { expectGolden } from '../helpers/golden.js';
import { inProcess, wireText } from '../helpers/in-process.js';

/** Credentials derive from the emulator's random secret; mask them so goldens stay stable. */
function stableWire(wire: string): string {
  return wire.replace(/("(?:AccessKeyId|SecretAccessKey|Token)" : ")[^"]*"/g, '$1<masked>"');
}

describe.each(HTTP_TOKENS_VALUES)('contract, HttpTokens=%s', (mode) => {
  it.each(CONTRACT_CASES)('$name', (testCase) => {
    const { call, token } = inProcess({ httpTokens: mode });
    const auth: Record<string, string> =
      testCase.auth === 'token'
        ? { 'X-aws-ec2-metadata-token': token() }
        : testCase.auth === 'garbage'
          ? { 'X-aws-ec2-metadata-token': 'AQAAAnot-a-real-token' }
          : {};
    const response = call(testCase.method, testCase.target, { ...auth, ...testCase.headers });
    expect(response.status).toBe(testCase.status[mode]);
    expectGolden(`${mode}/${testCase.name}`, stableWire(wireText(response)));
  });
});

describe('tokens across time and emulators', () => {
  it.each(HTTP_TOKENS_VALUES)('an expired token is refused in %s mode, on leaves and directories', (mode) => {
    const { token, get, clock } = inProcess({ httpTokens: mode });
    const shortLived = token('2');
    expect(get('/latest/meta-data/', shortLived).status).toBe(200);
    clock.advance(2_000);
    expect(get('/latest/meta-data/', shortLived).status).toBe(401);
    expect(get('/latest/meta-data/instance-id', shortLived).status).toBe(401);
  });

  it.each(HTTP_TOKENS_VALUES)("another emulator's token is refused in %s mode", (mode) => {
    const foreign = inProcess().token();
    const { get } = inProcess({ httpTokens: mode });
    expect(get('/latest/meta-data/instance-id', foreign).status).toBe(401);
    expect(get('/latest/', foreign).status).toBe(401);
  });

  it('the TTL header on a GET counts down the seconds the token has left', () => {
    const { token, get, clock } = inProcess();
    const issued = token('600');
    clock.advance(100_500);
    const response = get('/latest/meta-data/instance-id', issued);
    expect(response.headers[0]).toEqual(['X-Aws-Ec2-Metadata-Token-Ttl-Seconds', '500']);
  });

  it('a token is valid on every path and many may exist at once', () => {
    const { token, get } = inProcess();
    const tokens = Array.from({ length: 50 }, () => token());
    expect(new Set(tokens).size).toBe(50);
    for (const [index, each] of tokens.entries()) {
      const path =
        index % 2 === 0 ? '/latest/meta-data/local-ipv4' : '/latest/dynamic/instance-identity/document';
      expect(get(path, each).status).toBe(200);
    }
  });

  it('HttpEndpoint=disabled answers 403 to everything, token requests included', () => {
    const emulator = new Emulator({ httpEndpoint: 'disabled', httpTokens: 'optional' });
    for (const [method, target] of [
      ['GET', '/latest/meta-data/instance-id'],
      ['PUT', '/latest/api/token'],
      ['GET', '/'],
    ] as const) {
      const outcome = emulator.handle(
        makeRequest(method, target, { 'X-aws-ec2-metadata-token-ttl-seconds': '60' }),
      );
      expect(outcome).toMatchObject({ status: 403 });
    }
    const { get } = inProcess({ httpEndpoint: 'disabled' });
    expectGolden('disabled/get-instance-id', wireText(get('/latest/meta-data/instance-id')));
  });
});
