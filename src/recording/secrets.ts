/**
 * What `imds record` leaves out by default, decided by path: role and identity credentials (they
 * grant access), the identity signatures (only AWS's key makes them, the replay signs with its
 * own), and user data (it often holds secrets; `--include-user-data` keeps it). `--redact PATH`
 * leaves out more. A left-out leaf is still recorded: its path, content type, size and, for a JSON
 * document, its keys.
 */
import type { OmittedReason } from './format.js';

/** The signature leaves of `dynamic/instance-identity/`. */
export const SIGNATURE_LEAVES: ReadonlySet<string> = new Set(['pkcs7', 'signature', 'rsa2048', 'dsa2048']);

/** What the recorder was told to keep or drop. */
export interface OmitPolicy {
  readonly includeUserData: boolean;
  /** Paths (under a version, no leading slash) whose leaf, or whole subtree, is left out. */
  readonly redact: readonly string[];
}

/** Keys only a credentials document has; a leaf holding one is left out wherever it is. */
const CREDENTIAL_KEYS = ['SecretAccessKey', 'Token'];

/**
 * Why a leaf under a version (`meta-data/iam/security-credentials/web`) is left out, if it is: by
 * its path, and, whatever the path, when its bytes are a credentials document (a category added
 * after this list was written, such as `security-credentials-extended/`, must not leak).
 */
export function omittedReason(
  path: string,
  policy: OmitPolicy,
  body?: Uint8Array,
): OmittedReason | undefined {
  const segments = path.split('/');
  if (segments.length === 4 && /^meta-data\/iam\/security-credentials(-extended)?\//.test(path))
    return 'role credentials';
  if (path.startsWith('meta-data/identity-credentials/') && segments.at(-2) === 'security-credentials')
    return 'identity credentials';
  if (
    segments.length === 3 &&
    path.startsWith('dynamic/instance-identity/') &&
    SIGNATURE_LEAVES.has(segments[2] as string)
  )
    return 'identity signature';
  if (path === 'user-data' && !policy.includeUserData) return 'user data';
  if (policy.redact.some((redacted) => isUnder(path, redacted))) return 'redacted';
  if (body && jsonKeys(body)?.some((key) => CREDENTIAL_KEYS.includes(key)))
    return path.startsWith('meta-data/iam/') ? 'role credentials' : 'identity credentials';
  return undefined;
}

/** True when `path` is `prefix` or inside it (`meta-data/tags/` covers `meta-data/tags/instance/Name`). */
export function isUnder(path: string, prefix: string): boolean {
  const bare = prefix.replace(/^\/+/, '').replace(/\/+$/, '');
  return path === bare || path.startsWith(`${bare}/`);
}

/** The keys of a JSON object document, in order; undefined for anything else. */
export function jsonKeys(body: Uint8Array): string[] | undefined {
  try {
    const value: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? Object.keys(value)
      : undefined;
  } catch {
    return undefined;
  }
}
