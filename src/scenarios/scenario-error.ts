/**
 * A timeline operation that cannot be done: an id already taken, no scenario by that id, or one
 * scenario or value more than {@link MAX_SCENARIOS} / {@link MAX_VALUES}.
 * @example
 * ```ts
 * try { timeline.remove('spot-1'); } catch (error) { if (error instanceof ScenarioError && error.code === 'unknown-id') ... }
 * ```
 */
/**
 * The most scenarios and faults one emulator holds. Each costs a step on every state change;
 * 10,000 keeps the first request after a change in the milliseconds (see `npm run bench`).
 */
export const MAX_SCENARIOS = 10_000;
/** The most paths set or removed at run time (`set-value`, `PUT /values`, the fixture's `set`). */
export const MAX_VALUES = 10_000;

export class ScenarioError extends Error {
  override readonly name = 'ScenarioError';
  constructor(
    readonly code: 'duplicate-id' | 'unknown-id' | 'not-a-maintenance-event' | 'too-many',
    readonly id: string,
    message: string,
  ) {
    super(message);
  }
}
