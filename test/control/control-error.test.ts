/**
 * The errors of the emulator's side: classes checked with `instanceof`, stable names and
 * kebab-case codes, all exported from the package index.
 */
import { describe, expect, it } from 'vitest';
import * as pkg from '../../src/index.js';
import { ManualClock } from '../../src/clock.js';
import { Controller } from '../../src/control/controller.js';
import { Emulator } from '../../src/server/emulator.js';

describe('control API request errors', () => {
  const controller = new Controller(new Emulator({ clock: new ManualClock(Date.UTC(2024, 2, 1, 9)) }));

  it('a bad body is a ControlRequestError (and a ConfigError), naming the key and the source', () => {
    let thrown: unknown;
    try {
      controller.trigger({ type: 'spot-interruption', action: 'explode' });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(pkg.ControlRequestError);
    expect(thrown).toBeInstanceOf(pkg.ConfigError);
    const error = thrown as InstanceType<typeof pkg.ControlRequestError>;
    expect(error.name).toBe('ControlRequestError');
    expect(error.code).toBe('invalid-request');
    expect(error.lines).toHaveLength(1);
    expect(error.lines[0]).toMatch(/^request body: action: /);
  });

  it('moving a system clock is a ClockError with code not-manual', () => {
    const system = new Controller(new Emulator());
    expect(() => system.moveClock({ advance: '1m' })).toThrow(pkg.ClockError);
    try {
      system.moveClock({ advance: '1m' });
    } catch (error) {
      expect((error as InstanceType<typeof pkg.ClockError>).code).toBe('not-manual');
    }
  });

  it('an unknown scenario id is a ScenarioError with code unknown-id', () => {
    expect(() => controller.cancel('no-such-id')).toThrow(pkg.ScenarioError);
  });

  it('every error class is exported from the package index with a kebab-case or system code', () => {
    const names = Object.keys(pkg).filter((name) => name.endsWith('Error'));
    expect(names.sort()).toEqual([
      'ClockError',
      'ConfigError',
      'ControlBindError',
      'ControlRequestError',
      'FleetError',
      'IdentityKeyError',
      'ListenError',
      'ScenarioError',
    ]);
    expect(new pkg.ConfigError([]).code).toBe('invalid-config');
  });
});
