/**
 * The CLI's own flag parser against `node:util` `parseArgs` (strict), which it replaces on the
 * start-up path: the same command lines parse to the same values and positionals, and the ones
 * `parseArgs` refuses are refused, with one-line messages naming the flag.
 */
import { parseArgs } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FlagError, type FlagSpec, parseFlags } from '../../src/cli/parse-flags.js';

const OPTIONS = {
  endpoint: { type: 'string', short: 'e' },
  json: { type: 'boolean', short: 'j' },
  tag: { type: 'string', short: 't', multiple: true },
  verbose: { type: 'boolean', short: 'v', multiple: true },
  x: { type: 'boolean' },
  'no-v1-fallback': { type: 'boolean' },
} as const satisfies Record<string, FlagSpec>;

/** What each parser made of a command line: its result, or that it refused it. */
function outcome(parse: () => { values: object; positionals: string[] }) {
  try {
    const { values, positionals } = parse();
    return { values: { ...values }, positionals, prototype: Object.getPrototypeOf(values) };
  } catch (error) {
    return { refused: true, ours: error instanceof FlagError, nodes: (error as { code?: string }).code };
  }
}

function both(argv: string[], allowPositionals: boolean) {
  const node = outcome(() => parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals }));
  const ours = outcome(() => parseFlags(argv, OPTIONS, allowPositionals));
  return { node, ours };
}

// Pieces that reach every branch: long and short flags with and without values, inline values,
// groups, a string flag inside a group, `--`, lone `-`, unknown and prototype names, values that
// look like flags.
const PIECES = [
  '--endpoint',
  '--endpoint=http://127.0.0.1:9',
  '--endpoint=',
  '-e',
  '-ehttp://x',
  '-e-x',
  '--json',
  '--json=1',
  '-j',
  '-jv',
  '-vj',
  '-je',
  '-jeurl',
  '-ej',
  '-jt',
  '-vvv',
  '--tag',
  '-t',
  '-ta',
  '--verbose',
  '-x',
  '--x',
  '-z',
  '--zz',
  '--zz=1',
  '--no-v1-fallback',
  '--constructor',
  '--__proto__',
  '--=a',
  '---',
  '--',
  '-',
  'instance-id',
  'a=b',
  '',
];

describe('parseFlags, as parseArgs (strict)', () => {
  it('parses and refuses exactly the command lines parseArgs does, with the same values', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...PIECES), { maxLength: 6 }),
        fc.boolean(),
        (argv, positionals) => {
          const { node, ours } = both(argv, positionals);
          if ('refused' in node) {
            expect(ours, JSON.stringify(argv)).toMatchObject({ refused: true, ours: true });
          } else {
            expect(ours, JSON.stringify(argv)).toEqual(node);
          }
        },
      ),
      { numRuns: 3000 },
    );
  });

  it.each([
    [['get', '-e', 'http://127.0.0.1:9', '--json'], { endpoint: 'http://127.0.0.1:9', json: true }, ['get']],
    [['-jehttp://x', 'a', '--', '--json'], { json: true, endpoint: 'http://x' }, ['a', '--json']],
    [['-t', 'a', '--tag=b', '-tc', '-vv'], { tag: ['a', 'b', 'c'], verbose: [true, true] }, []],
    [['--endpoint=-x', '-e-y'], { endpoint: '-y' }, []],
    [['-', 'a'], {}, ['-', 'a']],
  ])('%j', (argv, values, positionals) => {
    const parsed = parseFlags(argv, OPTIONS, true);
    expect({ ...parsed.values }).toEqual(values);
    expect(parsed.positionals).toEqual(positionals);
    expect(Object.getPrototypeOf(parsed.values)).toBeNull();
  });

  it.each([
    [['--endpont', 'x'], "unknown option '--endpont'; did you mean --endpoint?"],
    [['--jsn=1'], "unknown option '--jsn'; did you mean --json?"],
    [['-z'], "unknown option '-z'; did you mean --x?"],
    [['--endpoint'], '--endpoint needs a value'],
    [['-e'], '--endpoint needs a value'],
    [
      ['--endpoint', '--json'],
      "--endpoint needs a value; '--json' looks like a flag (write --endpoint=--json if it is the value)",
    ],
    [['--json=yes'], "--json takes no value (got 'yes')"],
  ])('refuses %j: %s', (argv, message) => {
    expect(() => parseFlags(argv, OPTIONS, true)).toThrow(new FlagError(message));
  });

  it('refuses a positional where the command takes none, and names it', () => {
    expect(() => parseFlags(['--json', 'extra'], OPTIONS, false)).toThrow(
      new FlagError("unexpected argument 'extra' (this command takes none)"),
    );
    expect(parseFlags(['--json'], OPTIONS, false).positionals).toEqual([]);
  });
});
