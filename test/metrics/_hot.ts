import { createRecorder } from '../../src/metrics/recorder.js';
const rec = createRecorder({ runStartMs: 0 });
const h = rec.endpoint('default', 'GET', 'GET /a');
const N = 3_000_000; let now = 0;
const t0 = process.hrtime.bigint();
for (let i = 0; i < N; i++) { const s = 300 + (i & 4095) * 17; h.record(200, undefined, s, s + 50, s >> 1, 0, 500, 80); if (i % 5000 === 0) rec.tick(now += 100); }
console.log(Number(process.hrtime.bigint() - t0) / N, 'ns');
