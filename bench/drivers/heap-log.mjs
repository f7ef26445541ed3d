// Preload for soak.ts (`node --import bench/drivers/heap-log.mjs …`): appends the
// main thread's process.memoryUsage() as one JSON line every
// TUNEUP_BENCH_HEAP_EVERY_MS (default 5000) to TUNEUP_BENCH_HEAP_LOG, so the
// soak sees the V8 heap of the unmodified CLI from outside. Worker threads
// (with --workers) have heaps of their own that this does not see; RSS, read
// from /proc by the bench, covers them. The timer is unref'd: it never keeps
// the CLI alive, and one sample costs well under a millisecond.
// With TUNEUP_BENCH_HEAP_GC=1 and node's --expose-gc, each sample first runs a
// full garbage collection, so heapUsed is the live heap (what a leak grows)
// rather than live + not yet collected garbage; that pause (tens of ms) is
// a perturbation of the generator, so it is opt-in.
import { appendFileSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';

const file = process.env.TUNEUP_BENCH_HEAP_LOG;
const everyMs = Number(process.env.TUNEUP_BENCH_HEAP_EVERY_MS ?? 5000);
if (file && isMainThread) {
  const collect = process.env.TUNEUP_BENCH_HEAP_GC === '1' && typeof globalThis.gc === 'function';
  const sample = () => {
    if (collect) globalThis.gc();
    const m = process.memoryUsage();
    appendFileSync(file, `${JSON.stringify({ at: Date.now(), rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, arrayBuffers: m.arrayBuffers })}\n`);
  };
  sample();
  setInterval(sample, everyMs).unref();
}
