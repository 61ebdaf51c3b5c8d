/**
 * The character classes of RFC 9110/9112 that the parser checks, as precompiled patterns.
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-5.6.2
 */

/** The bytes the head grammar names, declared once for every parser and writer of the front. */
export const HTAB = 0x09;
export const LF = 0x0a;
export const CR = 0x0d;
export const SP = 0x20;
export const COLON = 0x3a;
export const DEL = 0x7f;

/** `token = 1*tchar`: method names, header names, transfer-coding names. */
export const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * Control bytes never allowed anywhere in a head decoded as latin1: every CTL but HTAB, CR and LF
 * (those three are checked where they matter), plus DEL.
 */
export const FORBIDDEN_IN_HEAD = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/;

/** `HTTP-version = "HTTP/" DIGIT "." DIGIT`: well formed, even if not one we serve (then 505). */
export const HTTP_VERSION = /^HTTP\/\d\.\d$/;

/** Removes leading and trailing optional whitespace (SP and HTAB only, unlike `String.prototype.trim`). */
export function trimOws(value: string): string {
  let start = 0;
  let end = value.length;
  while (start < end && isOws(value.charCodeAt(start))) start++;
  while (end > start && isOws(value.charCodeAt(end - 1))) end--;
  return start === 0 && end === value.length ? value : value.slice(start, end);
}

function isOws(code: number): boolean {
  return code === 0x20 || code === 0x09;
}

/** `tchar` as a byte table, for the byte-at-a-time chunked decoder: 1 where the byte is a tchar. */
export const TCHAR_BYTES: Uint8Array = (() => {
  const table = new Uint8Array(256);
  for (const char of "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") {
    table[char.charCodeAt(0)] = 1;
  }
  return table;
})();

/** True for bytes allowed in field values and chunk extensions: HTAB, SP..~, obs-text (0x80..0xFF). */
export function isFieldContentByte(byte: number): boolean {
  return byte === 0x09 || (byte >= 0x20 && byte !== 0x7f);
}
