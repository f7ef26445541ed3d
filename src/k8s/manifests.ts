/**
 * The manifests of a distributed run on Kubernetes (`tuneup k8s PLAN`):
 *
 * - a ConfigMap with the plan (and the files it reads), mounted at
 *   `/app/plan` inside the image's package folder, so a TypeScript plan's
 *   `import … from 'tuneup'` resolves to the image's tuneup;
 * - a headless Service that gives the segment pods stable DNS names
 *   (`<name>-<index>.<name>`) before they are ready, for the start barrier;
 * - a ReadWriteMany PersistentVolumeClaim for the results;
 * - an Indexed Job (completions = parallelism = N) whose pod `i` runs
 *   segment `i+1/N` through `tuneup k8s-segment`, after the barrier;
 * - a merge Job whose pod waits for the N segment results on the volume and
 *   runs `tuneup merge` on them: one RunResult, thresholds judged globally.
 *
 * Pure: the objects are returned as data; `toYaml` renders them.
 *
 * @module
 */
import { stringify } from 'yaml';
import { TuneupError } from '../errors.js';
import { DEFAULT_BARRIER_PORT } from './barrier.js';
import { POD_ENV } from './pod-env.js';

export { DEFAULT_BARRIER_PORT } from './barrier.js';

/** Inputs of {@link buildManifests}. */
export interface K8sOptions {
  /** Resource name prefix (DNS label). */
  name: string;
  namespace?: string;
  parallelism: number;
  image: string;
  /** File name of the plan in the ConfigMap (its base name). */
  planFile: string;
  /** Files of the ConfigMap: the plan and any data or module it reads, by base name. */
  files: Record<string, string>;
  /**
   * Names this run's folder on the results volume (`/results/<runKey>`), so
   * the markers of an earlier run on the same volume are never merged into
   * this one. `tuneup k8s` uses the generation time.
   */
  runKey: string;
  /** Extra `tuneup run` arguments for every segment (e.g. `--workers 2`). */
  runArgs?: string[];
  barrierPort?: number;
  /** Durations as the pods parse them, e.g. `10m`. */
  barrierTimeout?: string;
  mergeTimeout?: string;
  storageClass?: string;
  storageSize?: string;
  imagePullPolicy?: 'Always' | 'IfNotPresent' | 'Never';
}

/** A Kubernetes object as plain data. */
export type K8sObject = Record<string, unknown> & { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> } };

/** Where the plan ConfigMap is mounted: inside the image's package folder (see the module doc). */
export const PLAN_MOUNT = '/app/plan';
/** Where the results volume is mounted. */
export const RESULTS_MOUNT = '/results';
/** A ConfigMap holds at most 1 MiB. */
const CONFIGMAP_LIMIT_BYTES = 1024 * 1024;
/** Room left in a 63-character pod hostname for `-<index>` and the merge Job's `-merge`. */
const MAX_NAME_LENGTH = 50;

