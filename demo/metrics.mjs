/**
 * The demo's Prometheus metrics, in the text exposition format, with the
 * names prom-client uses (so tuneup's prometheus probe reads them as it reads
 * any Node service). Hand-written because prom-client is only a
 * devDependency of tuneup (see README.md).
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';

const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Create the registry; `gauges()` supplies pool and cache numbers at scrape time. */
export function createMetrics(gauges) {
  const histograms = new Map(); // labels key -> { labels, counts, sum, count }
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();

  function observe(method, route, status, seconds) {
    const key = `${method}|${route}|${status}`;
    let h = histograms.get(key);
    if (!h) {
      h = { labels: `method="${method}",route="${route}",status_code="${status}"`, counts: BUCKETS.map(() => 0), sum: 0, count: 0 };
      histograms.set(key, h);
    }
    for (let i = 0; i < BUCKETS.length; i++) if (seconds <= BUCKETS[i]) h.counts[i] += 1;
    h.sum += seconds;
    h.count += 1;
  }

  function render() {
    const out = [];
    out.push('# HELP http_request_duration_seconds Duration of HTTP requests in seconds', '# TYPE http_request_duration_seconds histogram');
    for (const h of histograms.values()) {
      BUCKETS.forEach((b, i) => out.push(`http_request_duration_seconds_bucket{le="${b}",${h.labels}} ${h.counts[i]}`));
      out.push(`http_request_duration_seconds_bucket{le="+Inf",${h.labels}} ${h.count}`);
      out.push(`http_request_duration_seconds_sum{${h.labels}} ${h.sum}`, `http_request_duration_seconds_count{${h.labels}} ${h.count}`);
    }
    const cpu = process.cpuUsage();
    const mem = process.memoryUsage();
    const lag = (ns) => (Number.isFinite(ns) ? ns / 1e9 : 0);
    const g = gauges();
    const line = (name, type, help, value) => out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, `${name} ${value}`);
    line('process_cpu_seconds_total', 'counter', 'Total user and system CPU time spent in seconds.', (cpu.user + cpu.system) / 1e6);
    line('process_resident_memory_bytes', 'gauge', 'Resident memory size in bytes.', mem.rss);
    line('nodejs_heap_size_used_bytes', 'gauge', 'Process heap size used from Node.js in bytes.', mem.heapUsed);
    line('nodejs_eventloop_lag_seconds', 'gauge', 'Lag of event loop in seconds.', lag(loop.mean));
    line('nodejs_eventloop_lag_min_seconds', 'gauge', 'The minimum recorded event loop delay.', lag(loop.min));
    line('nodejs_eventloop_lag_max_seconds', 'gauge', 'The maximum recorded event loop delay.', lag(loop.max));
    line('nodejs_eventloop_lag_p99_seconds', 'gauge', 'The 99th percentile of the recorded event loop delays.', lag(loop.percentile(99)));
    loop.reset();
    line('pg_pool_total_count', 'gauge', 'Connections in the pool.', g.poolTotal);
    line('pg_pool_idle_count', 'gauge', 'Idle connections in the pool.', g.poolIdle);
    line('pg_pool_waiting_count', 'gauge', 'Requests waiting for a pooled connection.', g.poolWaiting);
    line('cache_hits_total', 'counter', 'Cache lookups that hit.', g.cacheHits);
    line('cache_misses_total', 'counter', 'Cache lookups that missed.', g.cacheMisses);
    return out.join('\n') + '\n';
  }

  return { observe, render, close: () => loop.disable() };
}
