/**
 * The CLI's commands, in one place: `imds help`, the dispatcher, the bundler
 * (`scripts/bundle-cli.mjs`) and the client-only package (`scripts/pack-client.mjs`) all read this
 * table, so a new command is one entry and one file.
 */
import type { CommandIo } from './io.js';

/** What a command's module exports. */
export type CommandModule = { run(argv: string[], io: CommandIo): Promise<number> };

/**
 * Which part of the project a command belongs to. `client` commands read a metadata service with
 * the dependency-free client: they are bundled into the CLI's one start-up file
 * (`dist/cli-bundle/main.js`) and ship in the client-only package (`ec2-imds-client`). `full`
 * commands need emulator-side code or the runtime dependencies, so they come only with the full
 * package: each is its own bundle, loaded only when chosen.
 */
export type CommandPart = 'client' | 'full';

/** One command: a one-line summary for `imds help`, its part, and how to load it (only when it is chosen). */
export interface CommandEntry {
  readonly summary: string;
  readonly part: CommandPart;
  readonly load: () => Promise<CommandModule>;
}

export const COMMANDS: Readonly<Record<string, CommandEntry>> = {
  get: {
    summary: 'print one metadata value (imds get instance-id)',
    part: 'client',
    load: () => import('./get.js'),
  },
  ls: { summary: 'list a metadata directory', part: 'client', load: () => import('./ls.js') },
  dump: { summary: 'print the whole metadata tree as JSON', part: 'client', load: () => import('./dump.js') },
  token: { summary: 'print an IMDSv2 session token', part: 'client', load: () => import('./token.js') },
  watch: {
    summary: 'report spot, rebalance, maintenance and lifecycle changes',
    part: 'client',
    load: () => import('./watch.js'),
  },
  serve: { summary: 'run the emulator', part: 'full', load: () => import('./serve.js') },
  proxy: {
    summary: 'audit a metadata service: forward and record who calls',
    part: 'full',
    load: () => import('./proxy.js'),
  },
  audit: {
    summary: 'report the callers that read without a token (IMDSv1)',
    part: 'full',
    load: () => import('./audit.js'),
  },
  record: {
    summary: 'record a metadata service to a file (serve it with serve --from)',
    part: 'full',
    load: () => import('./record.js'),
  },
};
