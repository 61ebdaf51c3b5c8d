/**
 * The control API against a web page on the same machine: simple (no-preflight) requests, other
 * origins, DNS rebinding (a foreign name in `Host`) and preflights are refused before anything
 * runs; allowed names and origins work. Also the listener's own bounds: connection cap and idle
 * timeout. Every attack here worked before the guard (201/200 and a changed state).
 */
import http from 'node:http';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import {
  type ControlServerOptions,
  type RunningControlServer,
  startControlServer,
} from '../../src/control/control-server.js';
import { Controller } from '../../src/control/controller.js';
import { guardControlRequest, hostNameOf, isAllowedHost } from '../../src/control/request-guard.js';
import { Emulator } from '../../src/server/emulator.js';
import { T0 } from '../scenarios/http.js';

let emulator: Emulator;
let control: RunningControlServer;

async function setup(options: Partial<ControlServerOptions> = {}) {
  emulator = new Emulator({ clock: new ManualClock(T0), httpTokens: 'required' });
  control = await startControlServer({ controller: new Controller(emulator), port: 0, ...options });
}
afterEach(async () => {
  await control?.close();
});

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: { error?: string; message?: string } & Record<string, unknown>;
}

/** A raw request, so `Host`, `Origin` and `Sec-Fetch-*` can be set as a browser would. */
function call(method: string, path: string, headers: Record<string, string>, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      { host: '127.0.0.1', port: control.port, method, path, headers, agent: false },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: text ? JSON.parse(text) : {},
          });
        });
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}
const own = () => ({ host: `127.0.0.1:${control.port}` });
const ATTACK = JSON.stringify({ type: 'http-tokens', mode: 'optional' });

