/**
 * The proxy must not turn a refused, dropped or timed-out token response into a success, and must
 * not hand a token to a container beyond the instance's hop limit (its own connection to the
 * service is one hop from the host, so the service's hop limit no longer stops it). The upstream
 * is always an emulator of this project on loopback.
 */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { proxy as proxyCommand } from '../../src/cli/proxy.js';
import { startProxy, type RunningProxy } from '../../src/proxy/proxy.js';
import { startImds, type Imds } from '../../src/testing/index.js';
import { exchange, get, put, undated } from './raw-exchange.js';

let imds: Imds | undefined;
let proxy: RunningProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  await imds?.close();
  proxy = undefined;
  imds = undefined;
});

const TTL = { 'X-aws-ec2-metadata-token-ttl-seconds': '60' };
/** Long enough for a loopback answer to have come on a loaded machine; what is checked is that none did. */
const SILENCE_MS = 1_500;

describe('imds proxy: refused and dropped token requests stay so', () => {
  it('a 400, 403 or 405 from the service reaches the caller byte for byte, never a token', async () => {
    imds = await startImds({ httpTokens: 'required' });
    proxy = await startProxy({ upstream: imds.url });
    const cases = [
      [put('/latest/api/token'), 400], // no TTL header
      [put('/latest/api/token', { ...TTL, 'X-Forwarded-For': '10.0.0.9' }), 403], // crossed a proxy
      [put('/latest/api/token', { 'X-aws-ec2-metadata-token-ttl-seconds': '21601' }), 400], // TTL too long
      [`POST /latest/api/token HTTP/1.1\r\nHost: 169.254.169.254\r\nContent-Length: 0\r\n\r\n`, 405],
    ] as const;
    for (const [request, status] of cases) {
      const direct = await exchange(imds.url, request);
      const proxied = await exchange(proxy.url, request);
      expect(proxied.bytes.toString('latin1')).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
      expect(undated(proxied.bytes)).toBe(undated(direct.bytes));
    }
    expect(proxy.requests.entries().map((entry) => [entry.access, entry.status])).toEqual(
      cases.map(([, status]) => ['token-request', status]),
    );
  });

  it('an upstream that never answers the PUT: the caller gets no byte, and an empty close at the idle timeout', async () => {
    imds = await startImds({ httpTokens: 'required', faults: [{ type: 'hop-limit' }] });
    proxy = await startProxy({ upstream: imds.url, idleTimeoutMs: 300 });
    const timedOut = await exchange(proxy.url, put('/latest/api/token', TTL), 30_000);
    expect(timedOut).toEqual({ bytes: Buffer.alloc(0), ending: 'end' });
    expect(proxy.requests.entries()).toMatchObject([{ access: 'token-request', status: 'silence' }]);
  });

  it('an upstream that cannot be reached: the caller is reset, with no byte', async () => {
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as net.AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    proxy = await startProxy({ upstream: `http://127.0.0.1:${port}` });
    const refused = await exchange(proxy.url, put('/latest/api/token', TTL));
    expect(refused).toEqual({ bytes: Buffer.alloc(0), ending: 'ECONNRESET' });
    expect(proxy.requests.entries()).toMatchObject([{ access: 'token-request', status: 'reset' }]);
  });
});

