/**
 * `tuneup k8s PLAN --parallelism N --image IMAGE`: the manifests of a
 * distributed run (see `k8s/manifests.ts`), and the two entrypoints the
 * generated pods run:
 *
 * - `tuneup k8s-segment PLAN`: one segment pod: start barrier, then
 *   `JOB_COMPLETION_INDEX+1 / N` of the plan, stored on the results volume;
 * - `tuneup k8s-merge`: the merge pod: wait for the N segment results, then
 *   `tuneup merge` them into one run with thresholds judged globally.
 *
 * The declarations only: the actions (k8s-action.ts) load when a command runs.
 *
 * @module
 */
import type { Command } from '@commander-js/extra-typings';
import { DEFAULT_BARRIER_PORT } from '../../k8s/barrier.js';
import type { CliIO } from '../io.js';
import { collect } from '../options.js';

/** The flags of `tuneup k8s` as commander gives them. */
export interface K8sFlags {
  parallelism: string;
  image: string;
  namespace?: string;
  name?: string;
  out?: string;
  file?: string[];
  workers?: string;
  env?: string[];
  barrierPort: string;
  barrierTimeout: string;
  mergeTimeout: string;
  storageClass?: string;
  storageSize: string;
  imagePullPolicy?: string;
  runKey?: string;
}

/** Register `tuneup k8s`, `tuneup k8s-segment` and `tuneup k8s-merge`. */
export function registerK8sCommands(program: Command, io: CliIO): void {
  program
    .command('k8s')
    .description('write Kubernetes manifests: an Indexed Job of N segments with a start barrier, results volume and a merge Job')
    .argument('<plan>', 'plan file (.ts, .js, .yaml, .json)')
    .requiredOption('-p, --parallelism <n>', 'number of segment pods (each runs 1/N of the load)')
    .requiredOption('--image <image>', 'the tuneup image (built from the Dockerfile)')
    .option('-n, --namespace <ns>', 'namespace of every object')
    .option('--name <name>', 'name of the Job and prefix of the other objects (default tuneup-<plan>)')
    .option('--out <dir>', 'write one YAML file per object into this folder instead of stdout')
    .option('--file <path>', 'another file the plan reads or imports, shipped next to it (repeatable)', collect)
    .option('-w, --workers <n>', 'worker threads in each pod')
    .option('-e, --env <key=value>', 'environment variable for the plan in every pod (repeatable)', collect)
    .option('--barrier-port <port>', 'TCP port of the start barrier', String(DEFAULT_BARRIER_PORT))
    .option('--barrier-timeout <duration>', 'how long pods wait for each other before failing', '10m')
    .option('--merge-timeout <duration>', 'how long the merge pod waits for the segments', '2h')
    .option('--storage-class <class>', 'storage class of the ReadWriteMany results volume')
    .option('--storage-size <size>', 'size of the results volume', '1Gi')
    .option('--image-pull-policy <policy>', 'Always, IfNotPresent or Never')
    .option('--run-key <key>', "this run's folder on the results volume (default: the generation time)")
    .action(async (planPath, flags) => (await import('./k8s-action.js')).k8sAction(planPath, flags, io));

  program
    .command('k8s-segment')
    .description('entrypoint of a segment pod made by `tuneup k8s` (reads JOB_COMPLETION_INDEX and TUNEUP_* variables)')
    .argument('<plan>', 'plan file')
    .option('-w, --workers <n>', 'worker threads generating the load')
    .option('-e, --env <key=value>', 'environment variable for the plan (repeatable)', collect)
    .action(async (planPath, flags) => (await import('./k8s-action.js')).k8sSegmentAction(planPath, flags, io));

  program
    .command('k8s-merge')
    .description('entrypoint of the merge pod made by `tuneup k8s`: wait for every segment, then merge them')
    .option('--json', 'print the merged RunResult JSON')
    .action(async (flags) => (await import('./k8s-action.js')).k8sMergeAction(flags, io));
}
