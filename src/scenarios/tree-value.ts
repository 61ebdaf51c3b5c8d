import { overrideSegments } from '../metadata/overrides.js';
import { resolveMoment } from './moment.js';
import type { ScenarioEffect } from './scenario.js';
import type { RemoveValueSpec, SetValueSpec } from './spec.js';
import { editInstanceFrom } from './with-instance.js';

/** The canonical form of a tree path: segments joined by `/`, no leading or trailing slash. */
export function canonicalTreePath(path: string): string {
  return overrideSegments(path).join('/');
}

/**
 * Appends an override, after removing any earlier one for the same path, so the newest edit of a
 * path is applied last.
 */
export function withOverride(
  overrides: Readonly<Record<string, string | null>> | undefined,
  path: string,
  value: string | null,
): Record<string, string | null> {
  const key = canonicalTreePath(path);
  const { [key]: _previous, ...others } = overrides ?? {};
  return { ...others, [key]: value };
}

/** A path of the tree set (a string) or removed (`null`) from `when` on. */
export function treeValue(spec: SetValueSpec | RemoveValueSpec, anchor: number): ScenarioEffect {
  const at = resolveMoment(spec.when, anchor);
  const value = spec.type === 'set-value' ? spec.value : null;
  return editInstanceFrom(at, (instance) => ({
    ...instance,
    overrides: withOverride(instance.overrides, spec.path, value),
  }));
}
