import type { AccessKind } from '../server/handler.js';
import { targetSegments } from '../server/target.js';
import { TOKEN_HEADER } from '../wire.js';

/** What the proxy needs to know of a request head to log and enforce it. */
export interface RequestSummary {
  readonly method: string;
  readonly target: string;
  readonly userAgent?: string;
  /** How the request authenticates, before the upstream has answered (`v2` may still turn out `bad-token`). */
  readonly access: AccessKind;
}

/**
 * Classifies a request as the service would: a token request (`PUT <version>/api/token`), a read
 * with a token (v2), a read without one (v1), or another method (`none`).
 */
export function classify(
  method: string,
  target: string,
  headers: ReadonlyMap<string, readonly string[]>,
): RequestSummary {
  const segments = targetSegments(target);
  const userAgent = headers.get('user-agent')?.[0];
  const base = { method, target, ...(userAgent === undefined ? {} : { userAgent }) };
  if (segments?.length === 3 && segments[1] === 'api' && segments[2] === 'token')
    return { ...base, access: 'token-request' };
  if (method !== 'GET' && method !== 'HEAD') return { ...base, access: 'none' };
  return { ...base, access: headers.has(TOKEN_HEADER) ? 'v2' : 'v1' };
}

/** The access kind once the upstream's status is known: a token the service refused is `bad-token`. */
export function settledAccess(access: AccessKind, status: number | undefined): AccessKind {
  return access === 'v2' && status === 401 ? 'bad-token' : access;
}
