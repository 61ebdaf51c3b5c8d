/**
 * A `CommandIo` that records what a command writes, with an environment that points the client
 * at a loopback emulator (and nowhere else: the real metadata variables of the machine running
 * the tests are not inherited).
 */
import type { CommandIo } from '../../../src/cli/io.js';
import { resolveImdsConfig } from '../../../src/client/config.js';
import { assertLoopbackUrl } from '../../client/helpers/network-guard.js';

export interface RecordingIo extends CommandIo {
  /** Everything written to stdout, as bytes. */
  stdoutBytes(): Buffer;
  /** Everything written to stdout, as UTF-8 text. */
  out(): string;
  /** Everything written to stderr. */
  err(): string;
}

/** An io whose environment is exactly `env`; checks that it resolves to a loopback endpoint. */
export function fakeIo(env: Record<string, string>): RecordingIo {
  const { AWS_EC2_METADATA_SERVICE_ENDPOINT, AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE } = env;
  assertLoopbackUrl(
    resolveImdsConfig({}, { AWS_EC2_METADATA_SERVICE_ENDPOINT, AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE })
      .endpoint,
  );
  const stdout: Buffer[] = [];
  const stderr: string[] = [];
  return {
    env,
    stdout: (text) => stdout.push(typeof text === 'string' ? Buffer.from(text) : Buffer.from(text)),
    stderr: (text) => stderr.push(text),
    stdoutBytes: () => Buffer.concat(stdout),
    out: () => Buffer.concat(stdout).toString('utf8'),
    err: () => stderr.join(''),
  };
}

/** The environment that points a command at `url`. */
export function endpointEnv(url: string, extra: Record<string, string> = {}): Record<string, string> {
  return { AWS_EC2_METADATA_SERVICE_ENDPOINT: url, ...extra };
}
