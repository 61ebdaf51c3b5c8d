/** `imds` itself: --version, help, did-you-mean for commands, and the command list in one place. */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/cli/commands.js';
import { main } from '../../src/cli/main.js';
import { fakeIo } from './helpers/fake-io.js';

const io = () => fakeIo({ AWS_EC2_METADATA_SERVICE_ENDPOINT: 'http://127.0.0.1:9' });

describe('imds', () => {
  it.each([['--version'], ['-v'], ['version']])(
    '%s prints the version given by bin/imds.js',
    async (flag) => {
      const recorded = io();
      expect(await main([flag], recorded, '1.2.3')).toBe(0);
      expect(recorded.out()).toBe('1.2.3\n');
    },
  );

  it('help <command> prints that command’s help, as <command> --help does', async () => {
    for (const name of Object.keys(COMMANDS)) {
      const viaHelp = io();
      const viaFlag = io();
      expect(await main(['help', name], viaHelp)).toBe(0);
      expect(await main([name, '--help'], viaFlag)).toBe(0);
      expect(viaHelp.out()).toContain(`Usage: imds ${name}`);
      expect(viaHelp.out()).toBe(viaFlag.out());
    }
  });

  it('help lists every command of the one table', async () => {
    const recorded = io();
    expect(await main(['help'], recorded)).toBe(0);
    for (const [name, { summary }] of Object.entries(COMMANDS))
      expect(recorded.out()).toContain(`${name.padEnd(7)} ${summary}`);
  });

  it('a misspelt command names the likely one, exit 2', async () => {
    const recorded = io();
    expect(await main(['sevre'], recorded)).toBe(2);
    expect(recorded.err()).toBe(
      "imds: unknown command 'sevre'; did you mean 'imds serve'?\nRun 'imds help' for the list of commands.\n",
    );
  });

  it('a misspelt flag names the likely one in one short message, not the whole help', async () => {
    const recorded = io();
    expect(await main(['get', 'instance-id', '--timout', '1s'], recorded)).toBe(2);
    expect(recorded.err()).toBe(
      "imds get: unknown option '--timout'; did you mean --timeout?\nRun 'imds get --help' for its options.\n",
    );
  });

  it('the bundler and the client package read the command table: one entry adds a command', () => {
    for (const script of ['scripts/bundle-cli.mjs', 'scripts/pack-client.mjs']) {
      const text = readFileSync(script, 'utf8');
      expect(text, script).not.toMatch(/\[\s*'get',\s*'ls'/);
      expect(text, script).not.toMatch(/\[\s*'serve',/);
    }
    expect(readFileSync('scripts/bundle-cli.mjs', 'utf8')).toContain("'dist', 'cli', 'commands.js'");
    const bundled = readFileSync('dist/cli-bundle/main.js', 'utf8');
    const parts = Object.entries(COMMANDS).map(([name, { part }]) => [name, part]);
    expect(parts.filter(([, part]) => part === 'client').map(([name]) => name)).toEqual([
      'get',
      'ls',
      'dump',
      'token',
      'watch',
    ]);
    for (const [name, part] of parts) {
      // A client command is inside main.js; a full one is its own file, required only when chosen.
      if (part === 'client') expect(bundled).not.toContain(`"/${name}.js"`);
      else expect(bundled).toContain(`Promise.resolve().then(()=>require(__dirname+"/${name}.js"))`);
      expect(existsSync(`dist/cli-bundle/${name}.js`), name).toBe(part === 'full');
    }
  });
});
