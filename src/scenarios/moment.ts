import type { Moment } from './spec.js';

/** The epoch-ms time of a moment, relative moments counting from `anchor`. */
export function resolveMoment(moment: Moment | undefined, anchor: number): number {
  if (moment === undefined) return anchor;
  return 'at' in moment ? moment.at : anchor + moment.after;
}
