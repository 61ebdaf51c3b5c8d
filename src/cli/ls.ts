/**
 * `imds ls [path]`: lists a metadata directory, one entry per line (subdirectories end in `/`).
 */
import { clientFromFlags, CLIENT_OPTIONS_HELP, parseCommandLine } from './client-options.js';
import { reportError, usageError } from './client-errors.js';
import { EXIT, type CommandIo } from './io.js';

const HELP = `Usage: imds ls [path] [options]

Lists a metadata directory, one entry per line; subdirectories end in /. Without a path, lists
/latest/meta-data/. Paths are named as for 'imds get'. With --json, prints a JSON array.

Examples:
  imds ls
  imds ls placement
  imds ls /latest/dynamic/instance-identity/

${CLIENT_OPTIONS_HELP}`;

export async function run(argv: string[], io: CommandIo): Promise<number> {
  const parsed = parseCommandLine('ls', argv, io, HELP, {}, { min: 0, max: 1 });
  if ('exit' in parsed) return parsed.exit;
  const json = parsed.values.json === true;
  try {
    const client = clientFromFlags(parsed.values, io);
    if ('usage' in client) return usageError(io, 'ls', client.usage);
    const entries = await client.list(parsed.positionals[0] ?? '');
    io.stdout(json ? `${JSON.stringify(entries)}\n` : entries.map((entry) => `${entry}\n`).join(''));
    return EXIT.ok;
  } catch (error) {
    return reportError(io, 'ls', error, json);
  }
}
