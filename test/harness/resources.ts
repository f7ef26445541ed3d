/**
 * Start several test resources at once, all or nothing.
 *
 * `const [pg, redis] = await Promise.all([startPostgres(), startRedis()])`
 * leaks: when PostgreSQL fails in a millisecond (an extension not
 * installed), Redis still starts, nobody holds its handle, `after()` sees
 * `redis === undefined`, and its child process keeps the test file alive
 * until the runner's timeout. {@link startAll} waits for every start to
 * settle and, when any failed, stops the ones that did start before it
 * rethrows.
 *
 * @module
 */

/** Anything the harness starts: it can be stopped (idempotently). */
export interface Stoppable {
  stop(): Promise<void>;
}

type Started<T extends Record<string, () => Promise<Stoppable>>> = { [K in keyof T]: Awaited<ReturnType<T[K]>> };

/**
 * Run every starter concurrently. Resolves to the started resources by name
 * when all succeed; otherwise stops those that started and rejects with the
 * first failure (the others' messages are appended).
 */
export async function startAll<T extends Record<string, () => Promise<Stoppable>>>(starters: T): Promise<Started<T>> {
  const names = Object.keys(starters) as (keyof T)[];
  const settled = await Promise.allSettled(names.map((name) => starters[name]!()));
  const failures = settled.flatMap((s, i) => (s.status === 'rejected' ? [{ name: String(names[i]), reason: s.reason as unknown }] : []));
  if (failures.length === 0) {
    return Object.fromEntries(names.map((name, i) => [name, (settled[i] as PromiseFulfilledResult<Stoppable>).value])) as Started<T>;
  }
  await stopAll(settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : [])));
  const first = failures[0]!;
  const error = first.reason instanceof Error ? first.reason : new Error(String(first.reason));
  if (failures.length > 1) {
    error.message += failures
      .slice(1)
      .map((f) => `\n(also failed: ${f.name}: ${f.reason instanceof Error ? f.reason.message : String(f.reason)})`)
      .join('');
  }
  throw error;
}

/**
 * Stop every resource that exists (undefined ones are skipped, for `after()`
 * hooks whose `before()` failed half-way), all at once; one failing stop
 * does not keep the others running. Rejects with the first stop error.
 */
export async function stopAll(resources: (Stoppable | undefined | null)[]): Promise<void> {
  const settled = await Promise.allSettled(resources.map((r) => r?.stop()));
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
}
