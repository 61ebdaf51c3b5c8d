/**
 * Token security: every kind of bad token (tampered, truncated, extended, forged, expired, for
 * another instance, from another emulator or an earlier run, repeated, empty) is a 401 on every
 * path, directories included, in both modes; and the issuer alone refuses every one-character
 * change of a token.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_INSTANCE } from '../../src/metadata/default-instance.js';
import type { Directory, MetadataNode } from '../../src/metadata/tree.js';
import type { Emulator } from '../../src/server/emulator.js';
import { makeRequest, type ImdsResponse } from '../../src/server/exchange.js';
import { createTokenIssuer } from '../../src/server/tokens.js';
import { TOKEN_HEADER, TOKEN_TTL_HEADER_WIRE, type HttpTokens } from '../../src/wire.js';
import { header, inProcess, SEED_NOW } from '../helpers/in-process.js';

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const INSTANCE = DEFAULT_INSTANCE.instanceId;

describe('token issuer', () => {
  const issuer = createTokenIssuer();
  const token = issuer.mint(INSTANCE, 600, SEED_NOW);

  it('accepts its own token until it expires, and reports the expiry', () => {
    expect(token).toMatch(/^AQAAA[A-Za-z0-9_-]{49}==$/);
    expect(issuer.verify(token, INSTANCE, SEED_NOW)).toBe(SEED_NOW + 600_000);
    expect(issuer.verify(token, INSTANCE, SEED_NOW + 599_999)).toBe(SEED_NOW + 600_000);
    expect(issuer.verify(token, INSTANCE, SEED_NOW + 600_000)).toBeUndefined();
  });

  it('refuses every one-character change, at every position, padding included', () => {
    const accepted: string[] = [];
    for (let at = 0; at < token.length; at++) {
      for (const char of `${BASE64URL}=`) {
        if (char === token[at]) continue;
        const changed = token.slice(0, at) + char + token.slice(at + 1);
        if (issuer.verify(changed, INSTANCE, SEED_NOW) !== undefined) accepted.push(changed);
      }
    }
    expect(accepted).toEqual([]);
  });

  it('refuses every truncation and extension', () => {
    for (let length = 0; length < token.length; length++) {
      expect(
        issuer.verify(token.slice(0, length), INSTANCE, SEED_NOW),
        `first ${length} characters`,
      ).toBeUndefined();
    }
    for (const extended of [
      `${token}=`,
      `${token}A`,
      `A${token}`,
      `${token} `,
      ` ${token}`,
      `${token.slice(0, -2)}`,
    ]) {
      expect(issuer.verify(extended, INSTANCE, SEED_NOW), extended).toBeUndefined();
    }
  });

  it('refuses a token whose expiry was pushed back with its MAC kept', () => {
    const bytes = Buffer.from(token.slice(0, -2), 'base64url');
    bytes.writeUIntBE(bytes.readUIntBE(4, 6) + 3_600_000, 4, 6);
    expect(issuer.verify(`${bytes.toString('base64url')}==`, INSTANCE, SEED_NOW)).toBeUndefined();
  });

  it('refuses tokens minted under another secret, for another instance, or by another issuer', () => {
    const otherSecret = createTokenIssuer(Buffer.alloc(32, 7));
    expect(issuer.verify(otherSecret.mint(INSTANCE, 600, SEED_NOW), INSTANCE, SEED_NOW)).toBeUndefined();
    expect(
      issuer.verify(issuer.mint('i-0aaaaaaaaaaaaaaaa', 600, SEED_NOW), INSTANCE, SEED_NOW),
    ).toBeUndefined();
    expect(issuer.verify(token, 'i-0aaaaaaaaaaaaaaaa', SEED_NOW)).toBeUndefined();
    expect(createTokenIssuer().verify(token, INSTANCE, SEED_NOW)).toBeUndefined();
  });

  it('refuses forged tokens of the right shape and any string at all, without throwing', () => {
    const shaped = fc
      .tuple(
        fc.string({ unit: fc.constantFrom(...BASE64URL), minLength: 48, maxLength: 48 }),
        fc.constantFrom('A', 'Q', 'g', 'w'),
      )
      .map(([middle, last]) => `AQAAA${middle}${last}==`);
    fc.assert(
      fc.property(
        fc.oneof(shaped, fc.string({ maxLength: 100 }), fc.string({ unit: 'binary', maxLength: 100 })),
        (forged) => {
          expect(issuer.verify(forged, INSTANCE, SEED_NOW)).toBeUndefined();
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it('mints distinct tokens in the same millisecond', () => {
    const tokens = new Set(Array.from({ length: 1_000 }, () => issuer.mint(INSTANCE, 60, SEED_NOW)));
    expect(tokens.size).toBe(1_000);
  });

  it('refuses a short secret without showing it', () => {
    const secret = Buffer.from('0123456789abcdef');
    const error = (() => {
      try {
        createTokenIssuer(secret);
      } catch (caught) {
        return caught as Error;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(RangeError);
    expect(error?.message).not.toContain('0123456789abcdef');
    expect(error?.message).not.toContain(secret.toString('hex'));
  });
});

/** Every metadata path of the tree under `/latest/` and one dated version, directories with and without their slash. */
function everyPath(root: Directory): string[] {
  const walk = (node: MetadataNode, path: string): string[] =>
    node.kind === 'leaf'
      ? [path, `${path}/`]
      : [`${path}/`, path, ...[...node.children].flatMap(([name, child]) => walk(child, `${path}/${name}`))];
  return [
    '/',
    '//',
    '/2009-04-04/meta-data/',
    '/2009-04-04/meta-data/ami-id',
    '/latest/meta-data/no-such-path',
    '/1999-01-01/',
    ...walk(root, '/latest'),
  ];
}

