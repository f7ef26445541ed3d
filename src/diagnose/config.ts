/**
 * Thresholds of the diagnosis rules: every default, its value per
 * sensitivity level, its unit and the anchor it cites (research/diagnosis-anchors.md).
 * `normal` is the anchor's own value wherever one exists; `low` reports
 * fewer, surer findings; `high` reports more, earlier ones.
 *
 * Overrides are given by key, e.g. `{ 'nPlusOne.callsPerRequest': 8 }`, and
 * win over the sensitivity level.
 *
 * @module
 */
import { TuneupError } from '../errors.js';

/** How eager the rules are. */
export type Sensitivity = 'low' | 'normal' | 'high';

/** One documented threshold. */
export interface ThresholdDef {
  low: number;
  normal: number;
  high: number;
  unit: string;
  /** What it limits. */
  description: string;
  /** Where the default comes from. */
  anchor: string;
}

/** Every threshold the rules read, with documented defaults. docs/rules.md is generated from the same facts. */
export const THRESHOLDS = {
  'errorRate.ratio': { low: 0.1, normal: 0.05, high: 0.01, unit: 'ratio', description: 'Failed share of an endpoint\'s requests', anchor: 'awesome-prometheus-alerts: nginx/traefik/haproxy/istio 5xx > 5 %' },
  'targetGone.deadIntervals': { low: 3, normal: 2, high: 2, unit: 'intervals', description: 'Seconds with traffic at the end of a run in which every request failed, after the target had answered, before the target counts as gone', anchor: 'tuneup: one all-failed second can be a restart blip; two in a row at the end of the run is a target that did not come back' },
  'errorRate.minFailures': { low: 10, normal: 5, high: 3, unit: 'requests', description: 'Failed requests needed for an error-rate finding at medium or above; fewer are reported at low', anchor: 'np ≥ 5, the usual condition for judging a proportion by its normal approximation: with 2 failures in 38 requests the 95 % interval of the rate runs from 1.5 % to 17 %, so "5 % failed" is not yet a measured fact' },
  'errorRate.concentration': { low: 5, normal: 3, high: 2, unit: '×', description: 'How many times the rest of the service\'s share of server errors (5xx but 503/504, among answered requests) an endpoint\'s share must be for its errors to count as its own handler\'s rather than the queue\'s past capacity', anchor: 'tuneup (a queue fails every endpoint that waits alike; a bug on one path fails that path: three times the rest is well outside the spread of a shared cause)' },
  'errorRate.minRequests': { low: 50, normal: 20, high: 10, unit: 'requests', description: 'Requests needed before an error rate is judged', anchor: 'tuneup (avoid judging a handful of requests)' },
  'largePayload.bytes': { low: 1_000_000, normal: 300_000, high: 100_000, unit: 'bytes', description: 'Mean response body size', anchor: 'Sentry large HTTP payload detector: 300 000 bytes' },
  'largePayload.pageRows': { low: 200, normal: 100, high: 50, unit: 'rows', description: 'Rows per call above which a statement that feeds an endpoint answering over largePayload.bytes reads the unpaginated list that endpoint sends: the large payload is the statement\'s cause, and paginating fixes both', anchor: 'API page-size caps: GitHub REST per_page ≤ 100, Stripe list limit ≤ 100 (a page is at most a hundred items)' },
  'eventLoop.p50LagMs': { low: 20, normal: 10, high: 5, unit: 'ms', description: 'Median over scrapes of the event-loop delay p50', anchor: 'Clinic.js Doctor analyse-delay: median delay ≥ 10 ms' },
  'eventLoop.maxLagMs': { low: 200, normal: 100, high: 50, unit: 'ms', description: 'p90 over scrapes of the per-scrape maximum event-loop delay', anchor: 'Clinic.js Doctor analyse-delay: max delay ≥ 100 ms' },
  'eventLoop.p99LagMs': { low: 100, normal: 42, high: 20, unit: 'ms', description: 'Median over scrapes of the event-loop delay p99', anchor: 'overload-protection maxEventLoopDelay: 42 ms' },
  'eventLoop.blockingMs': { low: 42, normal: 20, high: 10, unit: 'ms', description: 'p99 of the loop delay one endpoint\'s synchronous blocks cause to the other requests (queueing model: its share of the main thread, stretched by 1/(1−ρ) at the loop\'s utilization ρ), confirmed by the loop delay when it is measured; the mean it causes is held to eventLoop.p50LagMs', anchor: 'tj/blocked reports blocks ≥ 10 ms; overload-protection sheds at 42 ms; tuneup: 20 ms' },
  'gc.msPerSecond': { low: 200, normal: 100, high: 50, unit: 'ms/s', description: 'p90 over samples of GC time per second', anchor: 'Clinic.js Doctor analyse-memory: blocking GC ≥ 100 ms per 1 s' },
  'gc.msPerRequest': { low: 10, normal: 5, high: 2, unit: 'ms', description: 'GC time one request of an endpoint costs the process (cost model) at or above which, below the service-wide gc.msPerSecond, the endpoint is an allocation hot spot (with gc.cpuShare)', anchor: 'tuneup (the per-request cost that makes a statement finding medium, statement.minMsPerRequest: a pause of that length is paid by whichever request runs then)' },
  'gc.cpuShare': { low: 0.2, normal: 0.1, high: 0.05, unit: 'ratio', description: 'Share of an endpoint\'s main-thread CPU per request that is GC, at or above which (with gc.msPerRequest) it is an allocation hot spot', anchor: 'Clinic.js Doctor (100 ms of GC in every 1000: where the endpoint fills its main thread, GC at a tenth of its CPU is that limit)' },
  'gc.ownerShare': { low: 0.7, normal: 0.5, high: 0.4, unit: 'ratio', description: 'Share of the GC time one endpoint\'s requests cause (GC ms per request from the cost model × its requests) for gc-pressure to name it', anchor: 'tuneup (most of the garbage: the endpoint whose allocations to cut first)' },
  'cpu.hostHeldSamples': { low: 0.7, normal: 0.5, high: 0.3, unit: 'ratio', description: 'Share of the samples in which the host\'s cores are at cpu.saturatedPercent of all of them and the service\'s processes hold a majority of the busy CPU, at or above which the service is CPU-saturated although its main thread is not', anchor: 'tuneup (per sample, so a host the database fills in some seconds and the service in others is neither\'s saturation). Principle from the academy corpus: PBKDF2 on libuv\'s pool, process 110 %, main thread 42 %, host 191 % of 200' },
  'cpu.saturatedPercent': { low: 95, normal: 90, high: 80, unit: '% of one core', description: 'p90 over samples of the service main thread CPU (the process total without a main-thread series)', anchor: 'Clinic.js Doctor analyse-cpu: 90th percentile CPU 0.9 boundary' },
  'memory.growthMBPerMin': { low: 30, normal: 10, high: 3, unit: 'MB/min', description: 'Trend of heap used (or RSS) after the first fifth of the run', anchor: 'tuneup; idea from Clinic.js Doctor analyse-handles (monotone growth test)' },
  'memory.minJudgedS': { low: 30, normal: 15, high: 8, unit: 's', description: 'Shortest judged stretch (after the warm-up fifth) on which a growth is reported at medium or above; on a shorter one it is low ("run longer to confirm")', anchor: "tuneup: the first seconds of a freshly started Node process grow its heap and RSS on a near-straight line too (JIT code, V8's new-space sizing, driver statement caches, pools opening), so a line fitted to fewer seconds cannot tell a leak from warm-up; 15 s keeps a 20 s run judgeable. Principle from the unseen shop corpus's 10 s runs (fresh processes grew 14 MB of heap in 8 s, R² 0.93, with no leak planted)" },
  'memory.minR2': { low: 0.9, normal: 0.8, high: 0.6, unit: 'R²', description: 'Linearity of the growth (sawtooth GC patterns stay below)', anchor: 'tuneup' },
  'memory.minGrowthMB': { low: 20, normal: 5, high: 2, unit: 'MB', description: 'Growth over the judged stretch: below it a trend is within page and allocator granularity', anchor: 'tuneup (the rule\'s earlier fixed floor of 5 MB; not separately calibrated)' },
  'memory.garbageFallShare': { low: 0.7, normal: 0.5, high: 0.3, unit: 'ratio', description: 'Share of the old generation\'s climb since the previous fall that a fall (a major collection) must take back to show that climb to be garbage; the stretch after the last such fall is what a "run longer" note judges', anchor: 'tuneup: a collection that frees most of what was promoted since the last one says the promotion was garbage; half is the even split between "mostly freed" and "mostly kept"' },
  'memory.flatteningRatio': { low: 0.7, normal: 0.5, high: 0.3, unit: 'ratio', description: 'Slope of the second half over the slope of the whole judged stretch below which the growth is flattening (warm-up reaching a plateau), not a leak', anchor: 'tuneup (a leak retains the same memory per request, so its slope holds; a cache or JIT warm-up decelerates towards a plateau)' },
  'memory.exhaustMinutes': { low: 15, normal: 60, high: 240, unit: 'min', description: 'Time to exhaust the host\'s memory at the measured slope below which the growth is high severity', anchor: 'tuneup (a service that fills its memory within an hour at the tested load fails in an ordinary traffic day); APA HostOutOfMemory fires at < 10 % available' },
  'memory.maxReleasesPerMin': { low: 1, normal: 2, high: 3, unit: 'releases/min', description: 'RSS releases (falls > memory.releaseShare) per minute that may be added back before the trend is judged; more are a sawtooth', anchor: 'tuneup (V8 hands the start-up heap\'s pages back once or twice; a GC sawtooth releases every few seconds)' },
  'memory.releaseShare': { low: 0.05, normal: 0.05, high: 0.05, unit: 'ratio', description: 'A fall between two RSS samples larger than this share of the level is a release of pages (memory reducer, allocator trim), added back before the trend is judged', anchor: 'tuneup (RSS in steady state is flat; V8 hands the start-up heap\'s pages back once; leaked memory is never handed back)' },
  'slowDependency.share': { low: 0.7, normal: 0.5, high: 0.3, unit: 'ratio', description: 'Share of mean service time not explained by CPU, DB or cache', anchor: 'Clinic.js Doctor io category (CPU under-used while latency is high)' },
  'slowDependency.minMs': { low: 300, normal: 100, high: 30, unit: 'ms', description: 'Unexplained wait per request', anchor: 'awesome-prometheus-alerts Istio: mean latency > 100 ms' },
  'slowDependency.referenceGrowth': { low: 0.1, normal: 0.05, high: 0.03, unit: 'ratio', description: 'Growth of an endpoint\'s wait over its reference runs (a share of the reference wait), beyond a significant difference, at or above which the wait is a change rather than what the dependency costs', anchor: 'tuneup compare noise thresholds θ (p50 3 %, p95 5 %, p99 10 %) and its α = 0.05: a difference must be both significant and larger than the noise to be a regression' },
  'nPlusOne.callsPerRequest': { low: 10, normal: 5, high: 3, unit: 'calls/request', description: 'Calls of one statement fingerprint per request of one endpoint', anchor: 'Sentry N+1 DB detector: count ≥ 5' },
  'nPlusOne.totalMs': { low: 100, normal: 50, high: 20, unit: 'ms', description: 'Estimated time of the repeated calls per request (raises severity)', anchor: 'Sentry N+1 DB detector: total duration ≥ 50 ms' },
  'nPlusOne.latencyBound': { low: 1.25, normal: 2, high: 2.5, unit: 'ratio', description: 'Estimated time of an endpoint\'s repeated calls (exec + round trips) over its mean service time above which the loop cannot be that endpoint\'s: a loop of sequential calls takes at most as long as the requests that run it, so a larger estimate means the mixed-run regression gave it another endpoint\'s calls (or the calls overlap, which is not an N+1 latency cost)', anchor: 'tuneup (sequential calls cannot outlast their request; the margin covers the round-trip estimate and its spread across hosts: 0.3 ms assumed, ~0.13 ms on a faster 2-core host, 2026-12-07). Principle from the helpdesk corpus: 96 calls per request (40 ms) attributed to an endpoint whose requests took 4 ms' },
  'nPlusOne.roundTripMs': { low: 0.3, normal: 0.3, high: 0.3, unit: 'ms', description: 'Client round trip added to each call (not in exec time) when none was measured: Redis calls, and results from before the postgres probe timed its own', anchor: 'tuneup (loopback round trip of node-postgres)' },
  'slowQuery.meanMs': { low: 50, normal: 20, high: 10, unit: 'ms', description: 'Mean execution time of a statement', anchor: 'PgHero slow_query_ms: 20 ms' },
  'slowQuery.dbShare': { low: 0.2, normal: 0.1, high: 0.05, unit: 'ratio', description: 'Share of the database\'s execution time above which a frequent statement (many rows per call, a DISTINCT aggregate) is worth changing even when each call is fast', anchor: 'tuneup (PgHero ranks queries by total time; a tenth of it is a top statement)' },
  'statement.minMsPerRequest': { low: 10, normal: 5, high: 2, unit: 'ms', description: 'Time a statement costs one request of its endpoint (attributed exec ms per request; unattributed, its time over every request and at least its mean) below which its share of that endpoint\'s latency does not make a statement finding (missing or unselective index, inefficient query) medium: the saving is a few milliseconds no caller sees (a missing index whose statement takes ≥ 20 % of the database\'s time stays medium for the capacity it frees)', anchor: 'tuneup: a quarter of PgHero slow_query_ms (20 ms). Principle from the marina corpus: a 1.2 ms notices query, 30–40 % of a 3–4 ms endpoint, was a medium missing index in the healthy build and led 8 of its 26 moderate runs' },
  'slowQuery.calls': { low: 500, normal: 100, high: 20, unit: 'calls', description: 'Calls in the run window', anchor: 'PgHero slow_query_calls: 100' },
  'missingIndex.minRows': { low: 50_000, normal: 10_000, high: 1_000, unit: 'rows', description: 'Live rows of a table before sequential scans matter', anchor: 'PgHero missing_indexes: n_live_tup ≥ 10 000' },
  'missingIndex.maxIndexShare': { low: 0.5, normal: 0.95, high: 0.99, unit: 'ratio', description: 'Index-scan share of a table\'s scans below which seq scans are suspicious', anchor: 'PgHero missing_indexes: index used < 95 %' },
  'missingIndex.minQualSelectivity': { low: 0.5, normal: 0.3, high: 0.1, unit: 'ratio', description: 'Share of a table\'s rows a filter column\'s comparison removes (the planner\'s estimate for the constants pg_qualstats saw), below which the column keeps most of the table and is no column to index: a full scan filtered only on such columns (and on expressions) is a query to change, not a missing index', anchor: 'pg_qualstats_index_advisor(min_selectivity => 30): quals filtering under 30 % of rows are not index candidates' },
  'missingIndex.minSeqScans': { low: 50, normal: 10, high: 3, unit: 'scans', description: 'Sequential scans during the run', anchor: 'tuneup (the scans must be driven by the load)' },
  'unselectiveIndex.readPerKept': { low: 20, normal: 10, high: 5, unit: '×', description: 'Blocks a hot statement reads per call over the rows its filtered index access keeps, at or above which the index (not the filter) should select the rows', anchor: 'tuneup (a selective index access reads about one heap block per row kept, plus the index\'s few levels; ten times that is a filter doing the index\'s work)' },
  'unselectiveIndex.minBlocks': { low: 1000, normal: 100, high: 30, unit: 'blocks', description: 'Blocks read per call before an index access that filters after reading counts as costly', anchor: 'tuneup (100 blocks = 800 kB per call: well past an index lookup\'s handful)' },
  'dbCacheHit.ratio': { low: 0.95, normal: 0.98, high: 0.99, unit: 'ratio', description: 'Buffer cache hit ratio over the run window', anchor: 'awesome-prometheus-alerts PostgresqlLowCacheHitRate < 0.98; PgHero 99 %' },
  'dbCacheHit.minBlocksRead': { low: 10_000, normal: 1_000, high: 100, unit: 'blocks', description: 'Blocks read from disk in the window before judging', anchor: 'tuneup' },
  'dbCacheHit.statementReadShare': { low: 0.35, normal: 0.25, high: 0.15, unit: 'ratio', description: 'Share of the blocks read from outside shared buffers that one statement read (pg_stat_statements shared_blks_read) for it to be named a cause of the low hit ratio: its finding ranks first and the fix starts with the statement', anchor: 'tuneup (the blocks a statement reads are its doing; one reading a quarter of them shapes the working set). Principle from the helpdesk corpus: one report statement read 98 % of 509,000 blocks and the cache finding led above it' },
  'dbCacheHit.rereadShare': { low: 0.4, normal: 0.2, high: 0.1, unit: 'ratio', description: 'Share of the blocks read from outside shared buffers that must be re-reads (reads of a relation beyond its size in blocks) before a low hit ratio counts as a cache too small for the working set rather than a cold one', anchor: 'tuneup (a block evicted and needed again is read twice; a cold cache reads each block at most once, so reads within every relation\'s size cannot show the cache is too small). Principle from the depot corpus: fresh databases read 6,000-9,000 blocks in 10 s runs with under 2 % re-reads; an unfit index re-read 94 %' },
  'lock.waitShare': { low: 0.2, normal: 0.1, high: 0.05, unit: 'ratio', description: 'Share of active backend samples waiting on a lock', anchor: 'PgHero blocked_queries (any blocked) tempered for sampling noise' },
  'lock.poolShare': { low: 0.7, normal: 0.5, high: 0.3, unit: 'ratio', description: 'Mean share of the service\'s open database connections waiting on a lock at or above which every DB-using endpoint\'s wait is queueing for a connection behind the lock (the lock-contention finding explains their slow-dependency findings)', anchor: 'tuneup (a lock wait holds its pooled connection). Principle from the helpdesk corpus: 4.4 of 6 connections waited on a ticket-number lock and a lookup endpoint\'s 336 ms pool wait was named a slow mail provider' },
  'lock.queueLength': { low: 2, normal: 1, high: 0.5, unit: 'waiters', description: 'Mean number of backends waiting on locks per wait sample (Little\'s law) at or above which the lock is a resource near saturation — by M/M/1 about 62 % busy, waits of a holder\'s length common — and the finding is high, whatever share of the (possibly queued) request time the waits are', anchor: 'tuneup (Little\'s law L = λW on the wait sampler; one waiter on average is an M/M/1 server about 62 % busy). Principle from the voyage corpus past capacity: 1.8 backends waited on the loyalty row on average, 1.8 % of requests\' queued time' },
  'lock.minBlockedMs': { low: 5000, normal: 1000, high: 200, unit: 'ms', description: 'Longest wait seen of one blocked pair (now − query_start of the blocked statement): a pair waiting this long counts on its own, whatever the wait share', anchor: 'PgHero blocked_queries; the earlier rule\'s 2 samples at 1 Hz (a wait spanning about a second), stated as a time so it does not depend on the sampling rate' },
  'pool.busyShare': { low: 0.9, normal: 0.8, high: 0.7, unit: 'ratio', description: 'Share of the service\'s DB connections busy (active) on average', anchor: 'pg-pool saturation signature: totalCount == max, idleCount == 0' },
  'pool.maxConnections': { low: 16, normal: 32, high: 64, unit: 'connections', description: 'A pinned connection count at or below this is a small cap', anchor: 'pg-pool default max = 10' },
  'pool.waitShare': { low: 0.5, normal: 0.3, high: 0.2, unit: 'ratio', description: 'Share of DB-using endpoints\' latency spent waiting', anchor: 'Clinic.js Doctor io category' },
  'pool.idleInTxShare': { low: 0.6, normal: 0.5, high: 0.4, unit: 'ratio', description: 'Share of the pool\'s checked-out connections open in a transaction running no statement, at or above which a full pool past capacity is a fault of its own (the hold) rather than where the queue sits', anchor: 'tuneup (most of the checked-out time: PostgreSQL\'s idle_in_transaction state is a transaction held across work that is not the database\'s)' },
  'pool.heldTxShare': { low: 0.4, normal: 0.25, high: 0.15, unit: 'ratio', description: 'Mean share of the service\'s open database connections idle in a transaction (open, running no statement) at or above which its transactions are held across other work', anchor: 'tuneup (a pool serves its size over the hold time per request: connections idle in transaction are capacity lost; PgHero lists long idle-in-transaction connections as a problem). Principle from the helpdesk corpus: a reply handler calling the mail provider inside its transaction kept 4.4 of 6 connections idle in transaction at a load with no request waiting' },
  'pool.heldRequestShare': { low: 0.7, normal: 0.5, high: 0.3, unit: 'ratio', description: 'Share of its own mean service time that an endpoint\'s requests hold their transaction idle (per request, from the wait sampler\'s idle-in-transaction samples by query_id) at or above which its transactions are held across other work at any load', anchor: 'tuneup (a request idle in its transaction for most of its time waits inside it — a remote call, a computation — so the pool serves its size over that hold (utilization law) whatever share of it a moderate load fills; brief idle gaps between the statements of a short transaction are a sliver of the request)' },
  'pool.heldIdleShare': { low: 0.7, normal: 0.5, high: 0.3, unit: 'ratio', description: 'Share of the pool\'s checked-out time not spent executing statements below which a full pool in front of a saturated database or host CPU is the queue of that CPU (low) rather than a hold of the service\'s own', anchor: 'tuneup (most of the checked-out time: connections that mostly execute are waiting on the database\'s CPU, and adding them adds no throughput when it is saturated; the utilization law)' },
  'pool.minWaitMs': { low: 25, normal: 10, high: 5, unit: 'ms', description: 'Unexplained wait per request before it counts as queueing for a connection', anchor: 'tuneup (HTTP and driver overhead of a fast endpoint stay below)' },
  'connections.opensPerRequest': { low: 0.8, normal: 0.5, high: 0.3, unit: 'connections/request', description: 'New database sessions an endpoint opens per request (pg_stat_database.sessions, regressed on the endpoints\' requests)', anchor: 'tuneup (a pool reuses its connections, so a pooled endpoint opens about none per request; half or more means most requests open their own — a client or pool per request)' },
  'connections.ratio': { low: 0.9, normal: 0.8, high: 0.7, unit: 'ratio', description: 'Connections over (max_connections − superuser_reserved_connections)', anchor: 'awesome-prometheus-alerts PostgresqlTooManyConnections > 80 %' },
  'staleStats.modifiedShare': { low: 0.5, normal: 0.2, high: 0.1, unit: 'ratio', description: 'Rows modified since the last ANALYZE over live rows', anchor: 'PostgreSQL autovacuum_analyze_scale_factor 0.1 (twice: autovacuum is behind); APA PostgresqlTableNotAutoAnalyzed' },
  'staleStats.minModified': { low: 10_000, normal: 1_000, high: 200, unit: 'rows', description: 'Rows modified since the last ANALYZE', anchor: 'tuneup' },
  'bloat.deadShare': { low: 0.2, normal: 0.1, high: 0.05, unit: 'ratio', description: 'Dead tuples over live + dead', anchor: 'awesome-prometheus-alerts PostgresqlTooManyDeadTuples ≥ 10 %' },
  'bloat.minDead': { low: 100_000, normal: 10_000, high: 1_000, unit: 'rows', description: 'Dead tuples', anchor: 'awesome-prometheus-alerts PostgresqlTooManyDeadTuples > 10 000' },
  'cacheMiss.hitRatio': { low: 0.8, normal: 0.9, high: 0.95, unit: 'ratio', description: 'Redis keyspace hit ratio over the run', anchor: 'Sysdig PromCat Redis LowHitRatio < 0.9' },
  'cacheMiss.minLookups': { low: 1000, normal: 100, high: 20, unit: 'lookups', description: 'Keyspace hits + misses before judging', anchor: 'tuneup' },
  'cacheMiss.repeatHitRatio': { low: 0.8, normal: 0.9, high: 0.95, unit: 'ratio', description: 'Hit ratio on the lookups a perfect cache would hit on this load (measured hit ratio / ideal hit ratio of the load): below it the cache misses repeated keys (broken), above it its misses are first touches (cold)', anchor: 'Sysdig PromCat Redis LowHitRatio < 0.9, applied to the lookups that could hit' },
  'cacheMiss.minRepeats': { low: 100, normal: 30, high: 10, unit: 'requests', description: 'Requests repeating an earlier key (on the cache\'s endpoints) before a cache is judged against the ideal hit ratio', anchor: 'tuneup (with 30 repeats a repeat-hit ratio of 0.5 is told from 0.9 at p < 0.001, binomial)' },
  'cacheMiss.missesPerRepeat': { low: 0.7, normal: 0.5, high: 0.3, unit: 'misses/request', description: 'Misses per repeated request of one endpoint (the lower 97.5 % bound of its coefficient in the fit of the misses per second on every user endpoint\'s first touches and repeats) at or above which the cache misses that endpoint\'s repeats', anchor: 'tuneup: a working cache misses no repeat; half is where judgedAgainstIdeal grades a broken cache high (hit ratio on repeats < 0.5)' },
  'cacheMiss.writesPerRequest': { low: 0.95, normal: 0.8, high: 0.5, unit: 'writes/request', description: 'Cache writes per request of one endpoint (a cache that never hits)', anchor: 'tuneup (cache-aside should write on a miss only)' },
  'overload.deficitShare': { low: 0.1, normal: 0.05, high: 0.02, unit: 'ratio', description: 'Offered iterations not completed over the second half of an open-model run (arrivals − completions, dropped, cut at the end): past it the service is past capacity', anchor: 'queueing theory: at utilization ρ = λ/μ ≥ 1 the queue grows without bound; a 5 % shortfall is λ ≥ 1.05 μ, beyond per-second counting noise' },
  'overload.queueShownShare': { low: 0.75, normal: 0.5, high: 0.25, unit: 'ratio', description: 'Share of the in-flight growth a completion deficit implies (deficit × offered rate × time between the first and last third) that the load facts must show for the deficit alone to mean past capacity', anchor: 'conservation of requests (completions = arrivals − growth of in-flight) and Little\'s law; the share allows for the in-flight means being taken over thirds, not at the edges. Principle from a fixture run on Node 24: a 400 ms GC pause at the window\'s end cut 9 % of its completions while in-flight and response time stayed flat' },
  'overload.queueGrowth': { low: 3, normal: 2, high: 1.5, unit: '×', description: 'Growth of the median response time from the first to the last third of the offered seconds that, with half the deficit, shows a queue growing; past capacity, the growth of the requests in service (completions per second × median service time) at which a memory growth is the backlog\'s', anchor: "Little's law L = λW: at a constant offered λ, W doubling means the queue doubled" },
  'hostContention.busyShare': { low: 0.9, normal: 0.8, high: 0.6, unit: 'ratio', description: "Mean busy share of the host's cores (process probe) below which the generator's lateness is not host contention: a core was free", anchor: 'tuneup: contention needs a busy host; calibrated on the fixture e2e (host 12 % busy, a 2 ms lag was reported as contention)' },
  'hostContention.minLagMs': { low: 20, normal: 10, high: 5, unit: 'ms', description: 'Generator start lag or loop delay p99 below which no host contention is reported', anchor: 'research stats-and-stack A3: past 10 ms of generator delay the generator, not the server, inflates latency' },
  'hostContention.mediumShare': { low: 0.75, normal: 0.5, high: 0.25, unit: 'ratio', description: 'Generator delays (start lag, loop delay) as a share of the measured latency, with its own CPU free, from which host contention is medium', anchor: 'tuneup: past half of the latency the figures describe the host more than the service (5 × compare\'s p99 noise threshold of 10 %)' },
  'cacheSlow.slowlogMs': { low: 50, normal: 10, high: 1, unit: 'ms', description: 'Duration of a SLOWLOG entry', anchor: 'Redis slowlog-log-slower-than default 10 000 µs' },
  'cacheSlow.minEntries': { low: 10, normal: 3, high: 1, unit: 'entries', description: 'Slow entries in the run window', anchor: 'tuneup' },
  'redisClients.ratio': { low: 0.95, normal: 0.9, high: 0.8, unit: 'ratio', description: 'connected_clients / maxclients', anchor: 'awesome-prometheus-alerts RedisTooManyConnections > 90 %' },
  'redisMemory.ratio': { low: 0.95, normal: 0.9, high: 0.85, unit: 'ratio', description: 'used_memory / maxmemory', anchor: 'awesome-prometheus-alerts RedisOutOfConfiguredMaxmemory > 90 %; Sysdig 85 %' },
} as const satisfies Record<string, ThresholdDef>;