describe('imds proxy: the hop limit for containers', () => {
  it('at limit 1, a container caller (by source address) gets no token; the host and reads are unaffected', async () => {
    imds = await startImds({ httpTokens: 'optional' });
    proxy = await startProxy({
      upstream: imds.url,
      metadataOptions: { httpPutResponseHopLimit: 1, containerClients: ['127.0.0.2/32'] },
    });
    const container = await exchange(proxy.url, put('/latest/api/token', TTL), SILENCE_MS, '127.0.0.2');
    expect(container).toEqual({ bytes: Buffer.alloc(0), ending: 'silence' });
    // The upstream never saw it: the proxy dropped it as the network would have dropped the answer.
    expect(imds.requests).toHaveLength(0);

    const host = await exchange(proxy.url, put('/latest/api/token', TTL), undefined, '127.0.0.1');
    expect(host.bytes.toString('latin1')).toMatch(/^HTTP\/1\.1 200 [\s\S]*\r\n\r\nAQAAA/);
    // Only PUT answers carry the hop limit: another method on the token path is answered (405).
    const post = await exchange(
      proxy.url,
      'POST /latest/api/token HTTP/1.1\r\nHost: 169.254.169.254\r\nContent-Length: 0\r\n\r\n',
      undefined,
      '127.0.0.2',
    );
    expect(post.bytes.toString('latin1')).toMatch(/^HTTP\/1\.1 405 /);
    const read = await exchange(proxy.url, get('/latest/meta-data/instance-id'), undefined, '127.0.0.2');
    expect(read.bytes.toString('latin1')).toMatch(/^HTTP\/1\.1 200 [\s\S]*\r\n\r\ni-/);

    expect(
      proxy.requests
        .entries()
        .map((entry) => [entry.peer, entry.access, entry.status, entry.enforced ?? '-']),
    ).toEqual([
      ['127.0.0.2', 'token-request', 'silence', 'hop-limit'],
      ['127.0.0.1', 'token-request', 200, '-'],
      ['127.0.0.2', 'token-request', 405, '-'],
      ['127.0.0.2', 'v1', 200, '-'],
    ]);
  });

  it('at limit 2 (an AMI for containers), or with no container callers declared, the token is forwarded', async () => {
    imds = await startImds({ httpTokens: 'required' });
    for (const metadataOptions of [
      { httpPutResponseHopLimit: 2, containerClients: ['127.0.0.2/32'] },
      { httpPutResponseHopLimit: 1 },
    ]) {
      proxy = await startProxy({ upstream: imds.url, metadataOptions });
      const answer = await exchange(proxy.url, put('/latest/api/token', TTL), undefined, '127.0.0.2');
      expect(answer.bytes.toString('latin1')).toMatch(/^HTTP\/1\.1 200 /);
      await proxy.close();
      proxy = undefined;
    }
  });
});

describe('imds proxy --http-put-response-hop-limit and --container-clients', () => {
  const runProxy = async (args: string[], env: Record<string, string> = {}) => {
    const out: string[] = [];
    const err: string[] = [];
    let release!: () => void;
    let started!: () => void;
    const ready = new Promise<void>((resolve) => (started = resolve));
    const exit = proxyCommand(
      ['--port', '0', '--attribution', 'off', ...args],
      { stdout: (text) => void out.push(String(text)), stderr: (text) => void err.push(text), env },
      () => {
        started();
        return new Promise<void>((resolve) => (release = resolve));
      },
    );
    await Promise.race([ready, exit]);
    const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out.join(''))?.[1];
    return { url, out, err, exit, stop: () => release?.() };
  };

  it('the limit from the variable, the containers from the flag: a container PUT goes unanswered', async () => {
    imds = await startImds({ httpTokens: 'required' });
    const run = await runProxy(['--upstream', imds.url, '--container-clients', '127.0.0.2, 10.1.0.0/16'], {
      IMDS_HTTP_PUT_RESPONSE_HOP_LIMIT: '1',
    });
    expect(run.url, run.err.join('')).toBeDefined();
    const container = await exchange(
      run.url as string,
      put('/latest/api/token', TTL),
      SILENCE_MS,
      '127.0.0.2',
    );
    expect(container.bytes.length).toBe(0);
    expect(container.ending).toBe('silence');
    expect(run.out.join('')).toContain('Token PUTs from 127.0.0.2, 10.1.0.0/16 get no answer (hop limit 1)');
    run.stop();
    expect(await run.exit).toBe(0);
  });

  it('bad values are exit 2, naming the flag or variable', async () => {
    const upstream = 'http://127.0.0.1:9';
    const badLimit = await runProxy(['--upstream', upstream, '--http-put-response-hop-limit', '0']);
    expect(await badLimit.exit).toBe(2);
    expect(badLimit.err.join('')).toBe(
      "imds proxy: --http-put-response-hop-limit must be an integer from 1 to 64; got '0'\n",
    );
    const badEnv = await runProxy(['--upstream', upstream], { IMDS_HTTP_PUT_RESPONSE_HOP_LIMIT: 'one' });
    expect(await badEnv.exit).toBe(2);
    expect(badEnv.err.join('')).toContain(
      "IMDS_HTTP_PUT_RESPONSE_HOP_LIMIT must be an integer from 1 to 64; got 'one'",
    );
    const badList = await runProxy(['--upstream', upstream, '--container-clients', '172.17.0.0/33']);
    expect(await badList.exit).toBe(2);
    expect(badList.err.join('')).toContain('--container-clients: expected addresses or CIDR blocks');
  });
});
