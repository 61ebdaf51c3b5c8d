/**
 * fast-check generators of hostile requests for the pure handler: methods, request-targets
 * (percent-encoding, `..`, `%2e%2e`, `//`, NUL, unicode, 64 KiB paths, absolute form, queries) and
 * header sets (repeated or empty token headers, TTLs like `+60`, `060`, `1e3`, ` 60 `, 2^64).
 */
import fc from 'fast-check';

/** Methods clients send, methods nobody sends, bad spellings, and arbitrary strings. */
export const methodArbitrary: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('GET', 'HEAD', 'PUT') },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      'POST',
      'DELETE',
      'OPTIONS',
      'PATCH',
      'TRACE',
      'CONNECT',
      'PROPFIND',
      'get',
      'Head',
      'put',
    ),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
);

/** Segments of real paths, so generated paths often reach real nodes (and the token endpoint). */
const REAL_SEGMENTS = [
  'latest',
  '1.0',
  '2009-04-04',
  '2021-07-15',
  'meta-data',
  'dynamic',
  'user-data',
  'api',
  'token',
  'ami-id',
  'instance-id',
  'iam',
  'security-credentials',
  'info',
  'ec2-imds-demo-role',
  'public-keys',
  '0',
  'openssh-key',
  'network',
  'interfaces',
  'macs',
  'instance-identity',
  'document',
  'signature',
  'placement',
  'region',
  'tags',
  'spot',
  'events',
];

/** Dot segments, raw and percent-encoded in every case mix. */
const DOT_SEGMENTS = [
  '.',
  '..',
  '%2e',
  '%2E',
  '%2e%2e',
  '%2E%2e',
  '.%2e',
  '%2e.',
  '...',
  '..;',
  '..%00',
  '..%2f',
  '..\\',
];

/** Encodings that go wrong in naive decoders: NUL, encoded slashes, bad escapes, overlong UTF-8, unicode. */
const TRICKY_SEGMENTS = [
  '%00',
  '\0',
  '%2f',
  '%2F',
  '%5c',
  '\\',
  '%',
  '%z',
  '%zz',
  '%c0%af',
  '%C3%A9',
  'é',
  '\u202e',
  '\ud800',
  '🦄',
  '%F0%9F%A6%84',
  '%ff',
  ' ',
  '%20',
  '+',
  '~',
  '*',
];

/** Percent-encodes every character of `text` (UTF-8), upper or lower case hex. */
function percentEncodeAll(text: string, upper: boolean): string {
  const hex = [...Buffer.from(text, 'utf8')].map((byte) => `%${byte.toString(16).padStart(2, '0')}`).join('');
  return upper ? hex.toUpperCase() : hex;
}

const segmentArbitrary: fc.Arbitrary<string> = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...REAL_SEGMENTS) },
  { weight: 2, arbitrary: fc.constantFrom(...DOT_SEGMENTS) },
  { weight: 2, arbitrary: fc.constantFrom(...TRICKY_SEGMENTS) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom(...REAL_SEGMENTS), fc.boolean())
      .map(([segment, upper]) => percentEncodeAll(segment, upper)),
  },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 8 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 8 }) },
);

/** A path from generated segments, each joined by one or more slashes, with an optional trailing slash. */
export const pathArbitrary: fc.Arbitrary<string> = fc
  .tuple(
    fc.array(fc.tuple(segmentArbitrary, fc.constantFrom('/', '/', '/', '//', '///')), { maxLength: 8 }),
    fc.boolean(),
  )
  .map(
    ([parts, trailing]) =>
      parts.map(([segment, slash]) => `${slash}${segment}`).join('') +
      (trailing || parts.length === 0 ? '/' : ''),
  );

/** Paths of 64 KiB and more, of several shapes. */
export const hugePathArbitrary: fc.Arbitrary<string> = fc.constantFrom(
  `/latest/meta-data/${'a'.repeat(65_536)}`,
  '/'.repeat(65_536),
  `/latest${'/..'.repeat(21_846)}`,
  `/latest/${'%2e%2e/'.repeat(9_363)}`,
  `/${'%'.repeat(65_536)}`,
  `/latest/meta-data/${'%41'.repeat(21_846)}`,
  `/${'é'.repeat(65_536)}`,
);

