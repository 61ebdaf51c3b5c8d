/**
 * The dashboard in a real headless Chromium (Debian's `chromium`, driven by playwright-core):
 * load the page from the control listener, make a v1 and a v2 request from other processes, see
 * both in the stream with the right caller, press "Spot interruption" and read the notice over IMDS.
 * Also writes docs/images/dashboard.png when IMDS_DASHBOARD_SCREENSHOT is set.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Attributor } from '../../src/audit/attributor.js';
import { startControlServer, type RunningControlServer } from '../../src/control/control-server.js';
import { Controller } from '../../src/control/controller.js';
import { startEmulator, type RunningEmulator } from '../../src/start/start.js';

const CHROMIUM = '/usr/bin/chromium';
/** The page polls the control API each second; a loaded 2-core machine may take several rounds to show a change. */
const SETTLED = { timeout: 20_000, interval: 100 };

/** Runs in the page: the computed background colour of the first element matching `selector`. */
const backgroundOfRow = (selector: string) => {
  const page = globalThis as unknown as {
    document: { querySelector(selector: string): unknown };
    getComputedStyle(node: unknown): { backgroundColor: string };
  };
  const row = page.document.querySelector(selector);
  return row ? page.getComputedStyle(row).backgroundColor : 'no row';
};
const SCREENSHOT = process.env.IMDS_DASHBOARD_SCREENSHOT;

function run(file: string, args: string[]): Promise<{ pid: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.on('error', reject);
    child.on('close', () => resolve({ pid: child.pid as number, stdout }));
  });
}

describe.runIf(process.platform === 'linux')('dashboard in headless Chromium', () => {
  let browser: BrowserContext;
  let imds: RunningEmulator;
  let control: RunningControlServer;
  let attribution: Attributor;
  const profile = mkdtempSync(join(tmpdir(), 'imds-chromium-'));

  beforeAll(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(
        `${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium); .ci/run does`,
      );
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      viewport: { width: 1200, height: 560 },
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    attribution = new Attributor({
      mode: 'before',
      maxDutyCycle: 1,
      burstMs: Number.POSITIVE_INFINITY,
    });
    imds = await startEmulator({ httpTokens: 'optional', attribution });
    control = await startControlServer({ controller: new Controller(imds.emulator), port: 0 });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await control?.close();
    await imds?.close();
    attribution?.close();
    rmSync(profile, { recursive: true, force: true });
  });

  it('streams v1 (in red) and v2 requests with their callers; the spot button issues a notice read over IMDS', async () => {
    const page = await browser.newPage();
    await page.goto(`${control.url}/dashboard`);
    await expect.poll(() => page.textContent('#mode'), SETTLED).toContain('emulator, HttpTokens=optional');

    const v1 = await run('curl', ['-s', `${imds.url}/latest/meta-data/instance-id`]);
    const token = await run('curl', [
      '-s',
      '-X',
      'PUT',
      '-H',
      'X-aws-ec2-metadata-token-ttl-seconds: 60',
      `${imds.url}/latest/api/token`,
    ]);
    const v2 = await run('curl', [
      '-s',
      '-H',
      `X-aws-ec2-metadata-token: ${token.stdout}`,
      `${imds.url}/latest/meta-data/ami-id`,
    ]);

    const v1Row = page.locator('#stream tr.v1', { hasText: '/latest/meta-data/instance-id' });
    await expect.poll(() => v1Row.count(), SETTLED).toBe(1);
    expect(await v1Row.textContent()).toContain(`curl pid ${v1.pid}`);
    // The v1 row stands out: a red background, not the default.
    // Read in one evaluation: the page re-renders the rows on every poll.
    await expect
      .poll(() => page.evaluate(backgroundOfRow, '#stream tr.v1'), SETTLED)
      .toBe('rgb(255, 214, 214)');
    const v2Row = page.locator('#stream tr.v2', { hasText: '/latest/meta-data/ami-id' });
    await expect.poll(() => v2Row.count(), SETTLED).toBe(1);
    expect(await v2Row.textContent()).toContain(`curl pid ${v2.pid}`);
    await expect
      .poll(() => page.evaluate(backgroundOfRow, '#stream tr.v2'), SETTLED)
      .toBe('rgba(0, 0, 0, 0)');
    // The v1 summary lists curl with its pid; the tree shows current values.
    await expect.poll(() => page.textContent('#callers'), SETTLED).toContain(String(v1.pid));
    expect(await page.textContent('#tree')).toContain('meta-data/instance-id');

    await page.click('#spot');
    await expect.poll(() => page.textContent('#status'), SETTLED).toContain('spot: done');
    const notice = await run('curl', ['-s', `${imds.url}/latest/meta-data/spot/instance-action`]);
    expect(JSON.parse(notice.stdout)).toMatchObject({ action: 'terminate' });
    await expect.poll(() => page.textContent('#tree'), SETTLED).toContain('meta-data/spot/instance-action');

    await page.click('#v2-on');
    await expect.poll(() => page.textContent('#mode'), SETTLED).toContain('HttpTokens=required');
    const refused = await run('curl', [
      '-s',
      '-o',
      '/dev/null',
      '-w',
      '%{http_code}',
      `${imds.url}/latest/meta-data/`,
    ]);
    expect(refused.stdout).toBe('401');

    if (SCREENSHOT) await page.screenshot({ path: SCREENSHOT, type: 'png' });
    await page.close();
  }, 90_000);

  it('refuses a foreign Host on the dashboard page', async () => {
    const { port } = new URL(control.url);
    const answer = await new Promise<string>((resolve, reject) => {
      import('node:net').then(({ default: net }) => {
        const socket = net.connect({ host: '127.0.0.1', port: Number(port) });
        let text = '';
        socket.on('data', (chunk) => (text += chunk));
        socket.on('end', () => resolve(text));
        socket.on('error', reject);
        socket.write('GET /dashboard HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n');
      }, reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 403/);
  });
});
