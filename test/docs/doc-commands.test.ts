/**
 * Every shell block of README.md and docs/ marked `<!-- run: emulator -->` is run as written,
 * against emulators of this checkout on loopback, and fails on any error. In a marked block:
 * - each `imds serve ...` line starts an emulator (kept running while the block runs, stopped with
 *   SIGINT after, and it must then exit 0). The documented ports (1338 for metadata, 1339 for the
 *   control API) become free ports: `--port 1338` and `--control-port 1339` are rewritten to 0
 *   and `IMDS_PORT=0` is set, and every `127.0.0.1:1338`/`localhost:1339` in the block points at
 *   the first emulator's real address. `--print-config` and `--help` lines just run.
 * - a block without an `imds serve` line runs against a fresh default emulator.
 * - the other lines run as one bash script (`set -e`, pipefail) in a scratch folder that sees the
 *   repository's `examples/`, with `imds` on PATH. `AWS_EC2_METADATA_SERVICE_ENDPOINT` is set to
 *   the emulator as a safety net; the docs set it themselves. `curl` fails on HTTP errors there.
 * Blocks that need podman, a browser, a network namespace or a real instance are not marked.
 */
import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..', '..');
const MARKER = /<!-- run: emulator -->\n```(?:sh|bash)\n([\s\S]*?)```/g;
const PAGES = [
  'README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`),
];

interface Block {
  readonly page: string;
  readonly index: number;
  readonly text: string;
}

function blocks(): Block[] {
  return PAGES.flatMap((page) =>
    [...readFileSync(join(ROOT, page), 'utf8').matchAll(MARKER)].map((match, index) => ({
      page,
      index,
      text: match[1] as string,
    })),
  );
}

const scratch = mkdtempSync(join(tmpdir(), 'imds-doc-commands-'));
const binDir = join(scratch, 'bin');
mkdirSync(binDir);
writeFileSync(
  join(binDir, 'imds'),
  `#!/bin/sh\nexec "${process.execPath}" "${join(ROOT, 'bin', 'imds.js')}" "$@"\n`,
);
chmodSync(join(binDir, 'imds'), 0o755);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The environment commands run in: nothing inherited that could point a client elsewhere. */
function baseEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: `${binDir}:${process.env.PATH}`,
    HOME: scratch,
    IMDS_PORT: '0',
    NO_COLOR: '1',
  };
  return env;
}

interface Server {
  readonly url: string;
  readonly control?: string;
  stop(): Promise<{ code: number | null; stderr: string }>;
}

function startServer(line: string, cwd: string): Promise<Server> {
  const command = line
    .replace(/--port 1338\b/, '--port 0')
    .replace(/--control-port 1339\b/, '--control-port 0');
  const child = spawn('bash', ['-c', `exec ${command}`], { cwd, env: baseEnv() });
  let out = '';
  let err = '';
  child.stderr.on('data', (chunk) => (err += chunk));
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  return new Promise((resolveStart, reject) => {
    const timer = setTimeout(() => reject(new Error(`'${line}' printed no banner in 20 s: ${err}`)), 20_000);
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
      const control = /Control API on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
      const wantsControl = /--control-port|IMDS_CONTROL_PORT/.test(line);
      if (url && (control || !wantsControl)) {
        clearTimeout(timer);
        resolveStart({
          url,
          ...(control ? { control } : {}),
          stop: async () => {
            child.kill('SIGINT');
            return { code: await exited, stderr: err };
          },
        });
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`'${line}' exited ${code} before serving: ${err}`));
    });
  });
}

/** Lines of a block, with `\` continuations joined. */
function commandLines(text: string): string[] {
  return text.replace(/\\\n\s*/g, ' ').split('\n');
}

/**
 * Before each block: stop at the first failing command and name it; curl fails on an HTTP error
 * status too (a doc command answered 404 is a broken doc command, though plain curl exits 0).
 */
const PRELUDE = `set -eo pipefail
trap 'echo "failed: $BASH_COMMAND" >&2' ERR
curl() { command curl --fail-with-body "$@"; }
`;

const isServeLine = (line: string) =>
  /^imds serve\b/.test(line.trim()) && !/--print-config|--help|(^|\s)-h(\s|$)/.test(line);

describe('shell commands in README.md and docs/', () => {
  const found = blocks();

  it('there are marked blocks on the pages that show emulator commands', () => {
    const pages = new Set(found.map((block) => block.page));
    for (const page of ['README.md', 'docs/client.md', 'docs/configuration.md', 'docs/control-api.md'])
      expect(pages, page).toContain(page);
  });

  it('no marked block names the real metadata service', () => {
    for (const block of found) expect(block.text, block.page).not.toMatch(/169\.254\.169\.254|fd00:ec2::254/);
  });

  it.each(found.map((block) => [`${block.page} #${block.index + 1}`, block] as const))(
    '%s runs without error',
    async (_name, block) => {
      const cwd = join(scratch, `${block.page.replace(/\W/g, '_')}-${block.index}`);
      mkdirSync(cwd, { recursive: true });
      symlinkSync(join(ROOT, 'examples'), join(cwd, 'examples'), 'dir');
      const lines = commandLines(block.text);
      const serveLines = lines.filter(isServeLine);
      const servers: Server[] = [];
      try {
        for (const line of serveLines.length > 0 ? serveLines : ['imds serve --port 0'])
          servers.push(await startServer(line.replace(/\s+#.*$/, ''), cwd));
        const [first] = servers as [Server];
        const script = lines
          .filter((line) => !isServeLine(line))
          .join('\n')
          .replace(/(?:http:\/\/)?(?:127\.0\.0\.1|localhost):1338\b/g, first.url)
          .replace(/(?:http:\/\/)?(?:127\.0\.0\.1|localhost):1339\b/g, first.control ?? 'http://127.0.0.1:9');
        const result = spawnSync('bash', ['-c', `${PRELUDE}${script}`], {
          cwd,
          env: { ...baseEnv(), AWS_EC2_METADATA_SERVICE_ENDPOINT: first.url },
          encoding: 'utf8',
          timeout: 60_000,
        });
        expect(result.status, `${block.page}: ${result.stderr}`).toBe(0);
      } finally {
        for (const server of servers) {
          const { code, stderr } = await server.stop();
          expect(code, `${block.page}: imds serve: ${stderr}`).toBe(0);
        }
      }
    },
    90_000,
  );
});
