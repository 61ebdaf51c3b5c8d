/** `startEmulator` options: unknown keys refused with did-you-mean; a partial instance completed. */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/config-error.js';
import { DEFAULT_INSTANCE } from '../../src/metadata/default-instance.js';
import { startEmulator } from '../../src/start/start.js';

async function instanceType(url: string): Promise<{ status: number; body: string }> {
  const response = await fetch(`${url}/latest/meta-data/instance-type`);
  return { status: response.status, body: await response.text() };
}

describe('startEmulator options', () => {
  it('a partial instance, as a file writes it, is completed from the built-in one', async () => {
    const imds = await startEmulator({ httpTokens: 'optional', instance: { instanceType: 'm7g.large' } });
    try {
      expect(await instanceType(imds.url)).toEqual({ status: 200, body: 'm7g.large' });
      expect(imds.emulator.instance.instanceId).toBe(DEFAULT_INSTANCE.instanceId);
    } finally {
      await imds.close();
    }
  });

  it('a complete instance is served as given', async () => {
    const imds = await startEmulator({
      httpTokens: 'optional',
      instance: { ...DEFAULT_INSTANCE, instanceType: 'c7i.large' },
    });
    try {
      expect(await instanceType(imds.url)).toEqual({ status: 200, body: 'c7i.large' });
    } finally {
      await imds.close();
    }
  });

  it('an invalid partial instance throws before anything listens', async () => {
    await expect(startEmulator({ instance: { instanceTyp: 'm7g.large' } as never })).rejects.toThrow(
      'startEmulator: instance.instanceTyp: unknown key; did you mean "instanceType"?',
    );
  });

  it('unknown options throw with the likely meant one (faultSeed is now seed, as everywhere)', async () => {
    const attempt = startEmulator({ faultSeed: 3 } as never);
    await expect(attempt).rejects.toBeInstanceOf(ConfigError);
    await expect(attempt).rejects.toThrow('startEmulator: faultSeed: unknown key; did you mean "seed"?');
  });
});
