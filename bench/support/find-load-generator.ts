/** Picks the load generator: Debian's `wrk` when installed, else the bench's own Node generator. */
import type { LoadGenerator } from './load.js';
import { nodeLoadGenerator } from './node-load.js';
import { findWrk } from './wrk.js';

/** `wanted`: `wrk` or `node` to insist on one (`--load`); undefined picks wrk when it is there. */
export function findLoadGenerator(wanted?: string): LoadGenerator {
  if (wanted === 'node') return nodeLoadGenerator;
  const wrk = findWrk();
  if (wanted === 'wrk' && wrk === undefined)
    throw new Error('bench: --load wrk, but wrk is not installed (apt-get install wrk)');
  if (wanted !== undefined && wanted !== 'wrk')
    throw new Error(`bench: --load must be wrk or node, not '${wanted}'`);
  return wrk ?? nodeLoadGenerator;
}