describe('the control API refuses web pages', () => {
  it('refuses a text/plain POST (a simple request) with 415, and IMDSv2 stays required', async () => {
    await setup();
    const answer = await call('POST', '/scenarios', { ...own(), 'content-type': 'text/plain' }, ATTACK);
    expect(answer.status).toBe(415);
    expect(answer.body.error).toBe('unsupported-media-type');
    expect(answer.body.message).toContain('Content-Type');
    expect(emulator.stateAt().httpTokens).toBe('required');
    expect(emulator.timeline.list()).toHaveLength(0);
  });

  it('refuses form and missing content types on every method with a body', async () => {
    await setup();
    for (const [method, path] of [
      ['PUT', '/values/user-data'],
      ['POST', '/scenarios'],
      ['PATCH', '/settings'],
      ['POST', '/clock'],
    ] as const) {
      for (const type of [
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        undefined,
      ]) {
        const answer = await call(
          method,
          path,
          { ...own(), ...(type ? { 'content-type': type } : {}) },
          '{"value":"#!/bin/sh"}',
        );
        expect(answer.status, `${method} ${path} ${type}`).toBe(415);
      }
    }
    expect(emulator.instance.overrides ?? {}).toEqual({});
  });

  it('refuses a foreign Host (DNS rebinding) on reads and writes with 403 naming the header', async () => {
    await setup();
    for (const [method, path] of [
      ['GET', '/state'],
      ['POST', '/reset'],
      ['GET', '/requests'],
    ] as const) {
      const answer = await call(method, path, { host: `attacker.example:${control.port}` });
      expect(answer.status).toBe(403);
      expect(answer.body.error).toBe('forbidden-host');
      expect(answer.body.message).toContain("Host header 'attacker.example:");
      expect(answer.body).not.toHaveProperty('instance');
    }
  });

  it('refuses a cross-origin page, and a no-cors read marked Sec-Fetch-Site: cross-site', async () => {
    await setup();
    const post = await call(
      'POST',
      '/scenarios',
      { ...own(), origin: 'http://evil.example', 'content-type': 'application/json' },
      ATTACK,
    );
    expect(post.status).toBe(403);
    expect(post.body.error).toBe('forbidden-origin');
    expect(post.body.message).toContain('Origin');
    // Another port of localhost is another origin too.
    const local = await call('GET', '/state', {
      host: `localhost:${control.port}`,
      origin: 'http://localhost:3000',
    });
    expect(local.status).toBe(403);
    const read = await call('GET', '/state', { ...own(), 'sec-fetch-site': 'cross-site' });
    expect(read.status).toBe(403);
    expect(read.body.message).toContain('Sec-Fetch-Site');
    expect(emulator.stateAt().httpTokens).toBe('required');
  });

  it('refuses the preflight of a page not allowed, and sends no CORS headers', async () => {
    await setup();
    const preflight = await call('OPTIONS', '/scenarios', {
      ...own(),
      origin: 'http://evil.example',
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'content-type',
    });
    expect(preflight.status).toBe(403);
    expect(Object.keys(preflight.headers).filter((name) => name.startsWith('access-control-'))).toEqual([]);
    const plain = await call('GET', '/state', own());
    expect(plain.status).toBe(200);
    expect(Object.keys(plain.headers).filter((name) => name.startsWith('access-control-'))).toEqual([]);
  });

  it('serves curl-style requests: IP literals, localhost, JSON bodies, no Origin', async () => {
    await setup();
    for (const host of [
      `127.0.0.1:${control.port}`,
      `localhost:${control.port}`,
      'LOCALHOST',
      '[::1]:1',
      'app.localhost',
    ]) {
      expect((await call('GET', '/state', { host })).status, host).toBe(200);
    }
    const set = await call(
      'PUT',
      '/values/user-data',
      { ...own(), 'content-type': 'application/json' },
      '"#!/bin/sh"',
    );
    expect(set.status).toBe(200);
    expect(set.body).toEqual({ 'user-data': '#!/bin/sh' });
    // A page served by the control listener itself (same origin) may call it.
    const same = await call('POST', '/reset', { ...own(), origin: `http://127.0.0.1:${control.port}` });
    expect(same.status).toBe(200);
  });

  it('answers to a name given in allowedHosts, and only that one', async () => {
    await setup({ allowedHosts: ['IMDS-Control'] });
    expect((await call('GET', '/state', { host: `imds-control:${control.port}` })).status).toBe(200);
    expect(
      (await call('GET', '/state', { host: `imds-control.attacker.example:${control.port}` })).status,
    ).toBe(403);
  });

  it('lets an allowed origin through its preflight and sends it CORS headers', async () => {
    await setup({ allowedOrigins: ['http://localhost:5173'] });
    const preflight = await call('OPTIONS', '/scenarios', {
      ...own(),
      origin: 'http://localhost:5173',
      'access-control-request-method': 'POST',
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe('http://localhost:5173');
    expect(preflight.headers['access-control-allow-headers']).toBe('Authorization, Content-Type');
    const post = await call(
      'POST',
      '/scenarios',
      {
        ...own(),
        origin: 'http://localhost:5173',
        'sec-fetch-site': 'same-site',
        'content-type': 'application/json',
      },
      JSON.stringify({ type: 'rebalance-recommendation' }),
    );
    expect(post.status).toBe(201);
    expect(post.headers['access-control-allow-origin']).toBe('http://localhost:5173');
    expect(post.headers.vary).toBe('Origin');
    expect((await call('GET', '/state', { ...own(), origin: 'http://localhost:5174' })).status).toBe(403);
  });

  it('answers a malformed request target with 400, not 500', async () => {
    await setup();
    for (const target of ['//state', 'http://other.example/state', '*', '/values/%E0%A4%A']) {
      const answer = await rawStatus(
        `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`,
      );
      expect(answer, target).toMatch(/^HTTP\/1\.1 400 /);
    }
  });
});

describe('the control listener has bounds like the metadata port', () => {
  it('closes connections past maxConnections on accept, and serves again once they leave', async () => {
    await setup({ limits: { maxConnections: 3 } });
    const held = await Promise.all([1, 2, 3].map(() => connect()));
    const extra = await connect();
    await new Promise((resolve) => extra.once('close', resolve));
    expect(held.filter((socket) => socket.destroyed)).toHaveLength(0);
    for (const socket of held) socket.destroy();
    await waitFor(async () =>
      (await rawStatus(`GET /state HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`)).startsWith(
        'HTTP/1.1 200',
      ),
    );
  });

  it('closes an idle connection after idleTimeoutMs', async () => {
    await setup({ limits: { idleTimeoutMs: 200, requestTimeoutMs: 200 } });
    const idle = await connect();
    await new Promise((resolve) => idle.once('close', resolve));
    expect(idle.destroyed).toBe(true);
  });

  it('refuses limits that are not positive integers', async () => {
    await expect(
      startControlServer({
        controller: new Controller(new Emulator()),
        port: 0,
        limits: { idleTimeoutMs: 0 },
      }),
    ).rejects.toThrow(/limits\.idleTimeoutMs/);
  });
});

describe('the guard as a pure function', () => {
  const policy = { allowedHosts: [], allowedOrigins: [] };
  it('parses Host values and knows which cannot be rebound', () => {
    expect(hostNameOf('Example.COM.:80')).toBe('example.com');
    expect(hostNameOf('[::1]:8080')).toBe('::1');
    expect(hostNameOf('a b')).toBeUndefined();
    expect(isAllowedHost('10.0.0.5:1', [])).toBe(true);
    expect(isAllowedHost('localhost.attacker.example', [])).toBe(false);
    expect(isAllowedHost(undefined, [])).toBe(false);
  });
  it('lets body-less requests through without a content type, and refuses a missing Host', () => {
    expect(guardControlRequest('POST', { host: 'localhost', 'content-length': '0' }, policy)).toEqual({
      headers: {},
    });
    expect(guardControlRequest('GET', {}, policy).refuse?.message).toContain('Host header is missing');
    expect(
      guardControlRequest('PUT', { host: 'localhost', 'transfer-encoding': 'chunked' }, policy).refuse
        ?.status,
    ).toBe(415);
  });
});

function connect(): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(control.port, '127.0.0.1');
    socket.on('error', () => {});
    // Flowing, so the server's close is read and 'close' fires.
    socket.resume();
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

function rawStatus(bytes: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(control.port, '127.0.0.1', () => socket.write(bytes));
    let text = '';
    socket.on('data', (chunk) => {
      text += chunk.toString('latin1');
    });
    socket.on('error', () => {});
    socket.on('close', () => resolve(text));
  });
}

async function waitFor(check: () => Promise<boolean>): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('condition never held');
}
