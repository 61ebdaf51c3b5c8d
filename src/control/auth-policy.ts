import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Checks an `Authorization` header against the token in constant time: `Bearer <token>`. With no
 * token configured (loopback only, see `controlBindRefusal` in `src/net/bind-policy.ts`) every request is allowed.
 */
export function isAuthorized(authorization: string | undefined, token: string | undefined): boolean {
  if (token === undefined) return true;
  const match = /^Bearer[ ]+(\S+)\s*$/i.exec(authorization ?? '');
  if (!match) return false;
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(match[1] as string), digest(token));
}
