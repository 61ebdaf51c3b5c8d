/** Bad recordings fail like bad configuration files: the file, the position, the path and what is wrong. */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/config-error.js';
import { parseRecording, readRecordingFile } from '../../src/recording/read.js';
import { formatRecording, textOf } from '../../src/recording/write.js';

const FILE = 'rec.yaml';
const HEAD = `format: ec2-imds-recording/1
versions: [2018-09-24, latest]
tree:
`;
const GOOD = `${HEAD}  /: [meta-data]
  meta-data/: [ami-id, placement/]
  meta-data/ami-id: ami-0986c2ac728528ac2
  meta-data/placement/: [availability-zone]
  meta-data/placement/availability-zone: us-east-2c
`;

function problemsOf(text: string): string[] {
  try {
    parseRecording(text, FILE);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).lines;
  }
  throw new Error('expected the recording to be refused');
}

describe('reading a recording', () => {
  it('reads a well-formed one', () => {
    const recording = parseRecording(GOOD, FILE);
    expect(recording.versions).toEqual(['2018-09-24', 'latest']);
    expect(recording.entries.map((entry) => `${entry.kind} ${entry.path}`)).toEqual([
      'dir /',
      'dir meta-data/',
      'leaf meta-data/ami-id',
      'dir meta-data/placement/',
      'leaf meta-data/placement/availability-zone',
    ]);
  });

  it('writes what it reads, byte for byte', () => {
    const recording = parseRecording(GOOD, FILE);
    const again = parseRecording(formatRecording(recording, 'yaml'), FILE);
    expect(formatRecording(again, 'yaml')).toBe(formatRecording(recording, 'yaml'));
    const json = parseRecording(formatRecording(recording, 'json'), 'rec.json');
    expect(formatRecording(json, 'yaml')).toBe(formatRecording(recording, 'yaml'));
  });

  it('keeps binary, control characters and edge whitespace exactly', () => {
    const bodies = [
      new Uint8Array([0, 1, 2, 255, 254]),
      new TextEncoder().encode('line\r\nwith CR'),
      new TextEncoder().encode('  leading and trailing  \n\n'),
      new TextEncoder().encode('\ufeffBOM'),
      new TextEncoder().encode('#!/bin/bash\necho "hi: there" # not a comment\n'),
      new Uint8Array(),
    ];
    for (const body of bodies) {
      const recording = {
        source: {},
        versions: ['latest'],
        entries: [
          { kind: 'dir', path: '/', listing: ['user-data'], versions: undefined },
          {
            kind: 'leaf',
            path: 'user-data',
            body,
            contentType: 'application/octet-stream',
            versions: undefined,
          },
        ],
      } as const;
      for (const as of ['yaml', 'json'] as const) {
        const back = parseRecording(formatRecording(recording, as), `rec.${as}`).entries[1];
        expect(back?.kind === 'leaf' && Buffer.from(back.body ?? []).equals(Buffer.from(body))).toBe(true);
      }
    }
    expect(textOf(new Uint8Array([0xc3, 0x28]))).toBeUndefined();
    expect(textOf(new TextEncoder().encode('ok\n'))).toBe('ok\n');
  });

  it('names a truncated file: a listed child with no entry', () => {
    const truncated = GOOD.split('\n').slice(0, -2).join('\n');
    expect(problemsOf(truncated)).toEqual([
      `${FILE}:7:3: tree["meta-data/placement/"]: lists "availability-zone" but the tree has no entry "meta-data/placement/availability-zone" (is the file cut off?)`,
    ]);
  });

  it('names a file cut off in the middle of a value', () => {
    const [problem] = problemsOf(`${GOOD}  meta-data/x: "unterminated\n`);
    expect(problem).toMatch(/^rec\.yaml:\d+:\d+: not valid YAML or JSON/);
  });

  it('refuses a leaf under a leaf', () => {
    const lines = problemsOf(`${GOOD}  meta-data/ami-id/more: x\n`);
    expect(lines).toContain(
      `${FILE}:9:3: tree["meta-data/ami-id/more"]: is under meta-data/ami-id, which is a leaf`,
    );
  });

  it('refuses unknown keys, with a suggestion', () => {
    const lines = problemsOf(GOOD.replace('versions:', 'version:').replace('format:', 'formats:'));
    expect(lines).toContain(
      `${FILE}:1:1: formats: is not a key of a recording; did you mean format? (known: format, source, httpTokens, versions, tree)`,
    );
    expect(lines).toContain(
      `${FILE}:2:1: version: is not a key of a recording; did you mean versions? (known: format, source, httpTokens, versions, tree)`,
    );
    const entry = problemsOf(`${GOOD}  meta-data/y: { text: a, contentTyp: text/plain }\n`);
    expect(entry[0]).toMatch(
      /tree\["meta-data\/y"\]\.contentTyp: is not a key of a recording; did you mean contentType\?/,
    );
  });

  it('refuses binary or a number where text is expected, and bad base64', () => {
    expect(
      problemsOf(`${GOOD.replace('meta-data/ami-id: ami-0986c2ac728528ac2', 'meta-data/ami-id: 42')}`),
    ).toEqual([
      `${FILE}:6:3: tree["meta-data/ami-id"]: expected text or an object (text, base64, listing, omitted, missing), got 42 (write text in quotes)`,
    ]);
    expect(
      problemsOf(
        GOOD.replace(
          'meta-data/ami-id: ami-0986c2ac728528ac2',
          'meta-data/ami-id: { text: !!binary "AAEC" }',
        ),
      ),
    ).toEqual([`${FILE}:6:23: tree["meta-data/ami-id"].text: expected text, got 3 bytes`]);
    expect(
      problemsOf(
        GOOD.replace(
          'meta-data/ami-id: ami-0986c2ac728528ac2',
          'meta-data/ami-id: { base64: "not base64!" }',
        ),
      )[0],
    ).toMatch(/tree\["meta-data\/ami-id"\]\.base64: expected base64 text/);
    expect(
      problemsOf(GOOD.replace('[ami-id, placement/]', '[ami-id, "bad\\u0007line", placement/]'))[0],
    ).toMatch(/tree\["meta-data\/"\]\[1\]: expected a name as the service lists it/);
  });

  it('refuses versions the recording does not list, and two variants for one version', () => {
    expect(problemsOf(`${GOOD}  meta-data/z: { text: a, since: 2031-01-01 }\n`)[0]).toMatch(
      /tree\["meta-data\/z"\]\.since: expected one of the recording's versions, got "2031-01-01"/,
    );
    const doubled = `${GOOD}  meta-data/w:\n    variants:\n      - { text: a }\n      - { text: b, in: [latest] }\n`;
    expect(problemsOf(doubled.replace('[ami-id, placement/]', '[ami-id, placement/, w]'))).toContain(
      `${FILE}:9:3: tree["meta-data/w"]: has two variants for version latest`,
    );
  });

  it('refuses a path that is not under a version, and a listing on a leaf path', () => {
    expect(problemsOf(`${GOOD}  /latest/meta-data/x: a\n`)[0]).toMatch(
      /tree\["\/latest\/meta-data\/x"\]: not a path under a version/,
    );
    expect(problemsOf(`${GOOD}  meta-data/v: [a]\n`)[0]).toMatch(
      /a listing is for a directory: end the path with \//,
    );
    expect(problemsOf(`${GOOD}  ../etc/: [a]\n`)[0]).toMatch(/not a path under a version/);
  });

  it('refuses a wrong format and an empty version list', () => {
    expect(problemsOf(GOOD.replace('ec2-imds-recording/1', 'ec2-imds-recording/9'))).toEqual([
      `${FILE}:1:1: format: expected "ec2-imds-recording/1", got "ec2-imds-recording/9"`,
    ]);
    expect(problemsOf(GOOD.replace('[2018-09-24, latest]', '[]'))[0]).toMatch(
      /versions: expected the list of versions/,
    );
  });

  it('names an unreadable file', () => {
    expect(() => readRecordingFile('/nonexistent/rec.yaml')).toThrow(
      '/nonexistent/rec.yaml cannot be read: ENOENT',
    );
  });
});
