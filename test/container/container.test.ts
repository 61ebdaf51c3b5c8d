/**
 * The container image, built here with Podman from the Containerfile on a base assembled from this
 * machine's node (no registry is reachable): it answers the seed's curl pair from the host through
 * a published loopback port, runs as non-root, stops cleanly on SIGTERM within a second, and, as a
 * sidecar in a pod with no network at all, serves the seed's lines verbatim on 169.254.169.254.
 * When Podman cannot run, the first test fails saying what is missing; the others then skip.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildImages,
  podman,
  podmanOk,
  podmanProblem,
  removeAll,
  type RunNames,
  repo,
  runNames,
  waitForLog,
} from './podman.js';

const problem = podmanProblem();
const SEED_INSTANCE_ID = 'i-0410f3c9b2d5e8a71';
const SEED_LISTING_ENTRIES = 26;
const SEED_LISTING_BYTES = 325;
const BANNER = 'IMDS emulator listening';
const seedLines = readFileSync(join(repo, 'test', 'seed', 'seed-lines.sh'), 'utf8');
const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as {
  version: string;
  dependencies: Record<string, string>;
};

it('Podman can run containers on this machine (needed by the container tests; CI installs it)', () => {
  expect(problem, problem).toBeUndefined();
});

/** The seed's files, as written by test/seed/seed-lines.sh into `dir`. */
function expectSeedAnswers(dir: string, mode: 'required' | 'optional'): void {
  const read = (name: string) => readFileSync(join(dir, name), 'utf8');
  expect(read('instance-id.out')).toBe(SEED_INSTANCE_ID);
  expect(read('instance-id.err')).toContain('< HTTP/1.1 200 OK');
  const listing = read('listing.out');
  expect(listing.split('\n')).toHaveLength(SEED_LISTING_ENTRIES);
  expect(Buffer.byteLength(listing)).toBe(SEED_LISTING_BYTES);
  expect(read('v1.out')).toBe(mode === 'required' ? '' : SEED_INSTANCE_ID);
}

