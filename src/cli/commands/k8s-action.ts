/**
 * What `tuneup k8s`, `tuneup k8s-segment` and `tuneup k8s-merge` do
 * (declared in k8s.ts): write the manifests; in a segment pod, wait at the
 * barrier and run the segment; in the merge pod, wait for the segments and
 * merge them.
 * @module
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { planFileSource } from '../../engine/workers.js';
import { TuneupError } from '../../errors.js';
import { waitAtBarrier } from '../../k8s/barrier.js';
import { awaitSegments, readMarker, writeMarker } from '../../k8s/collect.js';
import { buildManifests, defaultName, toYaml, type K8sOptions } from '../../k8s/manifests.js';
import { readMergeEnv, readSegmentEnv, runsDirOf } from '../../k8s/pod-env.js';
import { loadPlan } from '../../plan/index.js';
import { executeRun } from '../execute-run.js';
import type { CliIO } from '../io.js';
import { parsePairs, parsePositiveInt } from '../options.js';
import type { K8sFlags } from './k8s.js';
import { mergeRuns } from './merge-action.js';

/** Run `tuneup k8s PLAN`. */
export async function k8sAction(planPath: string, flags: K8sFlags, io: CliIO): Promise<void> {
  const parallelism = parsePositiveInt(flags.parallelism, '--parallelism')!;
  const env = parsePairs(flags.env, '--env');
  const absolute = resolve(planPath);
  // Load it here so a broken plan fails now, not in N pods.
  const plan = await loadPlan(absolute, { env: { ...process.env, ...env } });
  const files: Record<string, string> = {};
  for (const path of [absolute, ...(flags.file ?? []).map((f) => resolve(f))]) {
    const key = basename(path);
    if (key in files) {
      throw new TuneupError('TUNEUP_K8S_INVALID', `two files are named ${key}`, { location: path, hint: 'Files are shipped side by side in one folder; rename one.' });
    }
    files[key] = await readFile(path, 'utf8');
  }
  const policy = flags.imagePullPolicy;
  if (policy !== undefined && !['Always', 'IfNotPresent', 'Never'].includes(policy)) {
    throw new TuneupError('TUNEUP_OPTION_INVALID', `--image-pull-policy ${policy}: expected Always, IfNotPresent or Never`, { location: '--image-pull-policy', hint: 'For example --image-pull-policy IfNotPresent.' });
  }
  const options: K8sOptions = {
    name: flags.name ?? defaultName(basename(absolute)),
    namespace: flags.namespace,
    parallelism,
    image: flags.image,
    planFile: basename(absolute),
    files,
    runKey: flags.runKey ?? new Date().toISOString().replace(/\.\d+Z$/, '').replace(/[-:]/g, '').replace('T', '-'),
    runArgs: [...(flags.workers ? ['--workers', String(parsePositiveInt(flags.workers, '--workers'))] : []), ...(flags.env ?? []).flatMap((pair) => ['--env', pair])],
    barrierPort: parsePositiveInt(flags.barrierPort, '--barrier-port'),
    barrierTimeout: flags.barrierTimeout,
    mergeTimeout: flags.mergeTimeout,
    storageClass: flags.storageClass,
    storageSize: flags.storageSize,
    imagePullPolicy: policy as K8sOptions['imagePullPolicy'],
  };
  const objects = buildManifests(options);
  if (plan.baseUrl && /^https?:\/\/(localhost|127\.|\[::1\])/i.test(plan.baseUrl)) {
    io.err(`warning: the plan's baseUrl ${plan.baseUrl} is the pod itself inside Kubernetes; use the service's cluster address (-e or the plan)`);
  }
  if (flags.out === undefined) {
    io.out(toYaml(objects).trimEnd());
    return;
  }
  const dir = resolve(flags.out);
  await mkdir(dir, { recursive: true });
  const written: string[] = [];
  for (const [i, object] of objects.entries()) {
    // Numbered so `kubectl apply -f DIR` creates them in order (the plan and volume before the Jobs).
    const file = join(dir, `${String(i + 1).padStart(2, '0')}-${object.kind.toLowerCase()}-${object.metadata.name}.yaml`);
    await writeFile(file, toYaml([object]));
    written.push(file);
  }
  io.out(written.join('\n'));
  io.err(`apply with: kubectl apply -f ${dir}   (the merged result: kubectl logs -f job/${options.name}-merge)`);
}

/** Run `tuneup k8s-segment PLAN` (in a segment pod). */
export async function k8sSegmentAction(planPath: string, flags: { workers?: string; env?: string[] }, io: CliIO): Promise<void> {
  const pod = readSegmentEnv(process.env);
  const segment = `${pod.index + 1}/${pod.count}`;
  const env = { ...process.env, ...parsePairs(flags.env, '--env') };
  const absolute = resolve(planPath);
  const plan = await loadPlan(absolute, { env });
  if (await readMarker(pod.resultsDir, pod.index)) {
    throw new TuneupError('TUNEUP_K8S_INVALID', `segment ${segment} already has a result in ${pod.resultsDir}`, {
      location: pod.resultsDir,
      hint: 'These manifests already ran: generate them again (`tuneup k8s …`) for a new run, which gets its own results folder.',
    });
  }
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  let release;
  try {
    release = await waitAtBarrier({ index: pod.index, count: pod.count, host: pod.barrierHost, port: pod.barrierPort, timeoutMs: pod.barrierTimeoutMs, signal: stop.signal });
  } catch (error) {
    await writeMarker(pod.resultsDir, { index: pod.index, segment, status: 'barrier-failed', error: (error as Error).message });
    throw error;
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  }
  io.err(`segment ${segment}: start barrier opened after ${Math.round(release.waitedMs)} ms`);
  const runsDir = runsDirOf(pod.resultsDir);
  try {
    const result = await executeRun(plan, io, {
      segment,
      runsDir,
      quiet: true,
      noReport: true,
      // A segment's thresholds see 1/N of the load; the merge judges them over the whole.
      noThresholds: true,
      labels: { k8s: pod.runName, segment },
      workers: parsePositiveInt(flags.workers, '--workers'),
      planSource: planFileSource(absolute, { env }),
    });
    await writeMarker(pod.resultsDir, { index: pod.index, segment, status: result.status, resultPath: join(runsDir, result.id, 'result.json') });
  } catch (error) {
    await writeMarker(pod.resultsDir, { index: pod.index, segment, status: 'failed', error: (error as Error).message });
    throw error;
  }
}

/** Run `tuneup k8s-merge` (in the merge pod). */
export async function k8sMergeAction(flags: { json?: boolean }, io: CliIO): Promise<void> {
  const pod = readMergeEnv(process.env);
  const stop = new AbortController();
  process.once('SIGTERM', () => stop.abort());
  const paths = await awaitSegments(pod.resultsDir, pod.count, { timeoutMs: pod.mergeTimeoutMs, signal: stop.signal });
  const merged = await mergeRuns(paths, { runsDir: runsDirOf(pod.resultsDir), json: flags.json }, io);
  await writeFile(join(pod.resultsDir, 'merged.json'), `${JSON.stringify({ id: merged.id, resultPath: join(runsDirOf(pod.resultsDir), merged.id, 'result.json') })}\n`);
}
