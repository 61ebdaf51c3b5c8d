/**
 * `imds get <path>`: prints one metadata value. The command `imds get instance-id` is the
 * project's reason to exist, so this module loads only the client (no emulator code) and makes
 * one token request and one read.
 */
import { clientFromFlags, CLIENT_OPTIONS_HELP, parseCommandLine } from './client-options.js';
import { reportError, usageError } from './client-errors.js';
import { EXIT, type CommandIo } from './io.js';
import { leafValue } from '../client/leaf-value.js';
import { metadataPath } from '../client/paths.js';
import { LATEST, USER_DATA } from '../wire.js';

const HELP = `Usage: imds get <path> [options]

Prints one metadata value. By default a newline is added when the value lacks one (user data
is always written byte for byte); with --raw every value is written byte for byte, as served, so
a saved identity document still verifies with openssl.
<path> is relative to /latest/meta-data/ (instance-id, placement/region); user-data and
dynamic/... are under /latest/; a path starting with / is used as is (/latest/dynamic/...).
With --json, the value is printed as JSON: JSON documents parsed, other values as strings,
binary user data as {"base64": "..."}.

Options:
  --raw                 write the exact bytes served, no added newline (default: add one)

Examples:
  imds get instance-id
  imds get iam/security-credentials/my-role --json
  imds get dynamic/instance-identity/document
  imds get user-data > user-data.bin
  imds get --raw dynamic/instance-identity/document > document

${CLIENT_OPTIONS_HELP}`;

const USER_DATA_PATH = `/${LATEST}/${USER_DATA}`;
const utf8 = new TextDecoder();

export async function run(argv: string[], io: CommandIo): Promise<number> {
  const parsed = parseCommandLine('get', argv, io, HELP, { raw: { type: 'boolean' } }, { min: 1, max: 1 });
  if ('exit' in parsed) return parsed.exit;
  const json = parsed.values.json === true;
  const raw = parsed.values.raw === true;
  if (json && raw) return usageError(io, 'get', '--raw and --json cannot be combined', HELP);
  try {
    const client = clientFromFlags(parsed.values, io);
    if ('usage' in client) return usageError(io, 'get', client.usage);
    const path = metadataPath(parsed.positionals[0] as string);
    const bytes = await client.getBytes(path);
    if (json) io.stdout(`${JSON.stringify(leafValue(bytes))}\n`);
    else if (raw || path === USER_DATA_PATH) io.stdout(bytes);
    else io.stdout(withNewline(utf8.decode(bytes)));
    return EXIT.ok;
  } catch (error) {
    return reportError(io, 'get', error, json);
  }
}

function withNewline(text: string): string {
  return text.endsWith('\n') ? text : `${text}\n`;
}
