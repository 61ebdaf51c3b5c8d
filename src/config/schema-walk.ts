import type * as z from 'zod';
import type { KeyPath } from './problem.js';

/** The parts of a zod 4 schema definition this walker reads. */
interface Def {
  readonly type: string;
  readonly shape?: Record<string, z.ZodType>;
  readonly element?: z.ZodType;
  readonly valueType?: z.ZodType;
  readonly innerType?: z.ZodType;
  readonly in?: z.ZodType;
  readonly out?: z.ZodType;
  readonly options?: readonly z.ZodType[];
  readonly discriminator?: string;
  readonly values?: readonly unknown[];
  readonly getter?: () => z.ZodType;
}

const defOf = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;

/** Steps through wrappers (optional, default, pipe, lazy...) to the schema that checks the value. */
function unwrap(schema: z.ZodType, value: unknown): z.ZodType {
  let current = schema;
  for (let guard = 0; guard < 32; guard++) {
    const def = defOf(current);
    let next: z.ZodType | undefined;
    if (def.innerType) next = def.innerType;
    else if (def.type === 'pipe') next = def.in && defOf(def.in).type === 'transform' ? def.out : def.in;
    else if (def.type === 'lazy') next = def.getter?.();
    else if (def.type === 'union') next = pickOption(def, value);
    if (!next) return current;
    current = next;
  }
  return current;
}

/** The option of a union the value was meant for: by discriminator, else the only object option. */
function pickOption(def: Def, value: unknown): z.ZodType | undefined {
  const options = def.options ?? [];
  if (def.discriminator && value && typeof value === 'object') {
    const tag = (value as Record<string, unknown>)[def.discriminator];
    return options.find((option) => {
      const field = objectShape(option)?.[def.discriminator as string];
      return field !== undefined && (defOf(unwrap(field, tag)).values ?? []).includes(tag);
    });
  }
  const objects = options.filter((option) => objectShape(option) !== undefined);
  return value && typeof value === 'object' && !Array.isArray(value) && objects.length === 1
    ? objects[0]
    : undefined;
}

function objectShape(schema: z.ZodType): Record<string, z.ZodType> | undefined {
  let current = schema;
  for (let guard = 0; guard < 32; guard++) {
    const def = defOf(current);
    if (def.type === 'object') return def.shape;
    if (def.innerType) current = def.innerType;
    else if (def.type === 'pipe' && def.in)
      current = (defOf(def.in).type === 'transform' ? def.out : def.in) ?? def.in;
    else return undefined;
  }
  return undefined;
}

/**
 * The keys an object at `path` may have, found by walking the schema alongside the data (a
 * discriminated union is followed by the data's discriminator). Undefined when the path does not
 * lead to an object schema.
 */
export function knownKeysAt(schema: z.ZodType, data: unknown, path: KeyPath): string[] | undefined {
  let current: z.ZodType | undefined = schema;
  let value = data;
  for (const segment of path) {
    if (!current) return undefined;
    const at: z.ZodType = unwrap(current, value);
    const def = defOf(at);
    const child =
      value && typeof value === 'object' ? (value as Record<string | number, unknown>)[segment] : undefined;
    if (def.type === 'object') current = def.shape?.[String(segment)];
    else if (def.type === 'array') current = def.element;
    else if (def.type === 'record') current = def.valueType;
    else return undefined;
    value = child;
  }
  if (!current) return undefined;
  const shape = objectShape(unwrap(current, value));
  return shape ? Object.keys(shape) : undefined;
}

/** The value at `path` in plain data (undefined when absent). */
export function valueAt(data: unknown, path: KeyPath): unknown {
  let value = data;
  for (const segment of path) {
    if (!value || typeof value !== 'object') return undefined;
    value = (value as Record<string | number, unknown>)[segment];
  }
  return value;
}
