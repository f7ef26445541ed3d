/**
 * Cost of the load facts (repeated keys, in-flight time) on the engine's hot
 * path, side by side with the recording they ride on. Run:
 *
 *   node --import tsx bench/load-facts-overhead.ts [--rounds 5]
 *
 * Per round and variant, 2M simulated requests go through a real recorder:
 * `record` alone (what the engine did before), then `record` + the key hash
 * of the URL + `noteLoad`, with one fixed URL (the fixed-sender path hashes
 * once) and with URLs over 10 000 and 1 000 000 distinct ids (the scripted
 * path hashes every request; the key map grows to its bound). Variants are
 * interleaved and rotated each round; the median CPU ns per request is
 * reported with the ratio to `record` alone. The whole request path of the
 * engine costs several µs of CPU per request (bench/throughput.mjs), so the
 * ratio here overstates the effect on a real run.
 */
import { createRecorder } from '../src/metrics/recorder.js';
import { hashRequestKey } from '../src/metrics/load-facts.js';

const args = process.argv.slice(2);
const rounds = Number(args[args.indexOf('--rounds') + 1] ?? 5) || 5;
const N = 2_000_000;
const paths = (distinct: number) => Array.from({ length: distinct }, (_, i) => `/api/items/${i}?view=full`);

type Variant = { name: string; run: () => number };

function measure(distinct: number | null, facts: boolean): number {
  const rec = createRecorder({ runStartMs: 0 });
  const h = rec.endpoint('bench', 'GET', 'GET /api/items/:id');
  const list = paths(distinct ?? 1);
  const fixedKey = hashRequestKey('GET', list[0]!);
  let now = 0;
  const c0 = process.cpuUsage();
  for (let i = 0; i < N; i++) {
    const s = 300 + (i & 1023);
    h.record(200, undefined, s, s + 50, s >> 1, 0, 500, 80);
    if (facts) {
      // URL strings are prepared outside the timed loop: the plan builds them whether or not facts are kept.
      const key = distinct === null ? fixedKey : hashRequestKey('GET', list[i % distinct]!);
      h.noteLoad!(key, now - 0.5, now, false);
    }
    if ((i & 4095) === 0) rec.tick((now += 100));
    else now += 0.0244;
  }
  const cpu = process.cpuUsage(c0);
  return ((cpu.user + cpu.system) * 1000) / N;
}

const variants: Variant[] = [
  { name: 'record only (before)', run: () => measure(null, false) },
  { name: 'record + facts, fixed URL', run: () => measure(null, true) },
  { name: 'record + facts, 10k URLs', run: () => measure(10_000, true) },
  { name: 'record + facts, 1M URLs (key bound reached)', run: () => measure(1_000_000, true) },
];
const results = new Map<string, number[]>(variants.map((v) => [v.name, []]));
for (const v of variants) v.run(); // warm-up
for (let r = 0; r < rounds; r++) {
  for (let k = 0; k < variants.length; k++) {
    const v = variants[(k + r) % variants.length]!;
    results.get(v.name)!.push(v.run());
  }
}
const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
const base = median(results.get(variants[0]!.name)!);
for (const v of variants) {
  const list = results.get(v.name)!;
  const m = median(list);
  console.log(
    `${v.name.padEnd(46)} ${m.toFixed(0).padStart(5)} ns/request CPU (min ${Math.min(...list).toFixed(0)}, max ${Math.max(...list).toFixed(0)})  ×${(m / base).toFixed(2)}  +${(m - base).toFixed(0)} ns`,
  );
}
