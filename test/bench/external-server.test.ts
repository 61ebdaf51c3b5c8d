import { existsSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { crashReason, freeLoopbackPort, startExternalServer } from '../../bench/support/external-server.js';

/**
 * A stand-in for a server that dies under load the way the Go peer does: it answers the readiness
 * PUT, logs a line per request to stderr, and on its third request prints a Go-style crash report
 * (the reason, then stacks) and exits 2.
 */
const CRASHING_SERVER = `
const port = Number(process.argv[1]);
let requests = 0;
require('node:http').createServer((request, response) => {
  requests++;
  process.stderr.write('request ' + requests + ' ' + request.method + ' ' + request.url + '\\n');
  if (requests === 3) {
    process.stderr.write('fatal error: concurrent map writes\\n\\ngoroutine 7 [running]:\\nmain.handler()\\n');
    process.exit(2);
  }
  response.end('token-' + requests);
}).listen(port, '127.0.0.1');
`;

async function startCrashing() {
  const port = await freeLoopbackPort();
  return startExternalServer({
    name: 'crashing',
    command: process.execPath,
    args: ['-e', CRASHING_SERVER, String(port)],
    url: `http://127.0.0.1:${port}`,
  });
}

async function send(url: string): Promise<void> {
  try {
    await fetch(`${url}/latest/meta-data/instance-id`);
  } catch {
    // The third request finds the server gone; that is the point.
  }
}

async function until(check: () => boolean): Promise<void> {
  for (let attempt = 0; attempt < 400 && !check(); attempt++)
    await new Promise((resolve) => setTimeout(resolve, 25));
}

describe('crashReason', () => {
  it('picks the Go runtime fatal error over the stacks and log lines around it', () => {
    const stderr =
      'log line 1\nlog line 2\nfatal error: concurrent map writes\n\ngoroutine 7 [running]:\nruntime.throw()\n';
    expect(crashReason(stderr)).toBe('fatal error: concurrent map writes');
  });

  it('picks a panic line', () => {
    expect(crashReason('x\npanic: runtime error: index out of range\n\ngoroutine 1:\n')).toBe(
      'panic: runtime error: index out of range',
    );
  });

  it('falls back to the last three non-empty lines', () => {
    expect(crashReason('a\nb\nc\nd\n\n')).toBe('b | c | d');
    expect(crashReason('')).toBe('');
  });
});

describe('startExternalServer', () => {
  it('reports a server that died with the reason from its stderr file', async () => {
    const server = await startCrashing();
    try {
      expect(server.death()).toBeUndefined();
      await send(server.url);
      await send(server.url);
      await until(() => server.death() !== undefined);
      expect(server.death()).toBe('exited (2): fatal error: concurrent map writes');
    } finally {
      await server.stop();
    }
  });

  it('trimLog empties the log of a live server, and the crash written after it is still read', async () => {
    const server = await startCrashing();
    try {
      await send(server.url);
      expect(statSync(server.logFile).size).toBeGreaterThan(0);
      server.trimLog();
      expect(statSync(server.logFile).size).toBe(0);
      await send(server.url);
      await until(() => server.death() !== undefined);
      expect(server.death()).toBe('exited (2): fatal error: concurrent map writes');
    } finally {
      await server.stop();
    }
  });

  it('removes its log file when stopped, whether it was running or had died', async () => {
    const running = await startCrashing();
    expect(existsSync(running.logFile)).toBe(true);
    await running.stop();
    expect(existsSync(running.logFile)).toBe(false);

    const dead = await startCrashing();
    await send(dead.url);
    await send(dead.url);
    await until(() => dead.death() !== undefined);
    expect(existsSync(dead.logFile)).toBe(true);
    await dead.stop();
    expect(existsSync(dead.logFile)).toBe(false);
  });
});
