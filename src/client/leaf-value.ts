/**
 * How a leaf's bytes become a JSON value in `dump()` and `imds get --json`: JSON documents
 * (credentials, the identity document, events) are parsed; other UTF-8 text stays a string; bytes
 * that are not UTF-8 (binary user data) become `{ "base64": "..." }`.
 */
import type { JsonValue } from './json.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * JSON nested deeper than {@link MAX_JSON_DEPTH} stays text.
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
  if ((start === '{' || start === '[') && nestingDepth(text) <= MAX_JSON_DEPTH) {
    try {
      return JSON.parse(text) as JsonValue;
    } catch {
      // Looked like JSON and is not: kept as the text it is.
    }
  }
  return text;
}

/**
 * Deeper JSON is kept as text: real documents nest 3 levels, and printing a value nested
 * thousands deep overflows the stack (`JSON.stringify` recurses).
 */
export const MAX_JSON_DEPTH = 64;

/** The deepest bracket nesting of JSON text, outside strings; stops counting past the limit. */
function nestingDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let index = 0; index < text.length; index++) {
    const char = text.charCodeAt(index);
    if (inString) {
      if (char === 0x5c)
        index++; // backslash: skip the escaped character
      else if (char === 0x22) inString = false;
    } else if (char === 0x22) inString = true;
    else if (char === 0x7b || char === 0x5b) {
      depth++;
      if (depth > deepest) deepest = depth;
      if (deepest > MAX_JSON_DEPTH) return deepest;
    } else if (char === 0x7d || char === 0x5d) depth--;
  }
  return deepest;
}
