/**
 * `imds <command>`: dispatches to one module per command, loaded only when asked for, so that
 * `imds get` never loads the emulator and starts as fast as Node itself. The commands are listed
 * once, in `commands.ts`.
 */
import { COMMANDS, type CommandModule } from './commands.js';
import { EXIT, type CommandIo } from './io.js';
import { VERSION } from './version.js';
import { suggest } from '../config/suggest.js';

const USAGE = `Usage: imds <command> [options]

Commands:
${Object.entries(COMMANDS)
  .map(([name, { summary }]) => `  ${name.padEnd(7)} ${summary}`)
  .join('\n')}

Options:
  -v, --version   print the version
  -h, --help      show this help

Run 'imds help <command>' or 'imds <command> --help' for a command's options.
`;

/**
 * Runs the CLI and resolves to its exit code; never calls process.exit itself.
 * @param version the package's version, for `imds --version`; the bundle's is written in at build
 *   (see `version.ts`).
 * @example
 * ```ts
 * process.exitCode = await main(process.argv.slice(2));
 * ```
 */
export async function main(argv: string[], io: CommandIo = processIo(), version = VERSION): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-v' || name === 'version') {
    io.stdout(`${version}\n`);
    return EXIT.ok;
  }
  if (name === 'help' && rest[0] !== undefined) return main([rest[0], '--help'], io, version);
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(USAGE);
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  const command = COMMANDS[name];
  if (!command) {
    const meant = suggest(name, Object.keys(COMMANDS));
    io.stderr(
      `imds: unknown command '${name}'${meant ? `; did you mean 'imds ${meant}'?` : ''}\n` +
        `Run 'imds help' for the list of commands.\n`,
    );
    return EXIT.usage;
  }
  let module: CommandModule;
  try {
    module = await command.load();
  } catch (error) {
    // The client-only package (ec2-imds-client) ships the client commands and not the emulator's.
    if ((error as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw error;
    io.stderr(
      `imds: '${name}' is not installed with this package; it comes with the full one: npm install ec2-imds\n`,
    );
    return EXIT.usage;
  }
  return module.run(rest, io);
}

function processIo(): CommandIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
  };
}
