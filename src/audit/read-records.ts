/**
 * Reads request records from what `imds serve --request-log` and `imds proxy --request-log`
 * write (JSON lines), or from a saved control API answer (`GET /requests`: `{ "requests": [...] }`,
 * or a bare array).
 */
import type { RequestRecord } from '../control/api-shapes.js';

/** A request-log text could not be read; names the line. */
export class RequestLogFormatError extends Error {
  override readonly name = 'RequestLogFormatError';
  constructor(
    readonly source: string,
    readonly line: number,
    reason: string,
  ) {
    super(`${source}:${line}: ${reason}`);
  }
}

/** Parses a request log; blank lines are skipped. */
export function parseRequestRecords(text: string, source: string): RequestRecord[] {
  const trimmed = text.trimStart();
  if (
    trimmed.startsWith('[') ||
    (trimmed.startsWith('{') && /^\{\s*"total"|"requests"\s*:\s*\[/.test(trimmed.slice(0, 200)))
  ) {
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (error) {
      throw new RequestLogFormatError(source, 1, `not JSON: ${(error as Error).message}`);
    }
    const list = Array.isArray(data) ? data : (data as { requests?: unknown }).requests;
    if (!Array.isArray(list))
      throw new RequestLogFormatError(source, 1, 'expected an array or { "requests": [...] }');
    return list.map((each, at) => checked(each, source, at + 1));
  }
  const records: RequestRecord[] = [];
  for (const [at, line] of text.split('\n').entries()) {
    if (line.trim() === '') continue;
    let data: unknown;
    try {
      data = JSON.parse(line);
    } catch (error) {
      throw new RequestLogFormatError(source, at + 1, `not JSON: ${(error as Error).message}`);
    }
    records.push(checked(data, source, at + 1));
  }
  return records;
}

function checked(data: unknown, source: string, line: number): RequestRecord {
  const record = data as Partial<RequestRecord> | null;
  if (record === null || typeof record !== 'object')
    throw new RequestLogFormatError(source, line, 'expected an object');
  for (const field of ['time', 'method', 'path', 'version'] as const) {
    if (typeof record[field] !== 'string')
      throw new RequestLogFormatError(source, line, `"${field}": expected a string`);
  }
  return record as RequestRecord;
}
