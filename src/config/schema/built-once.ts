/**
 * A schema (or anything else costly to build) made the first time it is asked for, then kept.
 * Building the zod schemas of the configuration file, the scenarios and the control API at module
 * load was a measurable part of `imds serve`'s start (issue 18), and a start without a
 * configuration file or a control API never needs most of them.
 * @example
 * ```ts
 * export const instanceSchema = builtOnce(() => z.strictObject({ ... }));
 * instanceSchema().safeParse(value);
 * ```
 */
export function builtOnce<T>(build: () => T): () => T {
  let built: T | undefined;
  return () => {
    built ??= build();
    return built;
  };
}
