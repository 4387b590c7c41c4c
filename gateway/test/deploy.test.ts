import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SUBGRAPHS } from '../src/subgraphs';

// deploy/ (kustomize) rendered and strictly decoded into the Kubernetes API's Go types by
// tools/kube-check, which also checks probes, resources, security contexts, secrets, Services and
// PodDisruptionBudgets; here it is held to the subgraph registry and to docker-compose.yml.

const ROOT = resolve(__dirname, '../..');

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string }; configMapKeyRef?: { name: string; key: string } };
}
interface Container {
  name: string;
  image: string;
  command?: string[];
  env?: EnvVar[];
  ports?: { name: string; containerPort: number }[];
  readinessProbe?: { httpGet?: { path: string; port: string } };
  livenessProbe?: { httpGet?: { path: string; port: string } };
}
interface PodSpec {
  containers: Container[];
  volumes?: { name: string; configMap?: { name: string } }[];
}
interface K8sObject {
  kind: string;
  metadata: { name: string };
  spec: { template: { spec: PodSpec }; ports: { name: string; port: number }[]; scaleTargetRef: { name: string } };
  data?: Record<string, string>;
}

let kubeCheckBin: string;
let composeConfigBin: string;
let scratch: string;

function kubeCheck(dir: string) {
  const { PATH, HOME } = process.env;
  const result = spawnSync(kubeCheckBin, ['-k', dir], { env: { PATH, HOME }, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function rendered(dir: string): K8sObject[] {
  const result = kubeCheck(resolve(ROOT, dir));
  if (result.status !== 0) throw new Error(`${dir} does not pass tools/kube-check:\n${result.stderr}`);
  return JSON.parse(result.stdout) as K8sObject[];
}

let base: K8sObject[];
let withRouter: K8sObject[];
let compose: Record<string, { environment?: Record<string, string | null>; command?: string[] }>;
beforeAll(async () => {
  // Built once by npm test; a first direct run builds them here.
  const { ensureComposeConfig, ensureKubeCheck } = await import('../../tools/stack/services.mjs');
  kubeCheckBin = ensureKubeCheck();
  composeConfigBin = ensureComposeConfig();
  base = rendered('deploy/base');
  withRouter = rendered('deploy/overlays/router');
  const secrets = {
    JWT_PRIVATE_KEYS: 'private-pem',
    JWT_PUBLIC_KEYS: 'public-pem',
    SUBGRAPH_SHARED_SECRET: 'b'.repeat(32),
    PLAYBACK_URL_SECRET: 'c'.repeat(32),
    ADMIN_PASSWORD: 'x',
  };
  const loaded = spawnSync(composeConfigBin, ['-f', resolve(ROOT, 'docker-compose.yml')], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...secrets },
    encoding: 'utf8',
  });
  compose = (JSON.parse(loaded.stdout) as { services: typeof compose }).services;
  scratch = mkdtempSync(join(tmpdir(), 'kube-check-'));
}, 300_000);
afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

const find = (objects: K8sObject[], kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name);
const container = (objects: K8sObject[], kind: string, name: string) => find(objects, kind, name)!.spec.template.spec.containers[0]!;
const envNames = (c: Container) => (c.env ?? []).map((e) => e.name).sort();
const SERVICES = [{ name: 'gateway', port: 4000 }, ...SUBGRAPHS.map((s) => ({ name: s.name, port: Number(new URL(s.url).port) }))];

describe('deploy/ (Kubernetes, kustomize)', () => {
  it('runs every service of the registry from its own image, on its port, behind a Service and a PodDisruptionBudget', () => {
    for (const { name, port } of SERVICES) {
      const main = container(base, 'Deployment', name);
      expect(main.image, name).toBe(`ott-supergraph/${name}:latest`);
      expect(main.ports, name).toContainEqual({ name: 'http', containerPort: port });
      expect(main.ports, name).toContainEqual({ name: 'metrics', containerPort: port + 5090 });
      expect(main.env, name).toContainEqual({ name: 'PORT', value: String(port) });
      expect(find(base, 'Service', name)!.spec.ports, name).toContainEqual(expect.objectContaining({ name: 'http', port }));
      expect(find(base, 'PodDisruptionBudget', name), name).toBeDefined();
      expect(main.readinessProbe?.httpGet, name).toEqual({ path: '/health/ready', port: 'http' });
      expect(main.livenessProbe?.httpGet, name).toEqual({ path: '/health/live', port: 'http' });
    }
    const deployments = base.filter((o) => o.kind === 'Deployment').map((o) => o.metadata.name);
    expect(deployments.sort()).toEqual(SERVICES.map((s) => s.name).sort());
  });

  it('sets each service the variables docker-compose.yml sets, with the same plain values and secrets from ott-secrets', () => {
    const check = (objects: K8sObject[], kind: string, name: string, composeName: string) => {
      const main = container(objects, kind, name);
      const environment = compose[composeName]!.environment!;
      expect(envNames(main), name).toEqual(Object.keys(environment).sort());
      for (const variable of main.env!) {
        if (variable.value !== undefined) expect(variable.value, `${name}: ${variable.name}`).toBe(environment[variable.name]);
        else
          expect(variable.valueFrom?.secretKeyRef?.name ?? variable.valueFrom?.configMapKeyRef?.name, `${name}: ${variable.name}`).toMatch(
            /^ott-(secrets|config)$/,
          );
      }
    };
    for (const { name } of SERVICES) check(base, 'Deployment', name, name);
    check(base, 'Job', 'catalog-import', 'catalog-seed');
  });

  it('imports the catalogue with a Job on catalog’s image, as compose’s catalog-seed does', () => {
    const job = container(base, 'Job', 'catalog-import');
    expect(job.image).toBe('ott-supergraph/catalog:latest');
    expect(job.command).toEqual(['node', 'dist/import/cli.js']);
    expect(compose['catalog-seed']!.command!.join(' ')).toContain('node dist/import/cli.js');
  });

  it('autoscales the gateway and the read-heavy subgraphs', () => {
    const scaled = base.filter((o) => o.kind === 'HorizontalPodAutoscaler').map((o) => o.spec.scaleTargetRef.name);
    expect(scaled.sort()).toEqual(['catalog', 'gateway', 'ratings']);
  });

  it('adds Apollo Router, configured by router.yaml itself, only in the router overlay', () => {
    expect(find(base, 'Deployment', 'router')).toBeUndefined();
    const router = find(withRouter, 'Deployment', 'router')!;
    const configMapName = router.spec.template.spec.volumes!.find((v) => v.name === 'config')!.configMap!.name;
    const configMap = find(withRouter, 'ConfigMap', configMapName)!;
    expect(configMap.data!['router.yaml']).toBe(readFileSync(resolve(ROOT, 'router.yaml'), 'utf8'));
    const env = Object.fromEntries(router.spec.template.spec.containers[0]!.env!.map((e) => [e.name, e.value]));
    expect(env).toMatchObject({ ROUTER_LISTEN: '0.0.0.0:4000', METRICS_LISTEN: '0.0.0.0:9090', HEALTH_CHECK_LISTEN: '0.0.0.0:8088' });
    expect(readFileSync(resolve(ROOT, 'router.yaml'), 'utf8')).toContain('${env.HEALTH_CHECK_LISTEN:-127.0.0.1:8088}');
  });
});

describe('tools/kube-check', () => {
  /** deploy/base copied, with one file changed by `edit`. */
  function variant(label: string, file: string, edit: (text: string) => string): string {
    const dir = join(scratch, label);
    cpSync(resolve(ROOT, 'deploy/base'), dir, { recursive: true });
    const path = join(dir, file);
    const before = readFileSync(path, 'utf8');
    const after = edit(before);
    expect(after, `${label}: the edit applies`).not.toBe(before);
    writeFileSync(path, after);
    return dir;
  }

  it('refuses a field the Kubernetes API does not know', () => {
    const dir = variant('unknown-field', 'users.yaml', (text) =>
      text.replace('      automountServiceAccountToken: false', '      automountServiceAccountToken: false\n      restartPolicyy: Always'),
    );
    const result = kubeCheck(dir);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/Deployment users: .*unknown field "spec\.template\.spec\.restartPolicyy"/);
  });

  it('refuses a secret set literally, a Secret object, a missing probe and a Deployment without its PodDisruptionBudget', () => {
    const literal = kubeCheck(
      variant('literal-secret', 'users.yaml', (text) =>
        text.replace('valueFrom: { secretKeyRef: { name: ott-secrets, key: jwt-private-keys } }', 'value: "-----BEGIN PRIVATE KEY-----"'),
      ),
    );
    expect(literal.status).not.toBe(0);
    expect(literal.stderr).toContain('Deployment users, container users: JWT_PRIVATE_KEYS must come from a Secret');

    const secretObject = kubeCheck(
      variant(
        'secret-object',
        'config.yaml',
        (text) => `${text}---\napiVersion: v1\nkind: Secret\nmetadata: { name: ott-secrets }\nstringData: { jwt-private-keys: x }\n`,
      ),
    );
    expect(secretObject.stderr).toContain('Secret ott-secrets: secrets are created in the cluster');

    const noProbe = kubeCheck(variant('no-probe', 'ratings.yaml', (text) => text.replace(/ {10}livenessProbe:\n(?: {12}.*\n)+/, '')));
    expect(noProbe.stderr).toContain('Deployment ratings, container ratings: no liveness probe');

    const noBudget = kubeCheck(variant('no-budget', 'my-list.yaml', (text) => text.replace(/---\napiVersion: policy\/v1\n[\s\S]*$/, '')));
    expect(noBudget.stderr).toContain('Deployment my-list: no PodDisruptionBudget covers its pods');
  });
});
