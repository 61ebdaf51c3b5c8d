import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImdsResponseError } from '../../src/client/errors.js';
import type { ImdsRequest } from '../../src/server/exchange.js';
import { TOKEN_HEADER } from '../../src/wire.js';
import { useNetworkGuard } from './helpers/network-guard.js';
import { clientFor, interceptedEmulator, ok, page } from './helpers/peers.js';

useNetworkGuard();

const SECRET_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzSECRETKEYx';
const SESSION = 'IQoJb3JpZ2luX2VjEKT/SESSIONTOKEN//////////wEaDmFwLW5vcnRoZWFzdC0x';
const ROLE_PATH = '/latest/meta-data/iam/security-credentials/leaky-role';

/** Everything a user could ever see of an error: message, stack, inspect (with causes), JSON. */
function everythingShown(error: unknown): string {
  return [
    String(error),
    (error as Error).stack ?? '',
    inspect(error, { depth: 10, showHidden: true }),
    JSON.stringify(error),
  ].join('\n');
}

/**
 * The parts of `secret` (every 8-character window) found in `shown`: V8's JSON errors quote only
 * about ten characters, so looking for the whole secret would miss a partial leak.
 */
function leakedParts(shown: string, secret: string): string[] {
  const parts: string[] = [];
  for (let start = 0; start + 8 <= secret.length; start++) {
    const part = secret.slice(start, start + 8);
    if (new Set(part).size > 2 && shown.includes(part)) parts.push(part);
  }
  return parts;
}

const CASES: Record<string, string> = {
  // A bare (unquoted) secret right where parsing fails: V8 quotes the text from there.
  unquoted: `{"SecretAccessKey": ${SECRET_KEY}}`,
  // Cut short: JSON.parse's SyntaxError would quote the text around the break.
  truncated: `{"Code":"Success","AccessKeyId":"ASIAEXAMPLE","SecretAccessKey":"${SECRET_KEY}","Token":"${SESSION}","Expiration":"2024-02-27T19:06:18Z`,
  garbage: `SecretAccessKey=${SECRET_KEY} Token=${SESSION}`,
  'bad expiration': `{"Code":"Success","AccessKeyId":"ASIAEXAMPLE","SecretAccessKey":"${SECRET_KEY}","Token":"${SESSION}","Expiration":"${SECRET_KEY}"}`,
  'wrong type': `{"Code":"Success","AccessKeyId":"ASIAEXAMPLE","SecretAccessKey":["${SECRET_KEY}"],"Token":"${SESSION}","Expiration":"2024-02-27T19:06:18Z"}`,
  'failure code': `{"Code":"${SECRET_KEY}","Message":"${SESSION}"}`,
  'not an object': `["${SECRET_KEY}", "${SESSION}"]`,
};

describe('no error ever shows a token or a secret key', () => {
  let tokenSeen = '';
  let rejectTokens = false;
  let garbledToken = false;
  let imds: Awaited<ReturnType<typeof interceptedEmulator>>;

  beforeAll(async () => {
    imds = await interceptedEmulator((request: ImdsRequest) => {
      const token = request.headers.get(TOKEN_HEADER)?.[0];
      if (token) tokenSeen = token;
      if (request.method === 'PUT' && garbledToken) return ok(`${SESSION} ${SECRET_KEY}\n`);
      if (request.method === 'GET' && rejectTokens && token) return { ...page(401), status: 401 };
      const leaf = /^\/latest\/meta-data\/iam\/security-credentials\/leaky-role-(.+)$/.exec(
        decodeURIComponent(request.target),
      );
      if (leaf) return ok(CASES[leaf[1] as string] ?? '');
      if (request.target === '/latest/dynamic/instance-identity/document')
        return ok(`{"instanceId": "${SECRET_KEY}"`);
      return undefined;
    });
  });
  afterAll(() => imds.close());

  it.each(Object.keys(CASES))(
    'malformed credentials (%s): MALFORMED_RESPONSE naming the path, not the contents',
    async (name) => {
      const client = clientFor(imds.url);
      const error = await client.iamCredentials(`leaky-role-${name}`).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ImdsResponseError);
      expect(error).toMatchObject({ code: 'MALFORMED_RESPONSE', path: `${ROLE_PATH}-${name}` });
      const shown = everythingShown(error);
      expect(leakedParts(shown, SECRET_KEY)).toEqual([]);
      expect(leakedParts(shown, SESSION)).toEqual([]);
    },
  );

  it('a malformed identity document is MALFORMED_RESPONSE without its contents', async () => {
    const error = await clientFor(imds.url)
      .identityDocument()
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({
      code: 'MALFORMED_RESPONSE',
      path: '/latest/dynamic/instance-identity/document',
    });
    expect(leakedParts(everythingShown(error), SECRET_KEY)).toEqual([]);
  });

  it('a rejected session token is not in the error', async () => {
    rejectTokens = true;
    try {
      const error = await clientFor(imds.url)
        .instanceId()
        .catch((caught: unknown) => caught);
      expect(error).toMatchObject({ code: 'TOKEN_REJECTED' });
      expect(tokenSeen).toMatch(/^[A-Za-z0-9_-]{54}==$/);
      expect(leakedParts(everythingShown(error), tokenSeen)).toEqual([]);
    } finally {
      rejectTokens = false;
    }
  });

  it('a token response that is not a token is refused without quoting it', async () => {
    garbledToken = true;
    try {
      const error = await clientFor(imds.url)
        .token()
        .catch((caught: unknown) => caught);
      expect(error).toMatchObject({ code: 'MALFORMED_RESPONSE', path: '/latest/api/token' });
      const shown = everythingShown(error);
      expect(leakedParts(shown, SECRET_KEY)).toEqual([]);
      expect(leakedParts(shown, SESSION)).toEqual([]);
    } finally {
      garbledToken = false;
    }
  });

  it('sanity: the same endpoint serves good credentials with the secret in them', async () => {
    const credentials = await clientFor(imds.url).iamCredentials();
    expect(credentials.secretAccessKey.length).toBeGreaterThan(20);
  });
});
