import { ManualClock } from '../../src/clock.js';
import { Emulator, type EmulatorOptions } from '../../src/server/emulator.js';
import { isNoResponse, makeRequest, type ImdsResponse } from '../../src/server/exchange.js';
import { serializeResponse } from '../../src/server/http1/serialize.js';

/** The capture's moment: an hour after the seed instance's launch. */
export const SEED_NOW = Date.UTC(2024, 1, 27, 13, 6, 6);

/** An emulator driven in-process with a manual clock: no socket, no sleeping. */
export function inProcess(options: EmulatorOptions = {}) {
  const clock = new ManualClock(SEED_NOW);
  const emulator = new Emulator({ clock, ...options });
  const call = (
    method: string,
    target: string,
    headers: Record<string, string | string[]> = {},
  ): ImdsResponse => {
    const outcome = emulator.handle(makeRequest(method, target, headers));
    if (isNoResponse(outcome)) throw new Error(`no response (${outcome.noResponse}) for ${method} ${target}`);
    return outcome;
  };
  const token = (ttl = '21600') => {
    const response = call('PUT', '/latest/api/token', { 'X-aws-ec2-metadata-token-ttl-seconds': ttl });
    if (response.status !== 200) throw new Error(`token PUT answered ${response.status}`);
    return Buffer.from(response.body).toString('latin1');
  };
  const get = (target: string, token?: string) =>
    call('GET', target, token === undefined ? {} : { 'X-aws-ec2-metadata-token': token });
  return { emulator, clock, call, token, get };
}

export const text = (response: ImdsResponse): string => Buffer.from(response.body).toString('utf8');
export const header = (response: ImdsResponse, name: string): string | undefined =>
  response.headers.find(([key]) => key.toLowerCase() === name.toLowerCase())?.[1];
export const headerNames = (response: ImdsResponse): string[] => response.headers.map(([key]) => key);

/** The response exactly as written on the wire, with session tokens masked so goldens are stable. */
export function wireText(response: ImdsResponse): string {
  return serializeResponse(response)
    .toString('latin1')
    .replace(/AQAAA[A-Za-z0-9_-]{49}==/g, '<token>');
}
