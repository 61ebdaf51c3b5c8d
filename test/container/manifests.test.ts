/**
 * Every Kubernetes manifest in deploy/kubernetes/ validates offline against the Kubernetes API
 * schemas (kubernetes-models), and the properties the docs promise hold: the sidecar's exact
 * capabilities, the control API on its own ClusterIP Service behind the Secret's token, the
 * ConfigMap's configuration loadable by imds serve. (kubernetes-models, like the API server without
 * strict field validation, accepts unknown fields; the property checks below catch a misspelt one
 * wherever it matters.)
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Deployment } from 'kubernetes-models/apps/v1';
import { ConfigMap, Service } from 'kubernetes-models/v1';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { resolveConfig } from '../../src/config/resolve.js';
import { repo } from './podman.js';

const folder = join(repo, 'deploy', 'kubernetes');
const MODELS = { Deployment, ConfigMap, Service } as const;

interface Manifest {
  apiVersion: string;
  kind: keyof typeof MODELS;
  metadata: { name: string };
  // biome-ignore lint/suspicious/noExplicitAny: manifests are checked by the schema, then read freely
  spec?: any;
  data?: Record<string, string>;
}

function load(file: string): Manifest[] {
  const documents = parseAllDocuments(readFileSync(join(folder, file), 'utf8'));
  return documents.map((document) => {
    expect(document.errors, `${file}: YAML errors`).toEqual([]);
    return document.toJS() as Manifest;
  });
}

describe('deploy/kubernetes manifests', () => {
  const files = readdirSync(folder).filter((name) => name.endsWith('.yaml'));

  it('are exactly the two shapes: sidecar.yaml and service.yaml', () => {
    expect(files.sort()).toEqual(['service.yaml', 'sidecar.yaml']);
  });

  it.each(files)('%s validates against the Kubernetes API schemas', (file) => {
    const manifests = load(file);
    expect(manifests.length).toBeGreaterThan(0);
    for (const manifest of manifests) {
      const Model = MODELS[manifest.kind];
      expect(Model, `${file}: ${manifest.kind} has no schema check here`).toBeDefined();
      expect(() => new Model(manifest as never).validate()).not.toThrow();
    }
  });

  it('the schema check is not a formality: a wrong type and a missing field are refused', () => {
    const [deployment] = load('sidecar.yaml');
    const broken = structuredClone(deployment!);
    broken.spec.template.spec.containers[0].ports = [{ containerPort: 'eighty' }];
    expect(() => new Deployment(broken as never).validate()).toThrow(/containerPort must be integer/);
    const missing = structuredClone(deployment!);
    delete missing.spec.selector;
    expect(() => new Deployment(missing as never).validate()).toThrow(/selector/);
  });

  it('sidecar.yaml: the imds container has exactly NET_ADMIN and NET_BIND_SERVICE and probes itself', () => {
    const [deployment] = load('sidecar.yaml');
    expect(deployment!.kind).toBe('Deployment');
    const containers = deployment!.spec.template.spec.containers;
    expect(containers.map((container: { name: string }) => container.name)).toEqual(['imds', 'app']);
    const imds = containers[0];
    expect(imds.image).toBe('ec2-imds:sidecar');
    expect(imds.securityContext.capabilities).toEqual({
      drop: ['ALL'],
      add: ['NET_ADMIN', 'NET_BIND_SERVICE'],
    });
    expect(imds.securityContext.allowPrivilegeEscalation).toBe(false);
    expect(imds.readinessProbe.exec.command).toEqual(['node', '/opt/ec2-imds/container/healthcheck.cjs']);
  });

  it('service.yaml: ConfigMap, Deployment and two ClusterIP Services; control behind the Secret token', () => {
    const manifests = load('service.yaml');
    expect(manifests.map((manifest) => `${manifest.kind}/${manifest.metadata.name}`)).toEqual([
      'ConfigMap/ec2-imds-config',
      'Deployment/ec2-imds',
      'Service/ec2-imds',
      'Service/ec2-imds-control',
    ]);
    const services = manifests.filter((manifest) => manifest.kind === 'Service');
    for (const service of services) expect(service.spec.type).toBe('ClusterIP');
    expect(services[0]!.spec.ports).toEqual([{ name: 'metadata', port: 80, targetPort: 'metadata' }]);
    expect(services[1]!.spec.ports).toEqual([{ name: 'control', port: 1339, targetPort: 'control' }]);

    const pod = manifests[1]!.spec.template.spec;
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 10001 });
    const [imds] = pod.containers;
    const env = Object.fromEntries(
      imds.env.map((entry: { name: string; value?: string; valueFrom?: unknown }) => [
        entry.name,
        entry.value ?? entry.valueFrom,
      ]),
    );
    expect(env).toEqual({
      IMDS_CONTROL_PORT: '1339',
      IMDS_CONTROL_HOST: '0.0.0.0',
      IMDS_CONTROL_TOKEN: { secretKeyRef: { name: 'ec2-imds-control', key: 'token' } },
      IMDS_CONTROL_ALLOWED_HOSTS:
        'ec2-imds-control,ec2-imds-control.imds,ec2-imds-control.imds.svc,ec2-imds-control.imds.svc.cluster.local',
    });
    expect(imds.ports).toEqual([
      { name: 'metadata', containerPort: 1338 },
      { name: 'control', containerPort: 1339 },
    ]);
    expect(imds.volumeMounts).toEqual([{ name: 'config', mountPath: '/etc/ec2-imds', readOnly: true }]);
    expect(pod.volumes).toEqual([{ name: 'config', configMap: { name: 'ec2-imds-config' } }]);
  });

  it("service.yaml: the ConfigMap's imds.yaml is a configuration imds serve loads", () => {
    const [configMap] = load('service.yaml');
    const dir = mkdtempSync(join(tmpdir(), 'imds-configmap-'));
    const file = join(dir, 'imds.yaml');
    writeFileSync(file, configMap!.data!['imds.yaml']!);
    const config = resolveConfig({ flags: { config: file }, env: {} });
    expect(config.settings.httpTokens).toBe('required');
    expect(config.instance.instanceLifeCycle).toBe('spot');
  });
});
