/**
 * Caches (verified tokens, built trees) must never serve an answer from before a change. Clients
 * keep reading over loopback while the test flips the state three ways: a control edit (`set`), a
 * scenario step (a spot notice that becomes due when the clock moves), and a clock move past the
 * token's expiry. Every request sent after a flip returned must see the flip; requests already in
 * flight may see either side. Counts and bodies are asserted, never elapsed time.
 */
import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { startImds, type Imds } from '../../src/testing/index.js';

const CLIENTS = 12;
const REQUESTS_PER_PHASE = 60;

interface Answer {
  readonly status: number;
  readonly body: string;
}

function get(url: string, token: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { agent: false, headers: { 'X-aws-ec2-metadata-token': token } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
      );
      res.on('error', reject);
    });
    request.on('error', reject);
  });
}

async function token(imds: Imds, ttl: number): Promise<string> {
  const response = await fetch(`${imds.url}/latest/api/token`, {
    method: 'PUT',
    headers: { 'X-aws-ec2-metadata-token-ttl-seconds': String(ttl) },
  });
  expect(response.status).toBe(200);
  return response.text();
}

/**
 * Runs CLIENTS loops of GETs of `path` until `total` answers; `flip` runs once a third of them are
 * in. Returns the answers to requests sent after `flip` resolved, and how many were sent before.
 */
async function readAcrossFlip(
  url: string,
  tokenValue: string,
  total: number,
  flip: () => void | Promise<void>,
): Promise<{ after: Answer[]; before: number }> {
  let sent = 0;
  let flipped = false;
  let flipping: Promise<void> | undefined;
  const after: Answer[] = [];
  let before = 0;
  const loop = async () => {
    while (sent < total) {
      sent++;
      if (sent >= total / 3 && flipping === undefined) {
        flipping = Promise.resolve(flip()).then(() => {
          flipped = true;
        });
      }
      const sentAfterFlip = flipped;
      const answer = await get(url, tokenValue);
      if (sentAfterFlip) after.push(answer);
      else before++;
    }
  };
  await Promise.all(Array.from({ length: CLIENTS }, loop));
  await flipping;
  return { after, before };
}

describe('no stale answers while the state changes under load', () => {
  let imds: Imds | undefined;
  afterEach(async () => {
    await imds?.close();
    imds = undefined;
  });

  it('a control edit: every request sent after set() returned reads the new value', async () => {
    imds = await startImds({ instance: { tags: { Name: 'before' } } });
    const running = imds;
    const value = await token(running, 21600);
    const url = `${running.url}/latest/meta-data/tags/instance/Name`;
    const { after, before } = await readAcrossFlip(url, value, REQUESTS_PER_PHASE * 3, () =>
      running.set('meta-data/tags/instance/Name', 'after'),
    );
    expect(before).toBeGreaterThan(0);
    expect(after.length).toBeGreaterThan(0);
    expect(after.filter((answer) => answer.status !== 200 || answer.body !== 'after')).toEqual([]);
  });

  it('a scenario step: once the clock reaches the notice, no request sent afterwards gets a 404', async () => {
    imds = await startImds({ scenarios: [{ type: 'spot-interruption', after: '1m' }] });
    const running = imds;
    const value = await token(running, 21600);
    const url = `${running.url}/latest/meta-data/spot/instance-action`;
    expect((await get(url, value)).status).toBe(404);
    const { after, before } = await readAcrossFlip(url, value, REQUESTS_PER_PHASE * 3, () => {
      running.clock.advance('61s');
    });
    expect(before).toBeGreaterThan(0);
    expect(after.length).toBeGreaterThan(0);
    const stale = after.filter((answer) => answer.status !== 200 || !answer.body.includes('"action"'));
    expect(stale).toEqual([]);
  });

  it('a clock move past the token expiry: a token answered from the table is refused right after', async () => {
    imds = await startImds();
    const running = imds;
    const value = await token(running, 60);
    const url = `${running.url}/latest/meta-data/instance-id`;
    const { after, before } = await readAcrossFlip(url, value, REQUESTS_PER_PHASE * 3, () => {
      running.clock.advance('61s');
    });
    expect(before).toBeGreaterThan(0);
    expect(after.length).toBeGreaterThan(0);
    expect(after.filter((answer) => answer.status !== 401)).toEqual([]);
  });
});
