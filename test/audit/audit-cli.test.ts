/**
 * The whole path with real processes: `imds serve` (the built CLI) with attribution and a
 * request log; curl without a token, curl with one, and a node client; then `imds audit --json`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { AuditReport } from '../../src/audit/report.js';

const BIN = join(import.meta.dirname, '../../bin/imds.js');
const dir = mkdtempSync(join(tmpdir(), 'imds-audit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs a program to its end; resolves to its pid, exit code and output. */
function runProgram(
  file: string,
  args: string[],
): Promise<{ pid: number; code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ pid: child.pid as number, code, stdout, stderr }));
  });
}

function startServe(args: string[]): Promise<{ child: ChildProcess; url: string; stderr: () => string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)?.[1];
      if (url) resolve({ child, url, stderr: () => stderr });
    });
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`imds serve exited (${code}): ${stderr}`)));
  });
}

describe.runIf(process.platform === 'linux')('imds audit over a real mixed run', () => {
  it('names each v1 executable and pid; the v2 caller is counted but not listed', async () => {
    const log = join(dir, 'requests.jsonl');
    const serve = await startServe([
      '--http-tokens',
      'optional',
      '--request-log',
      log,
      // Every caller named, however slow this shared host's socket table is to read.
      '--attribution',
      'before',
      '--attribution-budget',
      '100',
    ]);
    const exited = new Promise((resolve) => serve.child.on('exit', resolve));
    try {
      const v1 = await runProgram('curl', [
        '-s',
        '-A',
        'legacy-agent/0.9',
        `${serve.url}/latest/meta-data/instance-id`,
      ]);
      expect(v1.stdout).toMatch(/^i-/);
      const put = await runProgram('curl', [
        '-s',
        '-X',
        'PUT',
        '-H',
        'X-aws-ec2-metadata-token-ttl-seconds: 60',
        `${serve.url}/latest/api/token`,
      ]);
      const v2 = await runProgram('curl', [
        '-s',
        '-H',
        `X-aws-ec2-metadata-token: ${put.stdout}`,
        `${serve.url}/latest/meta-data/ami-id`,
      ]);
      expect(v2.stdout).toMatch(/^ami-/);
      const script = `for (const p of ['/latest/meta-data/hostname', '/latest/meta-data/local-ipv4']) await (await fetch(${JSON.stringify(serve.url)} + p)).text();`;
      const node = await runProgram(process.execPath, ['--input-type=module', '-e', script]);
      expect(node.code).toBe(0);

      serve.child.kill('SIGTERM');
      await exited;
      // The serve log line names the caller of each request.
      expect(serve.stderr()).toMatch(
        new RegExp(
          `GET /latest/meta-data/instance-id 200 v1 127\\.0\\.0\\.1 "legacy-agent/0\\.9" <- /usr/bin/curl pid ${v1.pid} \\(`,
        ),
      );

      const audit = await runProgram(process.execPath, [BIN, 'audit', log, '--json']);
      expect(audit.stderr).toBe('');
      expect(audit.code).toBe(0);
      const report = JSON.parse(audit.stdout) as AuditReport;
      expect(report).toMatchObject({ requests: 5, v1Requests: 3, v2Requests: 1 });
      const curl = realpathSync('/usr/bin/curl');
      expect(
        report.v1Callers.map((caller) => [caller.exe, caller.pids, caller.count, caller.userAgent]),
      ).toEqual([
        [realpathSync(process.execPath), [node.pid], 2, 'node'],
        [curl, [v1.pid], 1, 'legacy-agent/0.9'],
      ]);
      expect(report.v1Callers[0]?.paths).toEqual([
        '/latest/meta-data/hostname',
        '/latest/meta-data/local-ipv4',
      ]);
      expect(report.v1Callers.flatMap((caller) => caller.pids)).not.toContain(v2.pid);

      const table = await runProgram(process.execPath, [BIN, 'audit', log]);
      expect(table.stdout).toContain('5 requests: 3 without a token (IMDSv1), 1 with one');
      expect(table.stdout).toMatch(new RegExp(`1 +0 +${curl} +${v1.pid} `));
    } finally {
      serve.child.kill('SIGTERM');
    }
  });

  it('reports a bad log line by file and line, and a missing input, with exit 2', async () => {
    const bad = join(dir, 'bad.jsonl');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(bad, '{"time":"t","method":"GET","path":"/","version":"v1"}\nnot json\n');
    const audit = await runProgram(process.execPath, [BIN, 'audit', bad]);
    expect(audit.code).toBe(2);
    expect(audit.stderr).toMatch(new RegExp(`^imds audit: ${bad.replace(/[.]/g, '\\.')}:2: not JSON`));
    const none = await runProgram(process.execPath, [BIN, 'audit']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('give a request-log FILE or --control URL');
  });
});