/** A request-target: origin form mostly, absolute form, asterisk form, bare strings; queries and fragments. */
export const targetArbitrary: fc.Arbitrary<string> = fc
  .tuple(
    fc.oneof({ weight: 20, arbitrary: pathArbitrary }, { weight: 1, arbitrary: hugePathArbitrary }),
    fc.constantFrom(
      '',
      '',
      '',
      'http://169.254.169.254',
      'HTTP://[fd00:ec2::254]:80',
      'https://x',
      'ftp://x',
    ),
    fc.constantFrom('', '', '', '?', '?a=b', '?token=1&x=%00', '#frag', '?../..#/'),
  )
  .map(([path, authority, suffix]) => `${authority}${path}${suffix}`)
  .chain((target) =>
    fc.oneof(
      { weight: 30, arbitrary: fc.constant(target) },
      { weight: 1, arbitrary: fc.constantFrom('*', '', 'latest/meta-data/', 'a', '%2f') },
    ),
  );

/** TTL header values: the spec's hard cases, bounds, and arbitrary strings. */
export const ttlValueArbitrary: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '+60',
    '060',
    '1e3',
    ' 60 ',
    '60 ',
    '\t60',
    '18446744073709551616',
    '9007199254740993',
    '4294967356',
    '0060',
  ),
  fc.constantFrom(
    '0',
    '1',
    '21600',
    '21601',
    '-1',
    '-0',
    '60.0',
    '0x3c',
    '６０',
    '',
    'NaN',
    'Infinity',
    '1_000',
    '21600\0',
  ),
  fc.integer({ min: -10, max: 30_000 }).map(String),
  fc.string({ maxLength: 12 }),
);

/** What to put in the token header: a valid token (supplied later), repeats, empties, junk. */
export type TokenChoice =
  | { kind: 'absent' }
  | { kind: 'valid' }
  | { kind: 'values'; values: Array<'valid' | string> };

export const tokenChoiceArbitrary: fc.Arbitrary<TokenChoice> = fc.oneof(
  fc.constant<TokenChoice>({ kind: 'absent' }),
  fc.constant<TokenChoice>({ kind: 'valid' }),
  fc
    .array(
      fc.oneof(
        fc.constant<'valid'>('valid'),
        fc.constantFrom('', ' ', 'null', `AQAAA${'A'.repeat(49)}==`),
        fc.string({ maxLength: 60 }),
      ),
      { minLength: 1, maxLength: 3 },
    )
    .filter((values) => !(values.length === 1 && values[0] === 'valid'))
    .map((values): TokenChoice => ({ kind: 'values', values })),
);

/** A whole header set besides the token: TTL headers (0-2 values), X-Forwarded-For, bodies' framing headers, noise. */
export interface HeaderChoice {
  readonly ttl: readonly string[];
  readonly forwardedFor: boolean;
  readonly extra: ReadonlyArray<readonly [string, string]>;
}

export const headerChoiceArbitrary: fc.Arbitrary<HeaderChoice> = fc.record({
  ttl: fc.oneof(
    { weight: 1, arbitrary: fc.constant([]) },
    { weight: 4, arbitrary: fc.array(ttlValueArbitrary, { minLength: 1, maxLength: 2 }) },
  ),
  forwardedFor: fc.constantFrom(false, false, false, true),
  extra: fc.array(
    fc.tuple(
      fc.oneof(
        fc.constantFrom(
          'content-length',
          'transfer-encoding',
          'host',
          'user-agent',
          'accept',
          'x-aws-ec2-metadata-token-ttl-seconds ',
        ),
        fc.string({ maxLength: 10 }),
      ),
      fc.string({ maxLength: 40 }),
    ),
    { maxLength: 4 },
  ),
});
