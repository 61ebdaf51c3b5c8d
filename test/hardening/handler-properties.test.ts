/**
 * Property-based tests of the pure handler with hostile input: random methods, request-targets
 * (percent-encoding, `..`, `%2e%2e`, `//`, NUL, unicode, 64 KiB paths) and header sets (repeated
 * or empty token headers, TTLs like `+60`, `060`, `1e3`, ` 60 `, 2^64), in every mode.
 *
 * The handler never sees request bodies (the socket front reads and discards them, see
 * test/hardening/socket-fuzz.test.ts); body-framing headers are part of the generated header sets.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { DEFAULT_INSTANCE } from '../../src/metadata/default-instance.js';
import type { MetadataNode } from '../../src/metadata/tree.js';
import { Emulator } from '../../src/server/emulator.js';
import type { ImdsRequest, ImdsResponse } from '../../src/server/exchange.js';
import { handleRequest, type Served } from '../../src/server/handler.js';
import { createHttpDateFormatter } from '../../src/server/http-date.js';
import { serializeResponse } from '../../src/server/http1/serialize.js';
import { errorPageBody } from '../../src/server/responses.js';
import { createTokenIssuer } from '../../src/server/tokens.js';
import {
  FORWARDED_FOR_HEADER,
  TOKEN_HEADER,
  TOKEN_TTL_HEADER,
  type HttpEndpoint,
  type HttpTokens,
} from '../../src/wire.js';
import { SEED_NOW } from '../helpers/in-process.js';
import {
  headerChoiceArbitrary,
  hugePathArbitrary,
  methodArbitrary,
  targetArbitrary,
  tokenChoiceArbitrary,
  type HeaderChoice,
  type TokenChoice,
} from './support/handler-arbitraries.js';

/** Every status the spec (§2-§3) gives the handler. */
const SPEC_STATUSES = new Set([200, 400, 401, 403, 404, 405]);
const RUNS = 3_000;
const TOKEN_TTL = 21_600;

const treeSource = new Emulator({ clock: new ManualClock(SEED_NOW) });
/** The tree served at SEED_NOW, built once: every state below is a snapshot at that instant. */
const TREE = treeSource.tree(SEED_NOW);
const issuer = createTokenIssuer();
const httpDate = createHttpDateFormatter();
const validToken = issuer.mint(DEFAULT_INSTANCE.instanceId, TOKEN_TTL, SEED_NOW);
const STATIC_BODIES = [new Uint8Array(0), ...[400, 403, 404].map(errorPageBody)].map((body) =>
  Buffer.from(body).toString('latin1'),
);

function stateFor(httpTokens: HttpTokens, httpEndpoint: HttpEndpoint = 'enabled'): Served {
  return {
    state: { instance: DEFAULT_INSTANCE, httpTokens, httpEndpoint, faults: [] },
    tokens: issuer,
    tree: () => TREE,
    lastModified: httpDate(DEFAULT_INSTANCE.launchTime),
    httpDate,
  };
}

const modeArbitrary = fc.constantFrom<HttpTokens>('optional', 'required');
const endpointArbitrary = fc.constantFrom<HttpEndpoint>('enabled', 'enabled', 'enabled', 'disabled');
const PROTECTED = new Set([TOKEN_HEADER, TOKEN_TTL_HEADER, FORWARDED_FOR_HEADER]);

function buildRequest(
  method: string,
  target: string,
  token: TokenChoice,
  choice?: HeaderChoice,
): ImdsRequest {
  const headers = new Map<string, string[]>();
  const add = (name: string, value: string) => headers.set(name, [...(headers.get(name) ?? []), value]);
  for (const [name, value] of choice?.extra ?? [])
    if (!PROTECTED.has(name.toLowerCase())) add(name.toLowerCase(), value);
  if (token.kind === 'valid') add(TOKEN_HEADER, validToken);
  if (token.kind === 'values')
    for (const value of token.values) add(TOKEN_HEADER, value === 'valid' ? validToken : value);
  for (const value of choice?.ttl ?? []) add(TOKEN_TTL_HEADER, value);
  if (choice?.forwardedFor) add(FORWARDED_FOR_HEADER, '10.0.0.1');
  return { method, target, headers, remoteAddress: '127.0.0.1' };
}

