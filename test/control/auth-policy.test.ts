/**
 * The policy that decides whether the control API may listen somewhere, and whether a request is
 * authorized. Tests bind loopback only; beyond-loopback cases are decided without binding.
 */
import { describe, expect, it } from 'vitest';
import { isAuthorized } from '../../src/control/auth-policy.js';
import { controlBindRefusal } from '../../src/net/bind-policy.js';
import { ControlBindError, startControlServer } from '../../src/control/control-server.js';
import { Controller } from '../../src/control/controller.js';
import { isLoopbackHost } from '../../src/net/loopback.js';
import { Emulator } from '../../src/server/emulator.js';

describe('loopback', () => {
  it.each([
    '127.0.0.1',
    '127.1.2.3',
    'localhost',
    'LOCALHOST',
    '::1',
    '[::1]',
    '0:0:0:0:0:0:0:1',
    '::ffff:127.0.0.1',
  ])('%s is loopback', (host) => {
    expect(isLoopbackHost(host)).toBe(true);
  });
  it.each([
    '0.0.0.0',
    '::',
    '10.0.0.7',
    '192.168.1.2',
    '169.254.169.254',
    'fd00:ec2::254',
    'example.com',
    'my-laptop',
    '128.0.0.1',
    '::2',
  ])('%s is beyond loopback', (host) => {
    expect(isLoopbackHost(host)).toBe(false);
  });
});

describe('binding the control API', () => {
  it('loopback needs no token; beyond loopback one is required', () => {
    expect(controlBindRefusal('127.0.0.1', undefined)).toBeUndefined();
    expect(controlBindRefusal('::1', undefined)).toBeUndefined();
    expect(controlBindRefusal('0.0.0.0', undefined)).toBe(
      'listens beyond loopback (0.0.0.0) without a bearer token',
    );
    expect(controlBindRefusal('10.0.0.7', '')).toBe(
      'listens beyond loopback (10.0.0.7) without a bearer token',
    );
    expect(controlBindRefusal('0.0.0.0', 'a-long-enough-token')).toBeUndefined();
  });

  it('startControlServer refuses before binding anything', async () => {
    // A documentation address (TEST-NET-1): even a bug here could not open a port on it.
    const attempt = startControlServer({
      controller: new Controller(new Emulator()),
      host: '192.0.2.10',
      port: 0,
    });
    await expect(attempt).rejects.toBeInstanceOf(ControlBindError);
    await expect(attempt).rejects.toThrow(
      'the control API listens beyond loopback (192.0.2.10) without a bearer token: give it a bearer token or keep it on 127.0.0.1',
    );
  });
});

describe('authorizing a request', () => {
  const token = 'correct-horse-battery-staple';
  it.each([
    [undefined, false],
    ['', false],
    [`Bearer ${token}`, true],
    [`bearer ${token}`, true],
    [`Bearer  ${token} `, true],
    [`Bearer ${token}x`, false],
    [`Basic ${token}`, false],
    [token, false],
    ['Bearer', false],
  ] as const)('Authorization %j -> %s', (header, allowed) => {
    expect(isAuthorized(header, token)).toBe(allowed);
  });

  it('with no token configured (loopback) every request is allowed', () => {
    expect(isAuthorized(undefined, undefined)).toBe(true);
  });
});
