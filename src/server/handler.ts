/**
 * The emulator's rules, as one pure function: (request, served, now) -> response. Order of checks,
 * as the service applies them:
 *
 * 1. `HttpEndpoint=disabled` -> 403 for everything.
 * 2. `<version>/api/token`: `PUT` only (405 otherwise); dated versions -> 403; a request that
 *    crossed a proxy (`X-Forwarded-For`) -> 403; TTL missing, repeated, not an integer or outside
 *    1..21600 -> 400; else a token.
 * 3. Any other method than GET or HEAD -> 405.
 * 4. Token: present and invalid, expired, foreign or repeated -> 401 (in every mode); absent with
 *    `HttpTokens=required` -> 401.
 * 5. `/` lists the versions; an unknown version or path -> 404; a directory -> its listing; a
 *    leaf -> its bytes.
 *
 * @see https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instance-metadata-v2-how-it-works.html
 */
import type { ImdsRequest, ImdsResponse } from './exchange.js';
import {
  metadataResponse,
  methodNotAllowedResponse,
  pageResponse,
  tokenResponse,
  unauthorizedResponse,
  userDataResponse,
  type ResponseContext,
} from './responses.js';
import { targetSegments } from './target.js';
import type { TokenIssuer } from './tokens.js';
import { listing, lookup, TEXT_PLAIN, type Directory } from '../metadata/tree.js';
import {
  FORWARDED_FOR_HEADER,
  LATEST,
  METADATA_VERSIONS,
  TOKEN_HEADER,
  TOKEN_TTL_HEADER,
  TOKEN_TTL_MAX_SECONDS,
  TOKEN_TTL_MIN_SECONDS,
  USER_DATA,
} from '../wire.js';
import type { ServiceState } from '../scenarios/service-state.js';

/** How a request authenticated, for the request log and for finding IMDSv1 callers. */
export type AccessKind = 'v2' | 'v1' | 'bad-token' | 'token-request' | 'none';

/**
 * Everything one request is answered from, computed once before the call: the state served at
 * that moment (scenarios applied), its trees, and the service's keys. The handler only reads it,
 * and nothing in it reads the emulator back.
 */
export interface Served {
  /** What is served at `now`: the instance and the two settings (its faults are applied outside). */
  readonly state: ServiceState;
  /**
   * The tree under `version` of `state.instance` at `now`; undefined when that version is not
   * served. A function of those fixed inputs only, so a request that never reads a tree (a token,
   * a 401) never builds one: a fleet of thousands of instances builds trees only for those read.
   */
  readonly tree: (version: string) => Directory | undefined;
  /** The versions served, when they are not the service's own (a replayed recording). */
  readonly versions?: ServedVersions;
  /** The `Last-Modified` value of metadata reads. */
  readonly lastModified: string;
  readonly tokens: TokenIssuer;
  /** Formats `Date` values. */
  httpDate(epochMs: number): string;
}

/** A response and what the log needs to know about how it was reached. */
export interface Handled {
  readonly response: ImdsResponse;
  readonly access: AccessKind;
}

/** The versions `GET /` lists and the ones a path may start with. */
export interface ServedVersions {
  readonly listing: Uint8Array;
  readonly known: ReadonlySet<string>;
}

/** The served versions for a version list (in listing order). */
export function versionsOf(versions: readonly string[]): ServedVersions {
  return { listing: new TextEncoder().encode(versions.join('\n')), known: new Set(versions) };
}

const SERVICE_VERSIONS = versionsOf([...METADATA_VERSIONS, LATEST]);
const utf8 = new TextEncoder();
const TOKEN_ALLOW = 'OPTIONS, PUT';
const READ_ALLOW = 'GET, HEAD';
const TTL_PATTERN = /^[0-9]{1,10}$/;

/** Answers one request. Never throws. */
export function handleRequest(request: ImdsRequest, served: Served, now: number): Handled {
  const date = served.httpDate(now);
  const state = served.state;
  const head = request.method === 'HEAD';
  if (state.httpEndpoint === 'disabled')
    return { response: pageResponse(403, { date, head }), access: 'none' };

  const segments = targetSegments(request.target);
  if (!segments) return { response: pageResponse(400, { date, head }), access: 'none' };

  if (segments.length === 3 && segments[1] === 'api' && segments[2] === 'token') {
    return {
      response: tokenRequest(request, segments[0] as string, served, now, date),
      access: 'token-request',
    };
  }
  if (request.method !== 'GET' && !head) {
    return { response: methodNotAllowedResponse(READ_ALLOW, date), access: 'none' };
  }

  const tokens = request.headers.get(TOKEN_HEADER);
  let tokenTtl: number | undefined;
  if (tokens !== undefined) {
    const expiresAt =
      tokens.length === 1
        ? served.tokens.verify(tokens[0] as string, state.instance.instanceId, now)
        : undefined;
    if (expiresAt === undefined) return { response: unauthorizedResponse(date), access: 'bad-token' };
    tokenTtl = Math.ceil((expiresAt - now) / 1000);
  } else if (state.httpTokens === 'required') {
    return { response: unauthorizedResponse(date), access: 'v1' };
  }
  const access = tokenTtl === undefined ? 'v1' : 'v2';
  return { response: read(segments, served, { date, head, tokenTtl }), access };
}

function tokenRequest(
  request: ImdsRequest,
  version: string,
  served: Served,
  now: number,
  date: string,
): ImdsResponse {
  if (request.method !== 'PUT') return methodNotAllowedResponse(TOKEN_ALLOW, date);
  if (version !== LATEST) return pageResponse(403, { date, head: false });
  if (request.headers.has(FORWARDED_FOR_HEADER)) return pageResponse(403, { date, head: false });
  const ttl = parseTtl(request.headers.get(TOKEN_TTL_HEADER));
  if (ttl === undefined) return pageResponse(400, { date, head: false });
  return tokenResponse(served.tokens.mint(served.state.instance.instanceId, ttl, now), ttl, date);
}

/** The TTL of a token request: exactly one header, decimal digits only, within the bounds. */
export function parseTtl(values: readonly string[] | undefined): number | undefined {
  if (values?.length !== 1) return undefined;
  const text = values[0] as string;
  if (!TTL_PATTERN.test(text)) return undefined;
  const ttl = Number(text);
  return ttl >= TOKEN_TTL_MIN_SECONDS && ttl <= TOKEN_TTL_MAX_SECONDS ? ttl : undefined;
}

function read(segments: readonly string[], served: Served, context: ResponseContext): ImdsResponse {
  const [version, ...rest] = segments;
  const versions = served.versions ?? SERVICE_VERSIONS;
  if (version === undefined)
    return metadataResponse(versions.listing, TEXT_PLAIN, served.lastModified, context);
  if (!versions.known.has(version)) return pageResponse(404, context);
  const root = served.tree(version);
  const node = root && lookup(root, rest, version);
  if (!node || (node.kind === 'leaf' && node.absent)) return pageResponse(404, context);
  if (node.kind === 'dir')
    return metadataResponse(utf8.encode(listing(node, version)), TEXT_PLAIN, served.lastModified, context);
  const respond = rest.length === 1 && rest[0] === USER_DATA ? userDataResponse : metadataResponse;
  return respond(node.body, node.contentType, served.lastModified, context);
}