/** Build every object of the run, in apply order. */
export function buildManifests(o: K8sOptions): K8sObject[] {
  checkOptions(o);
  const port = o.barrierPort ?? DEFAULT_BARRIER_PORT;
  const base = (component: string): Record<string, string> => ({
    'app.kubernetes.io/name': 'tuneup',
    'app.kubernetes.io/instance': o.name,
    'app.kubernetes.io/component': component,
  });
  const meta = (name: string, component: string) => ({ name, ...(o.namespace ? { namespace: o.namespace } : {}), labels: base(component) });
  const planName = `${o.name}-plan`;
  const resultsName = `${o.name}-results`;
  const common = [
    { name: POD_ENV.segments, value: String(o.parallelism) },
    { name: POD_ENV.resultsDir, value: `${RESULTS_MOUNT}/${o.runKey}` },
    { name: POD_ENV.runName, value: o.name },
  ];
  const volumes = [
    { name: 'plan', configMap: { name: planName } },
    { name: 'results', persistentVolumeClaim: { claimName: resultsName } },
  ];
  // Segment and merge pods mount the same two volumes the same way (the plan read-only).
  const volumeMounts = [
    { name: 'plan', mountPath: PLAN_MOUNT, readOnly: true },
    { name: 'results', mountPath: RESULTS_MOUNT },
  ];
  const podSecurity = { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000 };
  const containerSecurity = { allowPrivilegeEscalation: false, readOnlyRootFilesystem: false, capabilities: { drop: ['ALL'] } };
  const pull = o.imagePullPolicy ? { imagePullPolicy: o.imagePullPolicy } : {};

  const configMap: K8sObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(planName, 'plan'), data: { ...o.files } };
  const service: K8sObject = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta(o.name, 'barrier'),
    spec: {
      clusterIP: 'None',
      // The barrier runs before any readiness: peers must resolve the coordinator while nobody is ready.
      publishNotReadyAddresses: true,
      selector: base('segment'),
      ports: [{ name: 'barrier', port, targetPort: port, protocol: 'TCP' }],
    },
  };
  const claim: K8sObject = {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: meta(resultsName, 'results'),
    spec: {
      // N segment pods on any nodes and the merge pod write and read the same volume.
      accessModes: ['ReadWriteMany'],
      ...(o.storageClass ? { storageClassName: o.storageClass } : {}),
      resources: { requests: { storage: o.storageSize ?? '1Gi' } },
    },
  };
  const segments: K8sObject = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: meta(o.name, 'segment'),
    spec: {
      completionMode: 'Indexed',
      completions: o.parallelism,
      parallelism: o.parallelism,
      // A retried segment would start after the others and break the common start: fail instead.
      backoffLimit: 0,
      template: {
        metadata: { labels: base('segment') },
        spec: {
          // With the headless Service of the same name, pod i is reachable as <name>-i.<name>.
          subdomain: o.name,
          restartPolicy: 'Never',
          securityContext: podSecurity,
          containers: [
            {
              name: 'segment',
              image: o.image,
              ...pull,
              args: ['k8s-segment', `${PLAN_MOUNT}/${o.planFile}`, ...(o.runArgs ?? [])],
              env: [
                ...common,
                { name: POD_ENV.barrierHost, value: `${o.name}-0.${o.name}` },
                { name: POD_ENV.barrierPort, value: String(port) },
                { name: POD_ENV.barrierTimeout, value: o.barrierTimeout ?? '10m' },
              ],
              ports: [{ name: 'barrier', containerPort: port, protocol: 'TCP' }],
              securityContext: containerSecurity,
              volumeMounts,
            },
          ],
          volumes,
        },
      },
    },
  };
  const merge: K8sObject = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: meta(`${o.name}-merge`, 'merge'),
    spec: {
      backoffLimit: 0,
      template: {
        metadata: { labels: base('merge') },
        spec: {
          restartPolicy: 'Never',
          securityContext: podSecurity,
          containers: [
            {
              name: 'merge',
              image: o.image,
              ...pull,
              args: ['k8s-merge'],
              env: [...common, { name: POD_ENV.mergeTimeout, value: o.mergeTimeout ?? '2h' }],
              securityContext: containerSecurity,
              volumeMounts,
            },
          ],
          volumes,
        },
      },
    },
  };
  return [configMap, service, claim, segments, merge];
}

/** Render objects as one multi-document YAML stream. */
export function toYaml(objects: readonly K8sObject[]): string {
  return objects.map((object) => stringify(object, { lineWidth: 0 })).join('---\n');
}

/** A name derived from the plan file: `tuneup-<base name>`, cut to fit and made a DNS label. */
export function defaultName(planFile: string): string {
  const stem = planFile.replace(/\.[^.]*$/, '').toLowerCase().replace(/[^a-z0-9-]+/g, '-');
  return `tuneup-${stem}`.slice(0, MAX_NAME_LENGTH).replace(/-+$/, '');
}

function checkOptions(o: K8sOptions): void {
  const fail = (message: string, hint: string, location: string): never => {
    throw new TuneupError('TUNEUP_K8S_INVALID', message, { hint, location });
  };
  if (!/^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(o.name) || o.name.length > MAX_NAME_LENGTH) {
    fail(`--name ${JSON.stringify(o.name)}: not a DNS label of at most ${MAX_NAME_LENGTH} characters`, 'Use lower-case letters, digits and "-", starting with a letter, e.g. --name checkout-load.', '--name');
  }
  if (o.namespace !== undefined && !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(o.namespace)) {
    fail(`--namespace ${JSON.stringify(o.namespace)}: not a valid namespace`, 'Use lower-case letters, digits and "-".', '--namespace');
  }
  if (!Number.isInteger(o.parallelism) || o.parallelism < 1) fail(`--parallelism ${o.parallelism}: expected a positive integer`, 'For example --parallelism 4.', '--parallelism');
  if (o.image.trim() === '' || /\s/.test(o.image)) fail(`--image ${JSON.stringify(o.image)}: not an image reference`, 'Build and push the image from the Dockerfile, e.g. --image registry.example/tuneup:0.1.0.', '--image');
  const bytes = Object.entries(o.files).reduce((sum, [k, v]) => sum + Buffer.byteLength(k) + Buffer.byteLength(v), 0);
  if (bytes > CONFIGMAP_LIMIT_BYTES) {
    fail(`the plan and its files are ${Math.round(bytes / 1024)} KiB; a ConfigMap holds at most 1 MiB`, 'Bake large data files into an image built FROM the tuneup image, and leave them out of --file.', '--file');
  }
  if (!/^[-_a-zA-Z0-9]+$/.test(o.runKey)) fail(`run key ${JSON.stringify(o.runKey)}: letters, digits, "-" and "_" only`, 'For example --run-key 2026-12-04-a.', '--run-key');
  for (const key of Object.keys(o.files)) {
    if (!/^[-._a-zA-Z0-9]+$/.test(key)) fail(`file ${JSON.stringify(key)}: not a valid ConfigMap key`, 'Rename the file to letters, digits, ".", "-" and "_".', '--file');
  }
}