describe.each<HttpTokens>(['optional', 'required'])(
  'emulator, %s mode: bad tokens get 401 on every path',
  (mode) => {
    const expectRefusedEverywhere = (emulator: Emulator, token: string | string[]) => {
      const wrong: string[] = [];
      for (const path of everyPath(emulator.tree(emulator.clock.now()))) {
        for (const method of ['GET', 'HEAD']) {
          const response = emulator.handle(
            makeRequest(method, path, { [TOKEN_HEADER]: token }),
          ) as ImdsResponse;
          const ok =
            response.status === 401 &&
            response.body.length === 0 &&
            header(response, TOKEN_TTL_HEADER_WIRE) === undefined;
          if (!ok) wrong.push(`${method} ${path}: ${response.status}`);
        }
      }
      expect(wrong.slice(0, 10)).toEqual([]);
    };

    it('serves every path with a good token, so the refusals below are about the token', () => {
      const { emulator, token } = inProcess({ httpTokens: mode });
      const good = token('600');
      const paths = everyPath(emulator.tree(SEED_NOW)).filter(
        (path) => !path.includes('no-such') && !path.includes('1999'),
      );
      for (const path of paths) {
        const response = emulator.handle(makeRequest('GET', path, { [TOKEN_HEADER]: good })) as ImdsResponse;
        expect(response.status, path).toBe(200);
        expect(header(response, TOKEN_TTL_HEADER_WIRE), path).toBe('600');
      }
    });

    it('tampered: one character changed, including the unused low bits of the last data character', () => {
      const { emulator, token } = inProcess({ httpTokens: mode });
      const good = token();
      for (const at of [0, 5, 20, 52, 53]) {
        // Flipping the lowest bit of character 53 leaves the decoded bytes unchanged: only a strict
        // check of the spelling refuses it.
        const char = BASE64URL[BASE64URL.indexOf(good[at] as string) ^ 1] as string;
        expectRefusedEverywhere(emulator, good.slice(0, at) + char + good.slice(at + 1));
      }
    });

    it('truncated, extended, empty, repeated', () => {
      const { emulator, token } = inProcess({ httpTokens: mode });
      const good = token();
      for (const bad of [
        good.slice(0, 55),
        good.slice(0, 54),
        `${good.slice(0, 54)}=`,
        `${good}A`,
        '',
        ' ',
        [good, good],
        [good, ''],
      ]) {
        expectRefusedEverywhere(emulator, bad);
      }
    });

    it('forged: the right shape under no secret of this emulator', () => {
      const { emulator } = inProcess({ httpTokens: mode });
      expectRefusedEverywhere(emulator, `AQAAA${'A'.repeat(49)}==`);
      expectRefusedEverywhere(emulator, createTokenIssuer(Buffer.alloc(32)).mint(INSTANCE, 21_600, SEED_NOW));
    });

    it('expired: refused from the moment the TTL has passed', () => {
      const { emulator, clock, token } = inProcess({ httpTokens: mode });
      const good = token('60');
      clock.advance(59_999);
      const last = emulator.handle(
        makeRequest('GET', '/latest/meta-data/instance-id', { [TOKEN_HEADER]: good }),
      ) as ImdsResponse;
      expect([last.status, header(last, TOKEN_TTL_HEADER_WIRE)]).toEqual([200, '1']);
      clock.advance(1);
      expectRefusedEverywhere(emulator, good);
    });

    it('other instance: a token minted before the instance changed', () => {
      const { emulator, token } = inProcess({ httpTokens: mode });
      const good = token();
      emulator.setInstance({ ...DEFAULT_INSTANCE, instanceId: 'i-0aaaaaaaaaaaaaaaa' });
      expectRefusedEverywhere(emulator, good);
    });

    it('other emulator, and pre-restart: a token from another Emulator serving the same instance', () => {
      const before = inProcess({ httpTokens: mode });
      const good = before.token();
      const restarted = inProcess({ httpTokens: mode });
      expectRefusedEverywhere(restarted.emulator, good);
      expect(before.get('/latest/meta-data/instance-id', good).status).toBe(200);
    });
  },
);

describe('tokens and credentials stay out of logs and error answers', () => {
  it('the request log holds neither the tokens nor the credentials it served', () => {
    const { emulator, call, token, get } = inProcess({ httpTokens: 'required' });
    const good = token();
    const role = DEFAULT_INSTANCE.iam!.roleName;
    const credentials = JSON.parse(
      Buffer.from(get(`/latest/meta-data/iam/security-credentials/${role}`, good).body).toString(),
    ) as Record<string, string>;
    const secrets = [good, credentials.AccessKeyId!, credentials.SecretAccessKey!, credentials.Token!];
    const refusals = [
      get('/latest/meta-data/', `${good.slice(0, 53)}B==`),
      get('/latest/meta-data/nope', good),
      call('PUT', '/latest/api/token', { 'X-aws-ec2-metadata-token-ttl-seconds': good }),
      call('POST', '/latest/meta-data/', { [TOKEN_HEADER]: good }),
      call('GET', '/latest/api/token', { [TOKEN_HEADER]: good }),
      call('PUT', '/2009-04-04/api/token', {
        'X-aws-ec2-metadata-token-ttl-seconds': '60',
        [TOKEN_HEADER]: good,
      }),
    ];
    expect(refusals.map((response) => response.status)).toEqual([401, 404, 400, 405, 405, 403]);

    const log = JSON.stringify(emulator.requests.entries());
    expect(emulator.requests.total).toBe(8);
    for (const secret of secrets) {
      expect(secret.length).toBeGreaterThan(15);
      expect(log).not.toContain(secret);
      for (const response of refusals)
        expect(Buffer.from(response.body).toString('latin1')).not.toContain(secret);
    }
  });
});
