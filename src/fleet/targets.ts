import { seededRandom } from '../scenarios/faults/seeded-random.js';
import { FleetError } from './fleet-error.js';

/**
 * Which instances a fleet-wide operation reaches: `all`, a list of instance ids, a share of the
 * fleet (`{ percent: 10 }`, rounded up) or a number of instances (`{ count: 3 }`). Shares and
 * counts are drawn with the fleet's seed, so a run picks the same instances every time.
 */
export type FleetTargets =
  | 'all'
  | readonly string[]
  | { readonly percent: number }
  | { readonly count: number };

/**
 * The ids `targets` selects among `ids` (in fleet order).
 * @throws {FleetError} `bad-targets` for an unknown id, a share outside 0..100 or a count beyond the fleet.
 * @example selectTargets(['i-1', 'i-2', 'i-3', 'i-4'], { percent: 50 }, 7) // two of them
 */
export function selectTargets(ids: readonly string[], targets: FleetTargets, seed: number): string[] {
  if (targets === 'all') return [...ids];
  if (Array.isArray(targets)) {
    const known = new Set(ids);
    const unknown = targets.filter((id) => !known.has(id));
    if (unknown.length > 0)
      throw new FleetError(
        'bad-targets',
        `targets: no instance ${unknown.map((id) => `'${id}'`).join(', ')} in the fleet`,
      );
    return [...new Set(targets)];
  }
  const share = targets as { percent?: unknown; count?: unknown };
  let wanted: number;
  if (typeof share.percent === 'number') {
    if (!(share.percent > 0 && share.percent <= 100))
      throw new FleetError(
        'bad-targets',
        `targets.percent: expected a number above 0 and at most 100, got ${share.percent}`,
      );
    wanted = Math.ceil((ids.length * share.percent) / 100);
  } else if (typeof share.count === 'number') {
    if (!Number.isInteger(share.count) || share.count < 1 || share.count > ids.length)
      throw new FleetError(
        'bad-targets',
        `targets.count: expected an integer from 1 to ${ids.length}, got ${share.count}`,
      );
    wanted = share.count;
  } else {
    throw new FleetError(
      'bad-targets',
      "targets: expected 'all', a list of instance ids, { percent } or { count }",
    );
  }
  // A partial Fisher-Yates shuffle: the first `wanted` of a seeded permutation, kept in fleet order.
  const random = seededRandom(seed);
  const order = ids.map((_, index) => index);
  for (let index = 0; index < wanted; index++) {
    const pick = index + Math.floor(random() * (order.length - index));
    [order[index], order[pick]] = [order[pick] as number, order[index] as number];
  }
  return order
    .slice(0, wanted)
    .sort((a, b) => a - b)
    .map((index) => ids[index] as string);
}
