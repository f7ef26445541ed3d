import { buildResultMetrics } from '../../src/metrics/build.js';
import { mergeSnapshots } from '../../src/metrics/merge.js';
import { createRecorder } from '../../src/metrics/recorder.js';
import { feed, makeSamples } from './fixtures.js';
const samples = makeSamples(20_000, 10_000, 7);
const a = createRecorder({ runStartMs: 0 }); const b = createRecorder({ runStartMs: 0 });
feed([a, b], samples, (i) => i % 3 === 0 ? 1 : 0);
a.tick(10000); b.tick(10000);
const sa = a.snapshot(), sb = b.snapshot();
for (let i = 0; i < 3; i++) {
let t = performance.now();
const m = mergeSnapshots([sa, sb]); const t1 = performance.now();
buildResultMetrics(m, { durationMs: 10000 }); console.log('merge', (t1 - t).toFixed(1), 'build', (performance.now() - t1).toFixed(1));
}