// Each test starts containers or pods: generous bounds for a loaded machine; none measures time.
describe.skipIf(problem !== undefined)('the ec2-imds container image (podman)', { timeout: 180_000 }, () => {
  let names: RunNames;
  beforeAll(() => {
    names = runNames();
    buildImages(names);
  }, 900_000);
  afterAll(() => {
    if (names) removeAll(names);
  }, 300_000);

  /** Starts the serve image detached with ports published on 127.0.0.1 only; returns its host ports. */
  async function startServe(what: string, extra: string[] = [], args: string[] = []) {
    const name = names.unique(what);
    podmanOk(['run', '--detach', '--name', name, '-p', '127.0.0.1::1338', ...extra, names.serve, ...args]);
    await waitForLog(name, BANNER);
    const port = (containerPort: number) => {
      const mapping = podmanOk(['port', name, String(containerPort)]);
      const match = /^127\.0\.0\.1:(\d+)$/.exec(mapping);
      if (!match) throw new Error(`unexpected port mapping for ${name}: ${mapping}`);
      return Number(match[1]);
    };
    return { name, port };
  }

  describe('serve, published on a loopback port', () => {
    const token = `container-test-${process.pid}-abcdefgh`;
    let name: string;
    let metadataPort: number;
    let controlPort: number;
    const control = async (path: string, auth = true) =>
      fetch(`http://127.0.0.1:${controlPort}${path}`, {
        headers: auth ? { authorization: `Bearer ${token}` } : {},
      });

    beforeAll(async () => {
      const started = await startServe('serve', [
        '-p',
        '127.0.0.1::1339',
        '-e',
        'IMDS_CONTROL_PORT=1339',
        '-e',
        'IMDS_CONTROL_HOST=0.0.0.0',
        '-e',
        `IMDS_CONTROL_TOKEN=${token}`,
      ]);
      name = started.name;
      metadataPort = started.port(1338);
      controlPort = started.port(1339);
    }, 120_000);

    it("answers the seed's curl pair from the host (the seed's lines, only the address changed)", () => {
      const lines = seedLines.replaceAll('169.254.169.254', `127.0.0.1:${metadataPort}`);
      // The lines run on the host: not one of them may name the real service's address.
      expect(lines).not.toContain('169.254');
      const dir = mkdtempSync(join(tmpdir(), 'imds-container-seed-'));
      const run = spawnSync('sh', ['-c', lines], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
      expect(run.status, run.stderr).toBe(0);
      expectSeedAnswers(dir, 'required');
      expect(readFileSync(join(dir, 'instance-id.err'), 'utf8')).toContain(
        `> Host: 127.0.0.1:${metadataPort}`,
      );
    });

    it('serves the control API on its own published port, only with the bearer token', async () => {
      expect((await control('/state', false)).status).toBe(401);
      const state = await control('/state');
      expect(state.status).toBe(200);
      expect(((await state.json()) as { instance: { instanceId: string } }).instance.instanceId).toBe(
        SEED_INSTANCE_ID,
      );
    });

    it('HEALTHCHECK reports healthy and never reaches the request log', async () => {
      const count = async () =>
        ((await (await control('/state')).json()) as { requestCount: number }).requestCount;
      const before = await count();
      const check = podman(['healthcheck', 'run', name], 60_000);
      expect(check.status, check.stderr + check.stdout).toBe(0);
      expect(await count()).toBe(before);
    });

    it('runs as the non-root user 10001', () => {
      expect(podmanOk(['inspect', '--format', '{{.Config.User}}', names.serve])).toBe('10001:10001');
      expect(podmanOk(['exec', name, 'node', '-p', 'process.getuid() + ":" + process.getgid()'])).toBe(
        '10001:10001',
      );
    });

    it('SIGTERM stops it cleanly within a second (podman stop --time 1 would SIGKILL after that)', () => {
      podmanOk(['stop', '--time', '1', name], 60_000);
      expect(podmanOk(['inspect', '--format', '{{.State.ExitCode}}', name])).toBe('0');
      const logs = podman(['logs', name]);
      expect(logs.stderr).toContain('imds serve: stopped');
    });
  });

  it('deploy/kubernetes/service.yaml: its container as specified (env, Secret, ConfigMap, read-only, no capabilities)', async () => {
    // podman kube play here cannot take this file as written (no port mappings without a network,
    // and its Secret handling differs), so its container is translated into podman run flags.
    const manifests = parseAllDocuments(
      readFileSync(join(repo, 'deploy', 'kubernetes', 'service.yaml'), 'utf8'),
    ).map((document) => document.toJS());
    const configMap = manifests.find((manifest) => manifest.kind === 'ConfigMap');
    const pod = manifests.find((manifest) => manifest.kind === 'Deployment').spec.template.spec;
    const [container] = pod.containers;
    const secretToken = `service-test-${process.pid}-0123456789`;
    const flags: string[] = [];
    for (const entry of container.env) {
      const value = entry.value ?? (entry.valueFrom.secretKeyRef ? secretToken : undefined);
      flags.push('-e', `${entry.name}=${value}`);
    }
    for (const port of container.ports) flags.push('-p', `127.0.0.1::${port.containerPort}`);
    const [mount] = container.volumeMounts;
    expect(pod.volumes[0].configMap.name).toBe(configMap.metadata.name);
    const dir = mkdtempSync(join(tmpdir(), 'imds-container-configmap-'));
    chmodSync(dir, 0o755);
    for (const [file, text] of Object.entries(configMap.data as Record<string, string>))
      writeFileSync(join(dir, file), text, { mode: 0o644 });
    flags.push('-v', `${dir}:${mount.mountPath}:ro`);
    if (container.securityContext.readOnlyRootFilesystem) flags.push('--read-only');
    if (container.securityContext.capabilities.drop.includes('ALL')) flags.push('--cap-drop', 'all');
    flags.push('--user', `${pod.securityContext.runAsUser}:${pod.securityContext.runAsGroup}`);
    const name = names.unique('service');
    podmanOk(['run', '--detach', '--name', name, ...flags, names.serve]);
    await waitForLog(name, BANNER);
    const port = (containerPort: number) =>
      Number(
        podmanOk(['port', name, String(containerPort)])
          .split(':')
          .pop(),
      );
    const control = `http://127.0.0.1:${port(1339)}`;
    expect((await fetch(`${control}/state`)).status).toBe(401);
    const state = (await (
      await fetch(`${control}/state`, { headers: { authorization: `Bearer ${secretToken}` } })
    ).json()) as { instance: { instanceLifeCycle: string }; httpTokens: { served: string } };
    expect(state.instance.instanceLifeCycle).toBe('spot');
    expect(state.httpTokens.served).toBe('required');
    const v1 = await fetch(`http://127.0.0.1:${port(1338)}/latest/meta-data/instance-id`);
    expect(v1.status).toBe(401);
  });

  it('holds only the production dependencies, OCI labels and STOPSIGNAL', () => {
    const modules = podmanOk([
      'run',
      '--rm',
      '--entrypoint',
      'node',
      names.serve,
      '-p',
      "require('fs').readdirSync('/opt/ec2-imds/node_modules').filter((n) => !n.startsWith('.')).sort().join(',')",
    ]);
    expect(modules).toBe(Object.keys(pkg.dependencies).sort().join(','));
    const config = JSON.parse(
      podmanOk(['image', 'inspect', '--format', '{{json .Config}}', names.serve]),
    ) as {
      Labels: Record<string, string>;
      StopSignal: string;
      ExposedPorts: Record<string, unknown>;
    };
    expect(config.Labels['org.opencontainers.image.version']).toBe(pkg.version);
    expect(config.Labels['org.opencontainers.image.title']).toBe('ec2-imds');
    expect(config.StopSignal).toMatch(/^(SIGTERM|15)$/);
    expect(Object.keys(config.ExposedPorts).sort()).toEqual(['1338/tcp', '1339/tcp']);
  });

  /** A folder holding imds.yaml, readable by the image's user 10001 (as a mounted config must be). */
  function configDir(text: string): string {
    const dir = mkdtempSync(join(tmpdir(), 'imds-container-config-'));
    writeFileSync(join(dir, 'imds.yaml'), text, { mode: 0o644 });
    chmodSync(dir, 0o755);
    return dir;
  }

  it('reads the configuration mounted at /etc/ec2-imds/imds.yaml', async () => {
    const dir = configDir('httpTokens: optional\n');
    const { port } = await startServe('config', ['-v', `${dir}:/etc/ec2-imds:ro`]);
    const answer = await fetch(`http://127.0.0.1:${port(1338)}/latest/meta-data/instance-id`);
    expect(answer.status).toBe(200);
    expect(await answer.text()).toBe(SEED_INSTANCE_ID);
  });

  it('refuses a broken mounted configuration with exit 2 and the file and line in the message', () => {
    const dir = configDir('host: [\n');
    const run = podman(['run', '--rm', '-v', `${dir}:/etc/ec2-imds:ro`, names.serve]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('imds serve: /etc/ec2-imds/imds.yaml:2:1: not valid YAML or JSON');
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  /** An empty folder for /out (the tools container runs as root). */
  function outDir(what: string): string {
    return mkdtempSync(join(tmpdir(), `imds-container-${what}-`));
  }

  it("sidecar in a pod with no network: the seed's lines verbatim on 169.254.169.254, v1 refused", () => {
    const pod = names.unique('pod');
    podmanOk(['pod', 'create', '--network', 'none', '--name', pod]);
    podmanOk([
      'run',
      '--detach',
      '--pod',
      pod,
      '--name',
      `${pod}-imds`,
      '--cap-drop',
      'all',
      '--cap-add',
      'NET_ADMIN,NET_BIND_SERVICE',
      names.sidecar,
      '--http-tokens',
      'required',
    ]);
    const out = outDir('pod');
    const client = podman(
      [
        'run',
        '--rm',
        '--pod',
        pod,
        '-v',
        `${join(repo, 'test')}:/test:ro`,
        '-v',
        `${out}:/out`,
        names.tools,
        '/bin/sh',
        '/test/container/seed-in-pod.sh',
      ],
      120_000,
    );
    expect(client.status, `${client.stderr}\n${podman(['logs', `${pod}-imds`]).stderr}`).toBe(0);
    expect(readFileSync(join(out, 'links'), 'utf8')).toBe('lo ');
    expect(readFileSync(join(out, 'status'), 'utf8')).toBe('ok\n');
    expectSeedAnswers(out, 'required');
    expect(readFileSync(join(out, 'instance-id.err'), 'utf8')).toContain('> Host: 169.254.169.254');
    const sidecarLogs = podman(['logs', `${pod}-imds`]);
    expect(sidecarLogs.stdout).toContain('IMDS emulator listening on http://169.254.169.254:80');
  });

  it('the sidecar without NET_ADMIN stops with a message naming the capability', () => {
    const run = podman(['run', '--rm', '--network', 'none', '--cap-drop', 'all', names.sidecar]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('needs the NET_ADMIN capability');
  });

  it('deploy/kubernetes/sidecar.yaml runs under podman kube play --network none', async () => {
    const manifest = parse(readFileSync(join(repo, 'deploy', 'kubernetes', 'sidecar.yaml'), 'utf8'));
    const deployment = names.unique('kube');
    manifest.metadata.name = deployment;
    const spec = manifest.spec.template.spec;
    // As written, apart from the images and the application container, which becomes the seed
    // client; it runs once, so the pod must not restart it.
    const imds = spec.containers.find((container: { name: string }) => container.name === 'imds');
    imds.image = names.sidecar;
    const out = outDir('kube');
    spec.restartPolicy = 'Never';
    spec.containers = [
      imds,
      {
        name: 'app',
        image: names.tools,
        command: ['/bin/sh', '/test/container/seed-in-pod.sh'],
        volumeMounts: [
          { name: 'tests', mountPath: '/test', readOnly: true },
          { name: 'out', mountPath: '/out' },
        ],
      },
    ];
    spec.volumes = [
      { name: 'tests', hostPath: { path: join(repo, 'test'), type: 'Directory' } },
      { name: 'out', hostPath: { path: out, type: 'Directory' } },
    ];
    const file = join(outDir('kube-manifest'), 'sidecar.yaml');
    writeFileSync(file, stringify(manifest));
    podmanOk(['kube', 'play', '--network', 'none', file], 180_000);
    const app = podmanOk(['ps', '--all', '--format', '{{.Names}}'])
      .split('\n')
      .find((container) => container.startsWith(deployment) && container.endsWith('-app'));
    expect(app, 'the kube play pod has an app container').toBeDefined();
    const exit = podmanOk(['wait', app!], 120_000);
    expect(exit, podman(['logs', app!]).stderr).toBe('0');
    expect(readFileSync(join(out, 'links'), 'utf8')).toBe('lo ');
    expectSeedAnswers(out, 'required');
  });
});