/** `/<version>/api/token` however spelled; those answer 405 to GET before any token check. */
function isTokenPath(target: string): boolean {
  const segments = (target.split(/[?#]/)[0] as string)
    .split('/')
    .filter(Boolean)
    .map((segment) => {
      try {
        return decodeURIComponent(segment);
      } catch {
        return segment;
      }
    });
  return segments.length === 3 && segments[1] === 'api' && segments[2] === 'token';
}

const headerValue = (response: ImdsResponse, name: string) =>
  response.headers.find(([key]) => key.toLowerCase() === name)?.[1];
const bodyText = (response: ImdsResponse) => Buffer.from(response.body).toString('latin1');

/** What every response must be, whatever the request. */
function checkWellFormed(request: ImdsRequest, response: ImdsResponse): void {
  expect(SPEC_STATUSES.has(response.status), `status ${response.status}`).toBe(true);
  const length = Number(headerValue(response, 'content-length'));
  if (request.method === 'HEAD') expect(response.body.length).toBe(0);
  else expect(length).toBe(response.body.length);
  expect(headerValue(response, 'connection')).toBe('close');
  for (const [name, value] of response.headers) expect(`${name}${value}`).toMatch(/^[\x20-\x7e]*$/);
  expect(() => serializeResponse(response)).not.toThrow();
  // Refusals are static: nothing from the request (a token, a path, a TTL) is reflected.
  if (response.status !== 200) expect(STATIC_BODIES).toContain(bodyText(response));
}

describe('pure handler: hostile input', () => {
  it('never throws, never answers 5xx, always answers one of the spec statuses with a well-formed response', () => {
    const seen = new Map<number, number>();
    fc.assert(
      fc.property(
        methodArbitrary,
        targetArbitrary,
        tokenChoiceArbitrary,
        headerChoiceArbitrary,
        modeArbitrary,
        endpointArbitrary,
        (method, target, token, choice, mode, endpoint) => {
          const request = buildRequest(method, target, token, choice);
          const { response } = handleRequest(request, stateFor(mode, endpoint), SEED_NOW);
          checkWellFormed(request, response);
          seen.set(response.status, (seen.get(response.status) ?? 0) + 1);
          if (endpoint === 'disabled') expect(response.status).toBe(403);
          // A 200 for a read needs exactly one valid token, or none in optional mode.
          if (response.status === 200 && (method === 'GET' || method === 'HEAD')) {
            const authorized = token.kind === 'valid' || (token.kind === 'absent' && mode === 'optional');
            expect(authorized).toBe(true);
          }
        },
      ),
      { numRuns: RUNS },
    );
    // The generators reach every branch of the handler, not just its refusals.
    for (const status of SPEC_STATUSES)
      expect(seen.get(status) ?? 0, `responses with ${status}`).toBeGreaterThan(RUNS / 200);
  });

  it('refuses every token header that is not exactly one valid token with 401, in both modes, whatever the path', () => {
    const badToken = tokenChoiceArbitrary.filter(
      (choice): choice is Extract<TokenChoice, { kind: 'values' }> => choice.kind === 'values',
    );
    const readTarget = targetArbitrary.filter((target) => target.startsWith('/') && !isTokenPath(target));
    fc.assert(
      fc.property(
        fc.constantFrom('GET', 'HEAD'),
        readTarget,
        badToken,
        modeArbitrary,
        (method, target, token, mode) => {
          const { response } = handleRequest(buildRequest(method, target, token), stateFor(mode), SEED_NOW);
          // 400 only when the target itself cannot be read (a bad percent escape), before any token check.
          expect([401, 400]).toContain(response.status);
          if (response.status === 400)
            expect(() => decodeURIComponent(target.split(/[?#]/)[0] as string)).toThrow();
          else expect(response.body.length).toBe(0);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('issues a token exactly when the one TTL value is decimal digits worth 1..21600, echoing it', () => {
    fc.assert(
      fc.property(headerChoiceArbitrary, (choice) => {
        const { response } = handleRequest(
          buildRequest('PUT', '/latest/api/token', { kind: 'absent' }, choice),
          stateFor('required'),
          SEED_NOW,
        );
        checkWellFormed(buildRequest('PUT', '/latest/api/token', { kind: 'absent' }), response);
        const [only] = choice.ttl;
        const valid =
          choice.ttl.length === 1 &&
          /^[0-9]+$/.test(only as string) &&
          Number(only) >= 1 &&
          Number(only) <= 21_600;
        if (choice.forwardedFor) expect(response.status).toBe(403);
        else if (!valid) expect(response.status).toBe(400);
        else {
          expect(response.status).toBe(200);
          expect(headerValue(response, TOKEN_TTL_HEADER)).toBe(String(Number(only)));
          expect(issuer.verify(bodyText(response), DEFAULT_INSTANCE.instanceId, SEED_NOW)).toBe(
            SEED_NOW + Number(only) * 1000,
          );
        }
      }),
      { numRuns: RUNS },
    );
  });

  it.each([
    ['+60', 400],
    ['060', 200],
    ['1e3', 400],
    [' 60 ', 400],
    ['18446744073709551616', 400],
    ['60.0', 400],
    ['0x3c', 400],
    ['６０', 400],
    ['', 400],
    ['0', 400],
    ['21601', 400],
    ['21600', 200],
  ])('TTL %j gets %i (the socket front trims spaces before the handler sees them)', (ttl, status) => {
    const request = buildRequest(
      'PUT',
      '/latest/api/token',
      { kind: 'absent' },
      { ttl: [ttl], forwardedFor: false, extra: [] },
    );
    expect(handleRequest(request, stateFor('optional'), SEED_NOW).response.status).toBe(status);
  });
});

/** Every path of the tree under `/latest/`, directories ending in `/`. */
function realPaths(): string[] {
  const walk = (node: MetadataNode, path: string): string[] =>
    node.kind === 'leaf'
      ? [path]
      : [`${path}/`, ...[...node.children].flatMap(([name, child]) => walk(child, `${path}/${name}`))];
  return ['/', ...walk(TREE, '/latest')];
}

describe('pure handler: paths', () => {
  const paths = realPaths();
  const realPath = fc.constantFrom(...paths);
  const read = (target: string, mode: HttpTokens = 'required') =>
    handleRequest(buildRequest('GET', target, { kind: 'valid' }), stateFor(mode), SEED_NOW).response;

  it('answers every real path with 200', () => {
    expect(paths.length).toBeGreaterThan(50);
    for (const path of paths) expect(read(path).status, path).toBe(200);
  });

  it('reads the same body however the path is spelled: doubled slashes, trailing slash, percent-encoding, query, absolute form', () => {
    const spelling = fc.record({
      slashes: fc.array(fc.constantFrom('/', '//', '///'), { minLength: 12, maxLength: 12 }),
      encodeMask: fc.array(fc.boolean(), { minLength: 200, maxLength: 200 }),
      upper: fc.boolean(),
      trailing: fc.boolean(),
      suffix: fc.constantFrom('', '?', '?x=%00', '#/../../etc', '?a=/..'),
      authority: fc.constantFrom('', 'http://169.254.169.254', 'http://[fd00:ec2::254]'),
    });
    fc.assert(
      fc.property(realPath, spelling, (path, how) => {
        const segments = path.split('/').filter(Boolean);
        let offset = 0;
        const respelled = segments.map((segment, index) => {
          const encoded = [...segment]
            .map((char) => {
              const hex = `%${char.charCodeAt(0).toString(16).padStart(2, '0')}`;
              return how.encodeMask[offset++ % 200] ? (how.upper ? hex.toUpperCase() : hex) : char;
            })
            .join('');
          return `${how.slashes[index % 12]}${encoded}`;
        });
        const target = `${how.authority}${respelled.join('') || '/'}${how.trailing ? '/' : ''}${how.suffix}`;
        const original = read(path);
        const other = read(target);
        expect(other.status, target).toBe(200);
        expect(bodyText(other), target).toBe(bodyText(original));
      }),
      { numRuns: RUNS },
    );
  });

  it('never lets `.`, `..` or their encodings step out of or around the tree: 404, never another body', () => {
    const dots = fc.constantFrom(
      '.',
      '..',
      '%2e',
      '%2E%2e',
      '.%2e',
      '%2e.',
      '..%2f',
      '%2e%2e%2f',
      '..%5c',
      '..%00',
    );
    fc.assert(
      fc.property(realPath, dots, fc.nat(), fc.integer({ min: 1, max: 3 }), (path, dot, position, count) => {
        const segments = path.split('/').filter(Boolean);
        const at = position % (segments.length + 1);
        segments.splice(at, 0, ...Array.from({ length: count }, () => dot));
        const target = `/${segments.join('/')}`;
        expect(read(target).status, target).toBe(404);
      }),
      { numRuns: RUNS },
    );
  });

  it('refuses NUL and other control characters in a segment with 404, raw or encoded', () => {
    for (const path of [
      '/latest/meta-data/ami-id%00',
      '/latest/meta-data/ami-id\0',
      '/latest/meta-data%00/ami-id',
      '/latest/%00',
      '/latest/meta-data/ami-id%0a',
      '/%00latest/',
    ]) {
      expect(read(path).status, JSON.stringify(path)).toBe(404);
    }
  });

  it('answers 64 KiB paths promptly, with 404, or 400 for a path of bad escapes, in every mode', () => {
    fc.assert(
      fc.property(hugePathArbitrary, modeArbitrary, tokenChoiceArbitrary, (target, mode, token) => {
        const started = performance.now();
        const request = buildRequest('GET', target, token);
        const { response } = handleRequest(request, stateFor(mode), SEED_NOW);
        // Catches a quadratic walk over the path (seconds), not a slow machine.
        expect(performance.now() - started).toBeLessThan(2_000);
        checkWellFormed(request, response);
        const authorized = token.kind === 'valid' || (token.kind === 'absent' && mode === 'optional');
        const decodable = !target.includes('%%');
        const root = /^\/+$/.test(target); // every slash collapses: the version listing
        expect(response.status).toBe(!decodable ? 400 : !authorized ? 401 : root ? 200 : 404);
      }),
      { numRuns: 200 },
    );
  });
});
