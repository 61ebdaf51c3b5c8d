/**
 * Podman for the container tests, always through scripts/container/podman.sh (the flags that work on
 * these machines live there). Every name carries a per-run suffix, so two test runs on one machine
 * never meet, and everything a run creates is removed at its end.
 */
import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const script = (name: string) => join(repo, 'scripts', 'container', name);

/** Runs `podman.sh args`; never throws. */
export function podman(args: string[], timeoutMs = 120_000): SpawnSyncReturns<string> {
  return spawnSync(script('podman.sh'), args, { encoding: 'utf8', timeout: timeoutMs });
}

/** Runs `podman.sh args` and returns its trimmed stdout; throws with podman's stderr on failure. */
export function podmanOk(args: string[], timeoutMs = 120_000): string {
  const run = podman(args, timeoutMs);
  if (run.status !== 0)
    throw new Error(`podman ${args.join(' ')} -> ${run.status ?? run.signal}\n${run.stderr}${run.stdout}`);
  return run.stdout.trim();
}

/**
 * Why containers cannot run here, or undefined when they can: the programs, then a real container
 * (which is what fails when runc, cgroups or limits are refused).
 */
export function podmanProblem(): string | undefined {
  for (const program of ['podman', 'runc']) {
    if (spawnSync('sh', ['-c', `command -v ${program}`]).status !== 0)
      return `${program} is not installed; the container tests need podman and runc (Debian: apt-get install -y podman runc; .ci/run does it)`;
  }
  const info = podman(['info', '--format', '{{.Host.OCIRuntime.Name}}'], 60_000);
  if (info.status !== 0) return `podman cannot start here: ${info.stderr.trim()}`;
  return undefined;
}

/** The names of one run's images and containers. */
export interface RunNames {
  readonly image: string;
  readonly serve: string;
  readonly sidecar: string;
  readonly tools: string;
  readonly base: string;
  /** A container, pod or volume name unique to this run. */
  readonly unique: (what: string) => string;
}

export function runNames(): RunNames {
  const id = `${process.pid}-${randomBytes(3).toString('hex')}`;
  const image = `localhost/ec2-imds-test-${id}`;
  return {
    image,
    serve: `${image}:serve`,
    sidecar: `${image}:sidecar`,
    tools: `${image}:tools`,
    base: `${image}:base`,
    unique: (what) => `imds-test-${id}-${what}`,
  };
}

/** Builds the four images of a run with scripts/container/build-local.sh (dist/ must be built). */
export function buildImages(names: RunNames): void {
  const run = spawnSync(script('build-local.sh'), [names.image], { encoding: 'utf8', timeout: 600_000 });
  if (run.status !== 0)
    throw new Error(`build-local.sh failed (${run.status ?? run.signal}):\n${run.stderr}`);
}

/** Removes every container, pod and image of a run; best effort, never throws. */
export function removeAll(names: RunNames): void {
  const prefix = names.unique('');
  const listed = (args: string[]) =>
    podman(args, 60_000)
      .stdout.split('\n')
      .filter((name) => name.startsWith(prefix));
  const pods = listed(['pod', 'ps', '--format', '{{.Name}}']);
  if (pods.length > 0) podman(['pod', 'rm', '--force', '--time', '1', ...pods], 60_000);
  const containers = listed(['ps', '--all', '--format', '{{.Names}}']);
  if (containers.length > 0) podman(['rm', '--force', '--time', '1', ...containers], 60_000);
  podman(['rmi', '--force', names.serve, names.sidecar, names.tools, names.base], 120_000);
  // The Containerfile's `app` stage leaves an untagged image per build; it carries this label.
  podman(['image', 'prune', '--force', '--filter', 'label=io.github.ec2-imds.stage=app'], 120_000);
}

/** Polls `podman logs` until `text` appears (the server's banner), at most `tries` × 100 ms. */
export async function waitForLog(container: string, text: string, tries = 300): Promise<string> {
  let logs = '';
  for (let attempt = 0; attempt < tries; attempt += 1) {
    const run = podman(['logs', container], 30_000);
    logs = run.stdout + run.stderr;
    if (logs.includes(text)) return logs;
    const state = podman(['inspect', '--format', '{{.State.Status}}', container], 30_000).stdout.trim();
    if (state === 'exited') break;
    await new Promise((done) => setTimeout(done, 100));
  }
  throw new Error(`${container} never logged "${text}"; its logs:\n${logs}`);
}
