/** `imds serve` as a user runs it: a real process, a real port, signals and bad flags. */
import { spawn, spawnSync } from 'node:child_process';
import net from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const bin = join(resolve(dirname(fileURLToPath(import.meta.url)), '..', '..'), 'bin', 'imds.js');

function serve(args: string[]) {
  const child = spawn(process.execPath, [bin, 'serve', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  const url = new Promise<string>((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`no banner: ${stdout} ${stderr}`)), 10_000);
    child.stdout.on('data', () => {
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout);
      if (match) {
        clearTimeout(timer);
        done(match[1]!);
      }
    });
  });
  return { child, url, exited, output: () => ({ stdout, stderr }) };
}

describe('imds serve', () => {
  it('with --port 0 prints the real URL and a curl pair that works, then stops cleanly on SIGTERM', async () => {
    const server = serve(['--port', '0']);
    const url = await server.url;
    expect(url).not.toMatch(/:0$/);
    expect(server.output().stdout).toContain(`curl -s -X PUT "${url}/latest/api/token"`);
    const token = await (
      await fetch(`${url}/latest/api/token`, {
        method: 'PUT',
        headers: { 'X-aws-ec2-metadata-token-ttl-seconds': '60' },
      })
    ).text();
    const id = await fetch(`${url}/latest/meta-data/instance-id`, {
      headers: { 'X-aws-ec2-metadata-token': token },
    });
    expect(await id.text()).toBe('i-0410f3c9b2d5e8a71');
    expect((await fetch(`${url}/latest/meta-data/instance-id`)).status).toBe(401);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  });

  it('with --http-tokens optional serves token-less GETs; stops on SIGINT', async () => {
    const server = serve(['--port', '0', '--http-tokens', 'optional']);
    const url = await server.url;
    expect(await (await fetch(`${url}/latest/meta-data/instance-type`)).text()).toBe('t3.micro');
    server.child.kill('SIGINT');
    expect(await server.exited).toBe(0);
  });

  it('exits 2 with a clear message when the port is taken', async () => {
    const blocker = net.createServer();
    await new Promise<void>((done) => blocker.listen(0, '127.0.0.1', done));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const run = spawnSync(process.execPath, [bin, 'serve', '--port', String(port)], {
        encoding: 'utf8',
        timeout: 10_000,
      });
      expect(run.status).toBe(2);
      expect(run.stderr).toContain(`already in use (127.0.0.1:${port})`);
    } finally {
      blocker.close();
    }
  });

  it.each([
    [['--http-tokens', 'sometimes'], /--http-tokens must be one of required, optional; got 'sometimes'/],
    [['--port', '99999'], /--port must be an integer from 0 to 65535/],
    [['--port', 'eighty'], /--port must be an integer/],
    [['--no-such-flag'], /unknown option '--no-such-flag'/],
    [['--prot', '0'], /unknown option '--prot'; did you mean --port\?/],
    [
      ['--identity-key', '/nonexistent/key.pem'],
      /--identity-key: cannot read \/nonexistent\/key.pem: ENOENT/,
    ],
  ])('exits 2 on bad flags %j', (args, message) => {
    const run = spawnSync(process.execPath, [bin, 'serve', ...args], { encoding: 'utf8', timeout: 10_000 });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(message);
  });
});
