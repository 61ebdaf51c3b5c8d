import { ConfigError, type LocatedProblem } from '../config/config-error.js';

/**
 * A control API request (or a fixture call, which goes through the same controller) whose body
 * cannot be used: every problem, each naming the key path and what was expected, as for a
 * configuration file. It is a {@link ConfigError} too, since the body is checked by the same
 * schema; the control API answers it with `400 {"error": "invalid-request", ...}`.
 *
 * @example
 * ```ts
 * try { controller.trigger({ type: 'spot-interruption', action: 'explode' }); } catch (error) {
 *   if (error instanceof ControlRequestError) console.error(error.lines.join('\n'));
 * }
 * ```
 */
export class ControlRequestError extends ConfigError {
  override readonly name = 'ControlRequestError';
  override readonly code = 'invalid-request';

  constructor(problems: readonly LocatedProblem[]) {
    super(problems);
  }
}
