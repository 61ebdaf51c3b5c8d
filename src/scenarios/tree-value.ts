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

/**
 * Applies edits in order to a copy of `overrides`: each path's previous entry is removed and the
 * new one appended, as {@link withOverride} does, in one pass (linear in overrides + edits).
 */
export function withOverrides(
  overrides: Readonly<Record<string, string | null>> | undefined,
  edits: Iterable<readonly [string, string | null]>,
): Record<string, string | null> {
  const merged = new Map(Object.entries(overrides ?? {}));
  for (const [path, value] of edits) {
    const key = canonicalTreePath(path);
    merged.delete(key);
    merged.set(key, value);
  }
  return Object.fromEntries(merged);
}

/** A path of the tree set (a string) or removed (`null`) from `when` on. */
export function treeValue(spec: SetValueSpec | RemoveValueSpec, anchor: number): ScenarioEffect {
  const at = resolveMoment(spec.when, anchor);
  const value = spec.type === 'set-value' ? spec.value : null;
  return {
    ...editInstanceFrom(at, (instance) => ({
      ...instance,
      overrides: withOverride(instance.overrides, spec.path, value),
    })),
    treeEdit: { path: canonicalTreePath(spec.path), value, at },
  };
}
