import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Attributor, type Caller } from '../../src/audit/attributor.js';
import type { ConnectionEnds } from '../../src/server/exchange.js';
import { checkUpstream, ProxyUpstreamError, startProxy, type RunningProxy } from '../../src/proxy/proxy.js';
import { startImds, type Imds } from '../../src/testing/index.js';
import { exchange, get } from './raw-exchange.js';

let imds: Imds | undefined;
let proxy: RunningProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  await imds?.close();
  proxy = undefined;
  imds = undefined;
});

describe('imds proxy: the upstream', () => {
  it('refuses a non-loopback upstream unless explicitly allowed, and anything but http://host:port', async () => {
    expect(() => checkUpstream('http://169.254.169.254', false)).toThrow(ProxyUpstreamError);
    expect(() => checkUpstream('http://169.254.169.254', false)).toThrow(/--allow-remote-upstream/);
    expect(() => checkUpstream('http://[fd00:ec2::254]', false)).toThrow(/not a loopback address/);
    expect(() => checkUpstream('http://10.0.0.1:80', false)).toThrow(ProxyUpstreamError);
    expect(checkUpstream('http://169.254.169.254', true).hostname).toBe('169.254.169.254');
    expect(checkUpstream('http://127.0.0.1:1338', false).port).toBe('1338');
    expect(checkUpstream('http://[::1]:1338', false).hostname).toBe('[::1]');
    expect(() => checkUpstream('https://127.0.0.1', false)).toThrow(/only http/);
    expect(() => checkUpstream('http://127.0.0.1/latest', false)).toThrow(/only scheme, host and port/);
    expect(() => checkUpstream('not a url', false)).toThrow(/not a URL/);
    await expect(startProxy({ upstream: 'http://169.254.169.254' })).rejects.toThrow(ProxyUpstreamError);
  });
});

describe('imds proxy: forwarding', () => {
  it('passes requests and responses byte for byte (a direct and a proxied crawl are identical)', async () => {
    imds = await startImds({ httpTokens: 'optional' });
    proxy = await startProxy({ upstream: imds.url });
    const paths = [
      '/',
      '/latest/meta-data/',
      '/latest/meta-data/instance-id',
      '/latest/meta-data/nope',
      '/latest/user-data',
    ];
    const queue = [...paths];
    let compared = 0;
    while (queue.length > 0) {
      const path = queue.shift() as string;
      const direct = await exchange(imds.url, get(path));
      const proxied = await exchange(proxy.url, get(path));
      expect(proxied.bytes.equals(direct.bytes), path).toBe(true);
      expect(proxied.ending).toBe(direct.ending);
      compared++;
      const text = direct.bytes.toString('latin1');
      if (path === '/latest/meta-data/' && text.startsWith('HTTP/1.1 200')) {
        const body = text.slice(text.indexOf('\r\n\r\n') + 4);
        for (const entry of body.split('\n').slice(0, 12))
          if (entry && !entry.endsWith('/')) queue.push(path + entry);
      }
    }
    expect(compared).toBeGreaterThan(10);
    // The upstream saw each request twice: once direct, once through the proxy.
    expect(imds.requests).toHaveLength(compared * 2);
    expect(proxy.requests.total).toBe(compared);
  });

  it('forwards a token PUT and a v2 read; logs token-request, v2 and bad-token', async () => {
    imds = await startImds({ httpTokens: 'required' });
    proxy = await startProxy({ upstream: imds.url });
    const put = await exchange(
      proxy.url,
      'PUT /latest/api/token HTTP/1.1\r\nHost: 169.254.169.254\r\nX-aws-ec2-metadata-token-ttl-seconds: 60\r\nContent-Length: 0\r\n\r\n',
    );
    const text = put.bytes.toString('latin1');
    expect(text).toMatch(/^HTTP\/1\.1 200/);
    const token = text.slice(text.indexOf('\r\n\r\n') + 4);
    const read = await exchange(
      proxy.url,
      get('/latest/meta-data/instance-id', { 'X-aws-ec2-metadata-token': token }),
    );
    expect(read.bytes.toString('latin1')).toMatch(/^HTTP\/1\.1 200[\s\S]*\r\n\r\ni-/);
    const bad = await exchange(
      proxy.url,
      get('/latest/meta-data/instance-id', { 'X-aws-ec2-metadata-token': 'x' }),
    );
    expect(bad.bytes.toString('latin1')).toMatch(/^HTTP\/1\.1 401/);
    expect(proxy.requests.entries().map((entry) => [entry.access, entry.status])).toEqual([
      ['token-request', 200],
      ['v2', 200],
      ['bad-token', 401],
    ]);
  });

  it('does not turn a dropped token response into a success, nor a reset into an answer', async () => {
    imds = await startImds({ httpTokens: 'required', faults: [{ type: 'hop-limit' }] });
    proxy = await startProxy({ upstream: imds.url });
    const put = await exchange(
      proxy.url,
      'PUT /latest/api/token HTTP/1.1\r\nHost: 169.254.169.254\r\nX-aws-ec2-metadata-token-ttl-seconds: 60\r\nContent-Length: 0\r\n\r\n',
      1_500,
    );
    expect(put).toEqual({ bytes: Buffer.alloc(0), ending: 'silence' });
    imds.trigger({ type: 'endpoint-off', response: 'reset' });
    const reset = await exchange(proxy.url, get('/latest/meta-data/'));
    expect(reset.bytes.length).toBe(0);
    expect(reset.ending).toBe('ECONNRESET');
  });
});

