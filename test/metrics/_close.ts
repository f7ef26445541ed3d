import { createRecorder } from '../../src/metrics/recorder.js';
for (const E of [20, 200, 500]) {
  const rec = createRecorder({ runStartMs: 0 });
  const hs = Array.from({ length: E }, (_, e) => rec.endpoint('d', 'GET', `GET /e${e}`));
  let worst = 0, total = 0, n = 0;
  for (let t = 1; t <= 10; t++) {
    for (let i = 0; i < 20000; i++) { const v = Math.round(200 * Math.exp(((i * 7919) % 10007) / 10007 * 6.6)); hs[i % E].record(200, undefined, v, v, v >> 1, 0, 500, 80); }
    const c0 = process.cpuUsage(); rec.tick(t * 1000); const c = process.cpuUsage(c0); const ms = (c.user + c.system) / 1000;
    if (t > 2) { worst = Math.max(worst, ms); total += ms; n++; }
  }
  console.log(`${E} endpoints: interval close ${(total / n).toFixed(1)} ms CPU mean, ${worst.toFixed(1)} worst`);
}
