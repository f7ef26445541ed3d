import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { Job } from 'kubernetes-models/batch/v1';
import { ConfigMap, PersistentVolumeClaim, Service } from 'kubernetes-models/v1';
import { readFileSync } from 'node:fs';
import { buildManifests, defaultName, PLAN_MOUNT, RESULTS_MOUNT, toYaml, type K8sObject, type K8sOptions } from '../../src/k8s/manifests.js';
import { readMergeEnv, readSegmentEnv } from '../../src/k8s/pod-env.js';
import { TuneupError } from '../../src/errors.js';

const OPTIONS: K8sOptions = {
  name: 'tuneup-checkout',
  namespace: 'load',
  parallelism: 4,
  image: 'registry.example/tuneup:0.1.0',
  planFile: 'plan.ts',
  files: { 'plan.ts': "import { defineTest } from 'tuneup';\nexport default defineTest({});\n", 'users.csv': 'id\n1\n' },
  runKey: '20261204-120000',
  runArgs: ['--workers', '2'],
  storageClass: 'nfs',
};

/** Validate one object against the Kubernetes OpenAPI schema of its kind (kubernetes-models). */
function validate(object: K8sObject): void {
  const models: Record<string, new (data: never) => { validate(): void }> = {
    'v1/ConfigMap': ConfigMap,
    'v1/Service': Service,
    'v1/PersistentVolumeClaim': PersistentVolumeClaim,
    'batch/v1/Job': Job,
  };
  const Model = models[`${object.apiVersion}/${object.kind}`];
  assert.ok(Model, `no schema for ${object.apiVersion} ${object.kind}`);
  new Model(structuredClone(object) as never).validate();
}

function k8sError(fn: () => unknown, code = 'TUNEUP_K8S_INVALID'): TuneupError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof TuneupError, String(error));
    assert.equal(error.code, code);
    assert.ok(error.hint);
    return error;
  }
  assert.fail('expected a TuneupError');
}

describe('k8s manifests', () => {
  const objects = buildManifests(OPTIONS);
  const byKind = (kind: string, component?: string) => objects.find((o) => o.kind === kind && (!component || o.metadata.labels?.['app.kubernetes.io/component'] === component)) as any;

  it('every object validates against the Kubernetes OpenAPI schema, also after a YAML round trip', () => {
    assert.deepEqual(objects.map((o) => o.kind), ['ConfigMap', 'Service', 'PersistentVolumeClaim', 'Job', 'Job']);
    for (const object of objects) validate(object);
    const docs = parseAllDocuments(toYaml(objects)).map((d) => d.toJS() as K8sObject);
    assert.deepEqual(docs, objects);
    for (const doc of docs) validate(doc);
  });

  it('the validator can fail: a wrong completion mode or a non-numeric port is refused', () => {
    const job = structuredClone(byKind('Job', 'segment'));
    job.spec.completionMode = 'Indexd';
    assert.throws(() => validate(job), /completionMode/);
    const noImage = structuredClone(byKind('Job', 'merge'));
    noImage.spec.template.spec.containers[0].ports = [{ containerPort: 'x' }];
    assert.throws(() => validate(noImage), /containerPort/);
  });

  it('an Indexed Job of N segment pods reachable through the headless Service, with the plan and results mounted', () => {
    const job = byKind('Job', 'segment');
    assert.equal(job.spec.completionMode, 'Indexed');
    assert.equal(job.spec.completions, 4);
    assert.equal(job.spec.parallelism, 4);
    assert.equal(job.spec.backoffLimit, 0);
    const pod = job.spec.template.spec;
    const service = byKind('Service');
    assert.equal(pod.subdomain, service.metadata.name);
    assert.equal(service.spec.clusterIP, 'None');
    assert.equal(service.spec.publishNotReadyAddresses, true);
    for (const [k, v] of Object.entries(service.spec.selector)) assert.equal(job.spec.template.metadata.labels[k], v);
    const container = pod.containers[0];
    assert.deepEqual(container.args, ['k8s-segment', '/app/plan/plan.ts', '--workers', '2']);
    const env = Object.fromEntries(container.env.map((e: { name: string; value: string }) => [e.name, e.value]));
    assert.deepEqual(env, {
      TUNEUP_SEGMENTS: '4',
      TUNEUP_RESULTS_DIR: '/results/20261204-120000',
      TUNEUP_RUN_NAME: 'tuneup-checkout',
      TUNEUP_BARRIER_HOST: 'tuneup-checkout-0.tuneup-checkout',
      TUNEUP_BARRIER_PORT: '7070',
      TUNEUP_BARRIER_TIMEOUT: '10m',
    });
    assert.equal(service.spec.ports[0].port, Number(env.TUNEUP_BARRIER_PORT));
    assert.deepEqual(byKind('ConfigMap').data, OPTIONS.files);
    assert.equal(pod.volumes[0].configMap.name, byKind('ConfigMap').metadata.name);
    const claim = byKind('PersistentVolumeClaim');
    assert.deepEqual(claim.spec.accessModes, ['ReadWriteMany']);
    assert.equal(claim.spec.storageClassName, 'nfs');
    assert.equal(pod.volumes[1].persistentVolumeClaim.claimName, claim.metadata.name);
    assert.equal(pod.securityContext.runAsNonRoot, true);
    for (const o of objects) assert.equal(o.metadata.namespace, 'load');
  });

  it('the merge Job waits for the same N on the same results folder', () => {
    const merge = byKind('Job', 'merge');
    const container = merge.spec.template.spec.containers[0];
    assert.deepEqual(container.args, ['k8s-merge']);
    const env = Object.fromEntries(container.env.map((e: { name: string; value: string }) => [e.name, e.value]));
    assert.equal(env.TUNEUP_SEGMENTS, '4');
    assert.equal(env.TUNEUP_RESULTS_DIR, '/results/20261204-120000');
    assert.equal(merge.spec.template.spec.volumes[1].persistentVolumeClaim.claimName, 'tuneup-checkout-results');
  });

  it('bad options are TUNEUP_K8S_INVALID with a hint', () => {
    assert.match(k8sError(() => buildManifests({ ...OPTIONS, name: 'Checkout_Load' })).message, /DNS label/);
    assert.match(k8sError(() => buildManifests({ ...OPTIONS, name: 'a'.repeat(51) })).message, /at most 50/);
    k8sError(() => buildManifests({ ...OPTIONS, parallelism: 0 }));
    k8sError(() => buildManifests({ ...OPTIONS, image: '' }));
    k8sError(() => buildManifests({ ...OPTIONS, runKey: 'a/b' }));
    assert.match(k8sError(() => buildManifests({ ...OPTIONS, files: { 'plan.ts': 'x'.repeat(1024 * 1024 + 1) } })).message, /1 MiB/);
    assert.equal(defaultName('Checkout Load.v2.yaml'), 'tuneup-checkout-load-v2');
  });
});

