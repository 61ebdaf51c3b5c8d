/**
 * The attribution setting's values and defaults, apart from the attributor itself, so the settings
 * table and the configuration schema can name them without loading the `/proc` reader.
 * @see docs/decisions/0013-attribution-timing.md
 */

/**
 * When the lookup runs relative to the response: `before` answering, `after` it (in batches), or
 * `auto`: before while the socket table reads fast, else after.
 */
export type AttributionMode = 'auto' | 'before' | 'after';
export const ATTRIBUTION_MODES: readonly AttributionMode[] = ['auto', 'before', 'after'];

/** The `attribution` setting: a mode, or `off`. */
export type AttributionSetting = AttributionMode | 'off';
export const ATTRIBUTION_SETTINGS: readonly AttributionSetting[] = [...ATTRIBUTION_MODES, 'off'];

/** The largest share of time lookups may take by default (5%). */
export const DEFAULT_MAX_DUTY_CYCLE = 0.05;

/** True where `/proc` can attribute connections (Linux). */
export function attributionSupported(): boolean {
  return process.platform === 'linux';
}

/** `auto` where attribution works (Linux), `off` elsewhere. */
export function defaultAttribution(): AttributionSetting {
  return attributionSupported() ? 'auto' : 'off';
}
