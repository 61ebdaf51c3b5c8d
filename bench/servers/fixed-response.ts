/**
 * What the baseline servers answer: the emulator's own `meta-data/instance-id` response, header
 * for header and byte for byte (with a fixed Date), so every server in a comparison writes the
 * same amount.
 */
export const INSTANCE_ID_PATH = '/latest/meta-data/instance-id';

/** The body, as the seed instance's `instance-id`. */
export const FIXED_BODY = 'i-0410f3c9b2d5e8a71';

/** The headers the emulator sends with it, in its order (Content-Length, Date and Connection included). */
export const FIXED_HEADERS: ReadonlyArray<readonly [string, string]> = [
  ['X-Aws-Ec2-Metadata-Token-Ttl-Seconds', '21600'],
  ['Content-Type', 'text/plain'],
  ['Accept-Ranges', 'none'],
  ['Last-Modified', 'Tue, 27 Feb 2024 12:06:18 GMT'],
  ['Content-Length', String(FIXED_BODY.length)],
  ['Date', 'Tue, 24 Nov 2026 20:03:50 GMT'],
  ['Server', 'EC2ws'],
  ['Connection', 'close'],
];

/** The whole response as one buffer, for the raw `node:net` baseline. */
export const FIXED_RESPONSE = Buffer.from(
  `HTTP/1.1 200 OK\r\n${FIXED_HEADERS.map(([name, value]) => `${name}: ${value}\r\n`).join('')}\r\n${FIXED_BODY}`,
  'latin1',
);