describe('imds proxy: enforcement', () => {
  it('dry-run forwards token-less reads and marks them; v2 reads are not marked', async () => {
    imds = await startImds({ httpTokens: 'optional' });
    proxy = await startProxy({ upstream: imds.url, enforce: 'dry-run' });
    const v1 = await exchange(proxy.url, get('/latest/meta-data/instance-id'));
    expect(v1.bytes.toString('latin1')).toMatch(/^HTTP\/1\.1 200/);
    expect(proxy.requests.entries()).toMatchObject([{ access: 'v1', status: 200, enforced: 'dry-run' }]);
    expect(imds.requests).toHaveLength(1);
  });

  it('on: answers token-less reads 401 itself, exactly as the service would, without asking the upstream', async () => {
    imds = await startImds({ httpTokens: 'required' });
    proxy = await startProxy({ upstream: imds.url, enforce: 'on' });
    const direct = await exchange(imds.url, get('/latest/meta-data/instance-id'));
    const refused = await exchange(proxy.url, get('/latest/meta-data/instance-id'));
    expect(refused.bytes.toString('latin1')).toMatch(/^HTTP\/1\.1 401/);
    // Same bytes as the (required-mode) emulator's 401; both clocks are the same second here.
    const strip = (bytes: Buffer) => bytes.toString('latin1').replace(/\r\nDate: [^\r]*/, '');
    expect(strip(refused.bytes)).toBe(strip(direct.bytes));
    expect(imds.requests).toHaveLength(1); // only the direct one
    expect(proxy.requests.entries()).toMatchObject([{ access: 'v1', status: 401, enforced: 'refused' }]);
  });
});

describe.runIf(process.platform === 'linux')('imds proxy: callers', () => {
  it('records the calling process of each proxied request', async () => {
    imds = await startImds({ httpTokens: 'optional' });
    const attribution = new Attributor({
      mode: 'before',
      maxDutyCycle: 1,
      burstMs: Number.POSITIVE_INFINITY,
    });
    proxy = await startProxy({ upstream: imds.url, attribution });
    const settled = new Promise((resolve) => proxy?.onRequest(resolve));
    await (await fetch(`${proxy.url}/latest/meta-data/`)).text();
    await settled;
    const [entry] = proxy.requests.entries();
    expect(entry?.caller).toMatchObject({ status: 'resolved', pid: process.pid });
    attribution.close();
  });
});

describe('imds proxy: one lookup per request, whatever becomes of it', () => {
  it('forwarded, refused by --enforce on, dropped at the hop limit, upstream unreachable: each looked up once', async () => {
    imds = await startImds({ httpTokens: 'optional' });
    const calls: { peerPort: number; localPort: number }[] = [];
    // Counts lookups and answers at once, as `before` mode does.
    const attribution = {
      attribute(ends: ConnectionEnds, done: (caller: Caller) => void) {
        calls.push({ peerPort: ends.peerPort, localPort: ends.localPort });
        done({ status: 'exited' });
      },
    } as unknown as Attributor;
    const put =
      'PUT /latest/api/token HTTP/1.1\r\nHost: 169.254.169.254\r\nX-aws-ec2-metadata-token-ttl-seconds: 60\r\nContent-Length: 0\r\n\r\n';
    proxy = await startProxy({
      upstream: imds.url,
      attribution,
      enforce: 'on',
      metadataOptions: { httpPutResponseHopLimit: 1, containerClients: ['127.0.0.2'] },
    });
    await exchange(proxy.url, get('/latest/meta-data/instance-id', { 'X-aws-ec2-metadata-token': 'x' }));
    await exchange(proxy.url, get('/latest/meta-data/instance-id'));
    await exchange(proxy.url, put, 300, '127.0.0.2');
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as net.AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const unreachable = await startProxy({ upstream: `http://127.0.0.1:${port}`, attribution });
    try {
      await exchange(unreachable.url, get('/latest/meta-data/'));
      expect(unreachable.requests.entries()).toMatchObject([
        { status: 'reset', caller: { status: 'exited' } },
      ]);
    } finally {
      await unreachable.close();
    }
    expect(calls).toHaveLength(4);
    expect(calls.every((call) => call.localPort > 0 && call.peerPort > 0)).toBe(true);
    expect(
      proxy.requests.entries().map((entry) => [entry.status, entry.enforced ?? '-', entry.caller?.status]),
    ).toEqual([
      [401, '-', 'exited'], // a bad token: the upstream's 401, forwarded
      [401, 'refused', 'exited'],
      ['silence', 'hop-limit', 'exited'],
    ]);
  });
});
