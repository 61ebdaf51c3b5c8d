/**
 * How a leaf's bytes become a JSON value in `dump()` and `imds get --json`: JSON documents
 * (credentials, the identity document, events) are parsed; other UTF-8 text stays a string; bytes
 * that are not UTF-8 (binary user data) become `{ "base64": "..." }`.
 */
import type { JsonValue } from './json.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * @example
 * ```ts
 * leafValue(new TextEncoder().encode('{"action": "stop"}')); // { action: 'stop' }
 * leafValue(new TextEncoder().encode('t3.micro'));           // 't3.micro'
 * ```
 */
export function leafValue(bytes: Uint8Array): JsonValue {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return { base64: Buffer.from(bytes).toString('base64') };
  }
  const start = text.trimStart()[0];
  if (start === '{' || start === '[') {
    try {
      return JSON.parse(text) as JsonValue;
    } catch {
      // Looked like JSON and is not: kept as the text it is.
    }
  }
  return text;
}
