/**
 * The one HTTP/1 response splitter of the tests (the client keeps its own reader, since the client
 * must not import anything else): status line, headers in wire order with their spelling, body.
 */

/** One response, as sent. */
export interface SplitResponse {
  readonly statusLine: string;
  readonly status: number;
  readonly reason: string;
  /** In wire order, names spelled as sent. */
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly body: Buffer;
}

/** Why bytes are not one response. */
export interface NotAResponse {
  readonly problem: string;
}

const STATUS_LINE = /^HTTP\/1\.[01] (\d{3}) ([^\r\n]*)$/;

/**
 * Splits the first response in `bytes`: the head up to the first blank line, the rest as its body.
 *
 * @example
 * ```ts
 * const split = splitResponse(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'));
 * if (!('problem' in split)) split.headers; // [['Content-Length', '2']]
 * ```
 */
export function splitResponse(bytes: Buffer): SplitResponse | NotAResponse {
  const end = bytes.indexOf('\r\n\r\n');
  if (end === -1) return notAResponse('no end of head', bytes);
  const [statusLine = '', ...lines] = bytes.toString('latin1', 0, end).split('\r\n');
  const match = STATUS_LINE.exec(statusLine);
  if (!match) return notAResponse('bad status line', bytes);
  const headers: Array<[string, string]> = [];
  for (const line of lines) {
    const colon = line.indexOf(': ');
    if (colon <= 0) return notAResponse('bad header line', bytes);
    headers.push([line.slice(0, colon), line.slice(colon + 2)]);
  }
  return {
    statusLine,
    status: Number(match[1]),
    reason: match[2] as string,
    headers,
    body: bytes.subarray(end + 4),
  };
}

/** The last value of a header, by case-insensitive name. */
export function headerValue(response: SplitResponse, name: string): string | undefined {
  const lower = name.toLowerCase();
  return response.headers.findLast(([each]) => each.toLowerCase() === lower)?.[1];
}

function notAResponse(why: string, bytes: Buffer): NotAResponse {
  return { problem: `${why}: ${JSON.stringify(bytes.toString('latin1', 0, 200))}` };
}
