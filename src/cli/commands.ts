/**
 * The CLI's commands, in one place: `imds help`, the dispatcher and the bundler
 * (`scripts/bundle-cli.mjs` finds every `import('./<name>.js')` here) all read this table, so a new
 * command is one entry and one file.
 */
import type { CommandIo } from './io.js';

/** What a command's module exports. */
export type CommandModule = { run(argv: string[], io: CommandIo): Promise<number> };

/** One command: a one-line summary for `imds help` and how to load it (only when it is chosen). */
export interface CommandEntry {
  readonly summary: string;
  readonly load: () => Promise<CommandModule>;
}

export const COMMANDS: Readonly<Record<string, CommandEntry>> = {
  get: { summary: 'print one metadata value (imds get instance-id)', load: () => import('./get.js') },
  ls: { summary: 'list a metadata directory', load: () => import('./ls.js') },
  dump: { summary: 'print the whole metadata tree as JSON', load: () => import('./dump.js') },
  token: { summary: 'print an IMDSv2 session token', load: () => import('./token.js') },
  watch: {
    summary: 'report spot, rebalance, maintenance and lifecycle changes',
    load: () => import('./watch.js'),
  },
  serve: { summary: 'run the emulator', load: () => import('./serve.js') },
  proxy: {
    summary: 'audit a metadata service: forward and record who calls',
    load: () => import('./proxy.js'),
  },
  audit: {
    summary: 'report the callers that read without a token (IMDSv1)',
    load: () => import('./audit.js'),
  },
  record: {
    summary: 'record a metadata service to a file (serve it with serve --from)',
    load: () => import('./record.js'),
  },
};
