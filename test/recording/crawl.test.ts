/** The crawl against a scripted service (no socket): variants per version, 404s, omissions, bounded concurrency, order. */
import { describe, expect, it } from 'vitest';
import { crawl, UnknownVersionError, type CrawlReader } from '../../src/recording/crawl.js';
import { formatRecording } from '../../src/recording/write.js';

class NotFound extends Error {}

/** A service as a map from request path to body (and content type); anything else is a 404. */
function scripted(pages: Record<string, string | [string, string]>, delays = false) {
  let inFlight = 0;
  let most = 0;
  const asked: string[] = [];
  const reader: CrawlReader = {
    async read(path) {
      asked.push(path);
      inFlight++;
      most = Math.max(most, inFlight);
      // Answers arrive out of order: later paths first.
      if (delays) await new Promise((resolve) => setTimeout(resolve, (100 - asked.length) % 7));
      inFlight--;
      const page = pages[path];
      if (page === undefined) throw new NotFound(path);
      const [body, contentType] = typeof page === 'string' ? [page, 'text/plain'] : page;
      return { body: new TextEncoder().encode(body), contentType };
    },
    isNotFound: (error) => error instanceof NotFound,
    tokenlessStatus: async () => 401,
  };
  return { reader, asked, most: () => most };
}

const SERVICE = {
  '/': '2020-01-01\nlatest',
  '/2020-01-01/': 'meta-data',
  '/2020-01-01/meta-data/': 'ami-id\nold-only\niam/',
  '/2020-01-01/meta-data/ami-id': 'ami-1',
  '/2020-01-01/meta-data/old-only': 'x',
  '/2020-01-01/meta-data/iam/': 'security-credentials/',
  '/2020-01-01/meta-data/iam/security-credentials/': 'web',
  '/2020-01-01/meta-data/iam/security-credentials/web':
    '{"Code":"Success","SecretAccessKey":"s1","Token":"t1"}',
  '/latest/': 'meta-data\nuser-data',
  '/latest/meta-data/': 'ami-id\niam/\nlisted-but-gone\ndoc',
  '/latest/meta-data/ami-id': 'ami-2',
  '/latest/meta-data/doc': ['{"a": 1}', 'application/json'],
  '/latest/meta-data/iam/': 'security-credentials/',
  '/latest/meta-data/iam/security-credentials/': 'web',
  '/latest/meta-data/iam/security-credentials/web': '{"Code":"Success","SecretAccessKey":"s2","Token":"t2"}',
  '/latest/user-data': ['#!/bin/sh\n', 'application/octet-stream'],
} satisfies Record<string, string | [string, string]>;

describe('crawl', () => {
  it('records variants, 404s, content types and omissions, in tree order whatever the answer order', async () => {
    const service = scripted(SERVICE, true);
    const recording = await crawl(service.reader, {
      policy: { includeUserData: false, redact: [] },
      concurrency: 3,
    });
    expect(service.most()).toBeLessThanOrEqual(3);
    expect(service.asked).toHaveLength(Object.keys(SERVICE).length + 1);
    const text = formatRecording(recording, 'yaml');
    expect(text).not.toMatch(/s1|s2|t1|t2|#!\/bin\/sh/);
    expect(text.split('\n').slice(2).join('\n')).toBe(`format: ec2-imds-recording/1
source: {}
httpTokens: required
versions:
  - 2020-01-01
  - latest
tree:
  /:
    variants:
      - listing:
          - meta-data
          - user-data
        since: latest
      - listing:
          - meta-data
        until: 2020-01-01
  meta-data/:
    variants:
      - listing:
          - ami-id
          - iam/
          - listed-but-gone
          - doc
        since: latest
      - listing:
          - ami-id
          - old-only
          - iam/
        until: 2020-01-01
  meta-data/ami-id:
    variants:
      - text: ami-2
        since: latest
      - text: ami-1
        until: 2020-01-01
  meta-data/iam/:
    - security-credentials/
  meta-data/iam/security-credentials/:
    - web
  meta-data/iam/security-credentials/web:
    omitted: role credentials
    keys:
      - Code
      - SecretAccessKey
      - Token
  meta-data/listed-but-gone:
    missing: true
    since: latest
  meta-data/doc:
    text: '{"a": 1}'
    contentType: application/json
    since: latest
  meta-data/old-only:
    text: x
    until: 2020-01-01
  user-data:
    omitted: user data
    size: 10
    contentType: application/octet-stream
    since: latest
`);
    const again = await crawl(scripted(SERVICE, true).reader, {
      policy: { includeUserData: false, redact: [] },
      concurrency: 1,
    });
    expect(formatRecording(again, 'yaml')).toBe(text);
  });

  it('crawls only the versions asked for, and refuses one the service does not list', async () => {
    const service = scripted(SERVICE);
    const recording = await crawl(service.reader, {
      versions: ['latest'],
      policy: { includeUserData: true, redact: [] },
      concurrency: 2,
    });
    expect(recording.versions).toEqual(['latest']);
    expect(service.asked.some((path) => path.startsWith('/2020-01-01/'))).toBe(false);
    await expect(
      crawl(scripted(SERVICE).reader, {
        versions: ['2031-01-01'],
        policy: { includeUserData: false, redact: [] },
        concurrency: 2,
      }),
    ).rejects.toBeInstanceOf(UnknownVersionError);
  });

  it('refuses a listing that names something other than a child', async () => {
    const service = scripted({ '/': 'latest', '/latest/': 'meta-data', '/latest/meta-data/': '../../etc/' });
    await expect(
      crawl(service.reader, { policy: { includeUserData: false, redact: [] }, concurrency: 1 }),
    ).rejects.toThrow("/latest/meta-data/ lists '../../etc/', which is not a child name");
  });
});
