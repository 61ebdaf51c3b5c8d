/**
 * How the client and the CLI name metadata: a path starting with `/` is taken as is (from the
 * service's root, `/latest/dynamic/...`); `user-data`, `dynamic/...` and `latest/...` are under
 * `/latest/`; anything else is relative to `/latest/meta-data/`, where almost everything lives.
 */
import { DYNAMIC, LATEST, META_DATA, USER_DATA } from '../wire.js';

/**
 * The request path for a metadata name. Repeated slashes are collapsed.
 * @example
 * ```ts
 * metadataPath('instance-id');          // '/latest/meta-data/instance-id'
 * metadataPath('user-data');            // '/latest/user-data'
 * metadataPath('/latest/dynamic/');     // '/latest/dynamic/'
 * ```
 */
export function metadataPath(name: string): string {
  const path = name.startsWith('/') ? name : `/${LATEST}/${underLatest(name)}`;
  // Most names have no repeated slash: skip the regular expression (compiled on first use, at every start).
  return path.includes('//') ? path.replace(/\/{2,}/g, '/') : path;
}

function underLatest(name: string): string {
  const first = name.split('/')[0];
  if (first === LATEST) return name.slice(LATEST.length + 1);
  if (first === USER_DATA || first === DYNAMIC || first === META_DATA) return name;
  return `${META_DATA}/${name}`;
}

/** The path with exactly one trailing slash, for listings. */
export function directoryPath(name: string): string {
  return metadataPath(name).replace(/\/*$/, '/');
}
