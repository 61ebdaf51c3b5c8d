import type { ImdsResponse } from '../../src/server/exchange.js';

/**
 * Walks a metadata directory as cloud-init does: every listed entry is fetched (directories by
 * `name/`, public keys `0=name` as `0/`), and the walk records each path with its response.
 */
export function crawl(get: (path: string) => ImdsResponse, root: string): Map<string, ImdsResponse> {
  const seen = new Map<string, ImdsResponse>();
  const visit = (path: string) => {
    const response = get(path);
    seen.set(path, response);
    if (response.status !== 200 || !path.endsWith('/')) return;
    for (const entry of Buffer.from(response.body).toString('utf8').split('\n')) {
      if (entry === '') continue;
      const keyIndex = /^(\d+)=/.exec(entry);
      visit(path + (keyIndex ? `${keyIndex[1]}/` : entry));
    }
  };
  visit(root);
  return seen;
}
