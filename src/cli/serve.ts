/**
 * `imds serve`: runs the emulator until SIGINT/SIGTERM.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { EXIT, type CommandIo } from './io.js';
import { ListenError } from '../server/listen.js';
import { startEmulator } from '../server/start.js';
import { DEFAULT_EMULATOR_HOST, DEFAULT_EMULATOR_PORT, IPV4_HOST, TOKEN_HEADER, TOKEN_PATH, TOKEN_TTL_HEADER, type HttpEndpoint, type HttpTokens } from '../wire.js';

const HELP = `Usage: imds serve [options]

Runs a local EC2 instance metadata service (IMDSv1/v2) on the built-in instance.

Options:
  --host ADDR                  address to listen on (default ${DEFAULT_EMULATOR_HOST})
  --port N                     port, 0 picks a free one (default ${DEFAULT_EMULATOR_PORT})
  --http-tokens MODE           required (IMDSv2 only, default) | optional (IMDSv1 allowed)
  --http-endpoint MODE         enabled (default) | disabled (every request gets 403)
  --link-local                 listen on ${IPV4_HOST}:80, as on EC2; only inside a network namespace
                               where that address is on an interface (see docs/link-local.md)
  --identity-key FILE          PEM private key that signs the identity document (default: generated)
  --identity-cert FILE         PEM certificate for that key
  --write-certificate FILE     write the signing certificate (PEM) there, to verify documents with openssl
  -h, --help                   show this help
`;

const OPTIONS = {
  host: { type: 'string' },
  port: { type: 'string' },
  'http-tokens': { type: 'string' },
  'http-endpoint': { type: 'string' },
  'link-local': { type: 'boolean' },
  'identity-key': { type: 'string' },
  'identity-cert': { type: 'string' },
  'write-certificate': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

class UsageError extends Error {
  override readonly name = 'UsageError';
}

function oneOf<T extends string>(flag: string, value: string | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`--${flag} must be one of ${allowed.join(', ')}; got '${value}'`);
}

function portOf(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const port = Number(value);
  if (!/^[0-9]+$/.test(value) || port > 65_535) throw new UsageError(`--port must be an integer from 0 to 65535; got '${value}'`);
  return port;
}

function readPem(flag: string, path: string | undefined): string | undefined {
  if (path === undefined) return undefined;
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`--${flag}: cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}

export async function run(argv: string[], io: CommandIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: false }).values;
  } catch (error) {
    io.stderr(`imds serve: ${(error as Error).message}\n\n${HELP}`);
    return EXIT.usage;
  }
  if (parsed.help) {
    io.stdout(HELP);
    return EXIT.ok;
  }
  let running;
  try {
    const linkLocal = parsed['link-local'] === true;
    const keyPem = readPem('identity-key', parsed['identity-key']);
    const certificatePem = readPem('identity-cert', parsed['identity-cert']);
    running = await startEmulator({
      host: parsed.host ?? (linkLocal ? IPV4_HOST : DEFAULT_EMULATOR_HOST),
      port: portOf(parsed.port, linkLocal ? 80 : DEFAULT_EMULATOR_PORT),
      httpTokens: oneOf<HttpTokens>('http-tokens', parsed['http-tokens'], ['required', 'optional'], 'required'),
      httpEndpoint: oneOf<HttpEndpoint>('http-endpoint', parsed['http-endpoint'], ['enabled', 'disabled'], 'enabled'),
      identity: { ...(keyPem ? { keyPem } : {}), ...(certificatePem ? { certificatePem } : {}) },
    });
    if (parsed['write-certificate']) writeFileSync(parsed['write-certificate'], running.emulator.signer.certificatePem);
  } catch (error) {
    if (error instanceof UsageError || error instanceof ListenError || (error as Error).name === 'IdentityKeyError') {
      io.stderr(`imds serve: ${(error as Error).message}\n`);
      return EXIT.usage;
    }
    throw error;
  }
  io.stdout(banner(running.url, running.emulator.httpTokens));
  await waitForSignal();
  await running.close();
  io.stderr('imds serve: stopped\n');
  return EXIT.ok;
}

function banner(url: string, httpTokens: string): string {
  return `IMDS emulator listening on ${url} (HttpTokens=${httpTokens})
Try:
  TOKEN=$(curl -s -X PUT "${url}${TOKEN_PATH}" -H "${wireName(TOKEN_TTL_HEADER)}: 21600")
  curl -s -H "${wireName(TOKEN_HEADER)}: $TOKEN" ${url}/latest/meta-data/instance-id
Point AWS SDKs at it: export AWS_EC2_METADATA_SERVICE_ENDPOINT=${url}
`;
}

/** `X-aws-ec2-metadata-token` as the AWS docs spell it in curl examples. */
function wireName(header: string): string {
  return header.replace(/^x-aws-ec2/, 'X-aws-ec2');
}

function waitForSignal(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