describe('Dockerfile', () => {
  it('is the image the manifests expect: node:20-slim, production dependencies, non-root uid 1000, the plan mounted inside the package', () => {
    const text = readFileSync(new URL('../../Dockerfile', import.meta.url), 'utf8');
    const stages = [...text.matchAll(/^FROM (\S+)/gm)].map((m) => m[1]);
    assert.deepEqual(stages, ['node:20-slim', 'node:20-slim']);
    const runtime = text.slice(text.lastIndexOf('\nFROM '));
    assert.match(runtime, /^RUN npm ci --omit=dev\b/m);
    assert.match(runtime, /^USER node$/m, 'the official image\'s node user is uid 1000');
    const workdir = /^WORKDIR (\S+)$/m.exec(runtime)![1]!;
    assert.ok(PLAN_MOUNT.startsWith(`${workdir}/`), 'the plan sits inside the package, so `import "tuneup"` resolves');
    assert.match(runtime, new RegExp(`mkdir -p ${PLAN_MOUNT} ${RESULTS_MOUNT} && chown node:node ${RESULTS_MOUNT}`));
    assert.match(runtime, /^ENTRYPOINT \["node", "\/app\/bin\/tuneup\.js"\]$/m);
    const pod = (buildManifests(OPTIONS)[3] as any).spec.template.spec;
    assert.equal(pod.securityContext.runAsUser, 1000);
  });
});

describe('pod environment', () => {
  const env = { JOB_COMPLETION_INDEX: '2', TUNEUP_SEGMENTS: '4', TUNEUP_RESULTS_DIR: '/r', TUNEUP_BARRIER_HOST: 'h', TUNEUP_BARRIER_PORT: '7070', TUNEUP_BARRIER_TIMEOUT: '90s' };

  it('reads what the manifests set', () => {
    assert.deepEqual(readSegmentEnv(env), { index: 2, count: 4, resultsDir: '/r', barrierHost: 'h', barrierPort: 7070, barrierTimeoutMs: 90_000, runName: 'tuneup' });
    assert.equal(readMergeEnv({ TUNEUP_SEGMENTS: '4', TUNEUP_RESULTS_DIR: '/r' }).mergeTimeoutMs, 3_600_000);
  });

  it('names the missing or wrong variable', () => {
    assert.match(k8sError(() => readSegmentEnv({ ...env, JOB_COMPLETION_INDEX: undefined })).message, /JOB_COMPLETION_INDEX=\(unset\)/);
    assert.match(k8sError(() => readSegmentEnv({ ...env, JOB_COMPLETION_INDEX: '4' })).message, /below TUNEUP_SEGMENTS=4/);
    assert.match(k8sError(() => readSegmentEnv({ ...env, TUNEUP_BARRIER_TIMEOUT: 'soon' })).message, /TUNEUP_BARRIER_TIMEOUT=soon/);
  });
});
