import { mergeSnapshots } from '../../src/metrics/merge.js';
import { buildResultMetrics } from '../../src/metrics/build.js';
import { createRecorder } from '../../src/metrics/recorder.js';
const rec = createRecorder({ runStartMs: 0 });
for (let e = 0; e < 200; e++) {
  const h = rec.endpoint('default', 'GET', `GET /api/e${e}/:id`);
  for (let t = 0; t < 60; t++) for (let i = 0; i < 40; i++) { rec.tick(t * 1000); const v = 300 + ((e * 7919 + i * 104729 + t) % 90000); h.record(i % 50 === 0 ? 500 : 200, i % 50 === 0 ? 'http' : undefined, v, v + 10, 100, 0, 500, 80); }
}
rec.tick(61000);
const snap = rec.snapshot();
let c0 = process.cpuUsage(); const m = mergeSnapshots([snap, snap]); console.log("merge cpu ms", process.cpuUsage(c0).user / 1000);
c0 = process.cpuUsage(); buildResultMetrics(m, { durationMs: 60000 }); console.log("build cpu ms", process.cpuUsage(c0).user / 1000);
