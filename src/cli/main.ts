/**
 * `imds <command>`: dispatches to one module per command, loaded only when asked for, so that
 * `imds get` never loads the emulator and starts as fast as Node itself.
 */
import { EXIT, type CommandIo } from './io.js';

type CommandModule = { run(argv: string[], io: CommandIo): Promise<number> };

const COMMANDS: Record<string, { summary: string; load: () => Promise<CommandModule> }> = {
  get: { summary: 'print one metadata value (imds get instance-id)', load: () => import('./get.js') },
  ls: { summary: 'list a metadata directory', load: () => import('./ls.js') },
  dump: { summary: 'print the whole metadata tree as JSON', load: () => import('./dump.js') },
  token: { summary: 'print an IMDSv2 session token', load: () => import('./token.js') },
  watch: {
    summary: 'report spot, rebalance, maintenance and lifecycle changes',
    load: () => import('./watch.js'),
  },
  serve: { summary: 'run the emulator', load: () => import('./serve.js') },
};

const USAGE = `Usage: imds <command> [options]

Commands:
${Object.entries(COMMANDS)
  .map(([name, { summary }]) => `  ${name.padEnd(7)} ${summary}`)
  .join('\n')}

Run 'imds <command> --help' for a command's options.
`;

/** Runs the CLI and resolves to its exit code; never calls process.exit itself. */
export async function main(argv: string[], io: CommandIo = processIo()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(USAGE);
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.stderr(`imds: unknown command '${name}'\n\n${USAGE}`);
    return EXIT.usage;
  }
  const module = await command.load();
  return module.run(rest, io);
}

function processIo(): CommandIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
  };
}
