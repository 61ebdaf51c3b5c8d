/**
 * A timeline operation that cannot be done: an id already taken, or no scenario by that id.
 * @example
 * ```ts
 * try { timeline.remove('spot-1'); } catch (error) { if (error instanceof ScenarioError && error.code === 'unknown-id') ... }
 * ```
 */
export class ScenarioError extends Error {
  override readonly name = 'ScenarioError';
  constructor(
    readonly code: 'duplicate-id' | 'unknown-id' | 'not-a-maintenance-event',
    readonly id: string,
    message: string,
  ) {
    super(message);
  }
}
