/**
 * JSON leaves (credentials, the identity document, events) parsed without ever echoing them:
 * V8's `SyntaxError` quotes the input it choked on, which for credentials is the secret key, so
 * a parse failure keeps only the path, and the field checks name fields, never values.
 */
import { ImdsResponseError } from './errors.js';

/** A JSON value, as `JSON.parse` returns it. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
/** A JSON object. */
export type JsonObject = { [key: string]: JsonValue };

/** Parses a JSON object or throws a `MALFORMED_RESPONSE` error that says where, not what. */
export function parseJsonObject(text: string, path: string): JsonObject {
  const value = parseJsonSafely(text, path);
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw malformed(path, 'is not a JSON object');
  return value;
}

/** Parses any JSON value or throws a `MALFORMED_RESPONSE` error that says where, not what. */
export function parseJsonSafely(text: string, path: string): JsonValue {
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    // The SyntaxError is dropped on purpose: its message quotes the text.
    throw malformed(path, 'is not valid JSON');
  }
}

/** The string field `name`, or a `MALFORMED_RESPONSE` error naming the field (not its value). */
export function stringField(object: JsonObject, name: string, path: string): string {
  const value = object[name];
  if (typeof value !== 'string') throw malformed(path, `has no string field '${name}'`);
  return value;
}

/** Like {@link stringField}, but `undefined` when the field is absent or null. */
export function optionalStringField(object: JsonObject, name: string, path: string): string | undefined {
  const value = object[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw malformed(path, `field '${name}' is not a string`);
  return value;
}

/** A date field, or a `MALFORMED_RESPONSE` error naming the field. */
export function dateField(
  object: JsonObject,
  name: string,
  path: string,
  parse: (text: string) => number = Date.parse,
): Date {
  const time = parse(stringField(object, name, path));
  if (Number.isNaN(time)) throw malformed(path, `field '${name}' is not a date`);
  return new Date(time);
}

/** The error for a response the client cannot use; says where and which rule failed, never what the bytes were. */
export function malformed(path: string, problem: string): ImdsResponseError {
  return new ImdsResponseError('MALFORMED_RESPONSE', `the response ${problem}`, { status: 200, path });
}
