/**
 * `imds serve --watch`: reloads the configuration file when it changes. The new file is checked in
 * full first; a bad edit keeps the running configuration and prints its problems, so a typo while
 * editing never takes the emulator down or leaves it half-configured.
 */
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import type { EffectiveConfig } from '../config/resolve.js';
import type { SettingName } from '../config/settings.js';
import type { Emulator } from '../server/emulator.js';

/** Settings a running server cannot take without a restart: a change to them is reported, not applied. */
const RESTART_SETTINGS: readonly SettingName[] = [
  'host',
  'port',
  'controlHost',
  'controlPort',
  'controlToken',
];

/**
 * Applies a new configuration to a running emulator: instance, token and endpoint modes, and
 * scenarios (anchored at this instant, as at start). Returns the names of changed settings that
 * need a restart.
 */
export function applyConfig(emulator: Emulator, before: EffectiveConfig, after: EffectiveConfig): string[] {
  emulator.setInstance(after.instance);
  emulator.setHttpTokens(after.settings.httpTokens);
  emulator.setHttpEndpoint(after.settings.httpEndpoint);
  emulator.timeline.clear();
  const anchor = emulator.clock.now();
  for (const spec of after.scenarios) emulator.timeline.add(spec, anchor);
  return RESTART_SETTINGS.filter((name) => before.settings[name] !== after.settings[name]);
}

/**
 * Calls `onChange` once after the file at `path` changes (writes within `debounceMs` count as one;
 * editors that save by renaming a new file over the old one are seen too, because the folder is
 * watched rather than the file).
 * @returns a function that stops watching.
 */
export function watchFile(path: string, onChange: () => void, debounceMs = 150): () => void {
  const name = basename(path);
  let timer: NodeJS.Timeout | undefined;
  const watcher: FSWatcher = watch(dirname(resolve(path)), (_event, changed) => {
    if (changed !== null && changed !== name) return;
    clearTimeout(timer);
    timer = setTimeout(onChange, debounceMs);
  });
  watcher.unref();
  return () => {
    clearTimeout(timer);
    watcher.close();
  };
}