/** Name of a threshold. */
export type ThresholdKey = keyof typeof THRESHOLDS;

/** Resolved thresholds handed to every rule. */
export interface RuleConfig {
  sensitivity: Sensitivity;
  /** The effective value of a threshold. */
  get(key: ThresholdKey): number;
  /** Every effective value (for reports and docs). */
  values: Record<ThresholdKey, number>;
}

/** Options for {@link resolveConfig}. */
export interface ConfigOptions {
  sensitivity?: Sensitivity;
  overrides?: Partial<Record<ThresholdKey, number>> | Record<string, number>;
}

/**
 * Resolve thresholds for a sensitivity level plus overrides.
 *
 * @throws TuneupError `TUNEUP_OPTION_INVALID` for an unknown key or a non-finite value
 */
export function resolveConfig(options: ConfigOptions = {}): RuleConfig {
  const sensitivity = options.sensitivity ?? 'normal';
  if (!['low', 'normal', 'high'].includes(sensitivity)) {
    throw new TuneupError('TUNEUP_OPTION_INVALID', `Unknown sensitivity "${String(sensitivity)}".`, {
      hint: 'Use one of: low, normal, high.',
      location: '--sensitivity',
    });
  }
  const values = {} as Record<ThresholdKey, number>;
  for (const [key, def] of Object.entries(THRESHOLDS) as [ThresholdKey, ThresholdDef][]) values[key] = def[sensitivity];
  for (const [key, value] of Object.entries(options.overrides ?? {})) {
    if (!(key in THRESHOLDS)) {
      throw new TuneupError('TUNEUP_OPTION_INVALID', `Unknown diagnosis threshold "${key}".`, {
        hint: `Known thresholds are listed in docs/rules.md, e.g. ${Object.keys(THRESHOLDS).slice(0, 3).join(', ')}.`,
        location: `diagnose.overrides.${key}`,
      });
    }
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new TuneupError('TUNEUP_OPTION_INVALID', `Threshold "${key}" must be a finite number.`, { hint: 'Give a number in the unit documented in docs/rules.md.', location: `diagnose.overrides.${key}` });
    }
    values[key as ThresholdKey] = value;
  }
  return { sensitivity, values, get: (key) => values[key] };
}
