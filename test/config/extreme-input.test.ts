/**
 * Issue 10, item 4 on the server side: keys from outside are kept whatever they are called
 * (`__proto__`), user data has one size limit wherever it is set, and a certificate that cannot be
 * written is a one-line error with exit 2, not a stack trace.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { serve } from '../../src/cli/serve.js';
import { ManualClock } from '../../src/clock.js';
import { ConfigError } from '../../src/config/config-error.js';
import { loadConfigFile } from '../../src/config/load-file.js';
import { BoundedReadError, CONFIG_FILE_MAX_BYTES, readBoundedFile } from '../../src/config/read-bounded.js';
import { resolveConfig } from '../../src/config/resolve.js';
import { handleControl } from '../../src/control/control-routes.js';
import { Controller } from '../../src/control/controller.js';
import { Emulator } from '../../src/server/emulator.js';
import { USER_DATA_MAX_BYTES } from '../../src/wire.js';

const dir = mkdtempSync(join(tmpdir(), 'imds-i10-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const TOO_BIG = 'x'.repeat(USER_DATA_MAX_BYTES + 1);

describe('keys from outside', () => {
  it('keeps a tag named __proto__ from the configuration file, and serves it', () => {
    const config = resolveConfig({
      flags: { config: file('proto.yaml', 'instance:\n  tags:\n    __proto__: evil\n    Name: web\n') },
      env: {},
    });
    expect(Object.keys(config.instance.tags ?? {})).toEqual(['__proto__', 'Name']);
    const emulator = new Emulator({
      instance: config.instance,
      httpTokens: 'optional',
      clock: new ManualClock(0),
    });
    const outcome = emulator.handle({
      method: 'GET',
      target: '/latest/meta-data/tags/instance/__proto__',
      headers: new Map(),
      remoteAddress: '127.0.0.1',
    });
    expect('status' in outcome && outcome.status).toBe(200);
    expect('body' in outcome && Buffer.from(outcome.body ?? []).toString()).toBe('evil');
  });
});

describe('one user-data limit', () => {
  const problem = `user data is limited to ${USER_DATA_MAX_BYTES} bytes (16 KiB), got ${USER_DATA_MAX_BYTES + 1}`;

  it('PUT /values/user-data over 16 KiB is a 400 naming the limit, and nothing changes', () => {
    const controller = new Controller(new Emulator({ clock: new ManualClock(0) }));
    const answer = handleControl(
      {
        method: 'PUT',
        segments: ['values', 'user-data'],
        query: new URLSearchParams(),
        contentType: 'application/json',
        body: JSON.stringify(TOO_BIG),
      },
      controller,
    );
    expect(answer.status).toBe(400);
    expect((answer.body as { problems: string[] }).problems).toEqual([`request body: value: ${problem}`]);
    expect(controller.state().values).toEqual({});
    controller.set('user-data', 'x'.repeat(USER_DATA_MAX_BYTES));
    expect(Object.keys(controller.state().values)).toEqual(['user-data']);
  });

  it('a set-value scenario and the file`s set: refuse it too', () => {
    const controller = new Controller(new Emulator({ clock: new ManualClock(0) }));
    expect(() => controller.trigger({ type: 'set-value', path: 'user-data', value: TOO_BIG })).toThrow(
      ConfigError,
    );
    expect(() =>
      resolveConfig({ flags: { config: file('set.yaml', `set:\n  user-data: ${TOO_BIG}\n`) }, env: {} }),
    ).toThrow(problem);
  });
});

describe('imds serve --write-certificate', () => {
  it('to a path that cannot be written: one line, exit 2, nothing left listening', async () => {
    let out = '';
    let err = '';
    const io = {
      stdout: (text: string | Uint8Array) => (out += text),
      stderr: (text: string) => (err += text),
      env: {},
    };
    const code = await serve(
      ['--port', '0', '--write-certificate', join(dir, 'missing-dir', 'cert.pem')],
      io,
      () => Promise.resolve(),
    );
    expect(code).toBe(2);
    expect(err).toBe(
      `imds serve: --write-certificate: cannot write ${join(dir, 'missing-dir', 'cert.pem')}: ENOENT\n`,
    );
    expect(out).toBe('');
  });
});

describe('files named by configuration or flags', () => {
  const fifo = join(dir, 'fifo');
  execFileSync('mkfifo', [fifo]);

  it('refuses what is not a regular file, without reading it (a FIFO with no writer, /dev/zero)', () => {
    expect(() => readBoundedFile(fifo, 100)).toThrow(new BoundedReadError('not a regular file (a FIFO)'));
    expect(() => readBoundedFile('/dev/zero', 100)).toThrow('not a regular file (a device)');
    expect(() => readBoundedFile(dir, 100)).toThrow('not a regular file (a directory)');
    expect(() => readBoundedFile(join(dir, 'absent'), 100)).toThrow(
      expect.objectContaining({ code: 'ENOENT' }),
    );
  });

  it('reads at most the limit, and the whole of a file that fits', () => {
    expect(readBoundedFile(file('ten.txt', '0123456789'), 10).toString()).toBe('0123456789');
    expect(() => readBoundedFile(file('eleven.txt', '0123456789A'), 10)).toThrow(
      'larger than 10 bytes (11 bytes)',
    );
  });

  it('--config, userData.file and --identity-key: a FIFO or device is a one-line error, start-up does not hang', async () => {
    expect(() => loadConfigFile(fifo)).toThrow(`${fifo} cannot be read: not a regular file (a FIFO)`);
    expect(() => loadConfigFile(file('big.yaml', `# ${'x'.repeat(CONFIG_FILE_MAX_BYTES)}\n`))).toThrow(
      `larger than ${CONFIG_FILE_MAX_BYTES} bytes`,
    );
    expect(() => loadConfigFile(file('zero.yaml', 'instance:\n  userData:\n    file: /dev/zero\n'))).toThrow(
      'instance.userData.file: cannot read /dev/zero: not a regular file (a device)',
    );
    let err = '';
    const io = { stdout: () => {}, stderr: (text: string) => (err += text), env: {} };
    expect(await serve(['--port', '0', '--identity-key', '/dev/zero'], io, () => Promise.resolve())).toBe(2);
    expect(err).toBe('imds serve: --identity-key: cannot read /dev/zero: not a regular file (a device)\n');
  });
});
