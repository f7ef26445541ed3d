/**
 * The rule registry: every rule, its id and category. Order here does not
 * matter — findings are ranked by impact (rank.ts).
 *
 * @module
 */
import { slowDependencyRule } from './dependency.js';
import { cacheMissRule, cacheNPlusOneRule, cacheSlowCommandRule, redisConnectionLimitRule } from './cache.js';
import { errorRateRule, generatorSaturatedRule, hostContentionRule, largePayloadRule, overloadRule } from './load.js';
import { eventLoopBlockedRule } from './event-loop.js';
import { cpuSaturationRule, gcPressureRule, memoryGrowthRule } from './node.js';
import {
  dbConfigRule,
  inefficientQueryRule,
  lockContentionRule,
  missingIndexRule,
  nPlusOneRule,
  pgConnectionLimitRule,
  poolSaturationRule,
  staleStatisticsRule,
  tableBloatRule,
} from './postgres.js';
import { heldTransactionRule } from './held-transaction.js';
import { gcPerRequestRule } from './gc-per-request.js';
import { cacheAloneRule } from './cache-alone.js';
import { cacheCounterRule } from './cache-counters.js';
import { targetGoneRule } from './target-gone.js';
import { unselectiveIndexRule } from './index-selectivity.js';
import type { RuleEntry } from './types.js';

/** Every rule tuneup runs. */
export const RULES: readonly RuleEntry[] = [
  { id: 'target-gone', category: 'error-rate', run: targetGoneRule },
  { id: 'error-rate', category: 'error-rate', run: errorRateRule },
  { id: 'large-payload', category: 'large-payload', run: largePayloadRule },
  { id: 'generator-saturated', category: 'generator-saturated', run: generatorSaturatedRule },
  { id: 'overload', category: 'overload', run: overloadRule },
  { id: 'host-contention', category: 'host-contention', run: hostContentionRule },
  { id: 'event-loop-blocked', category: 'event-loop-blocked', run: eventLoopBlockedRule },
  { id: 'cpu-saturation', category: 'cpu-saturation', run: cpuSaturationRule },
  { id: 'memory-growth', category: 'memory-growth', run: memoryGrowthRule },
  { id: 'gc-pressure', category: 'gc-pressure', run: gcPressureRule },
  { id: 'gc-per-request', category: 'gc-pressure', run: gcPerRequestRule },
  { id: 'slow-dependency', category: 'slow-dependency', run: slowDependencyRule },
  { id: 'missing-index', category: 'missing-index', run: missingIndexRule },
  { id: 'unselective-index', category: 'missing-index', run: unselectiveIndexRule },
  { id: 'inefficient-query', category: 'inefficient-query', run: inefficientQueryRule },
  { id: 'n-plus-one', category: 'n-plus-one', run: nPlusOneRule },
  { id: 'pool-saturation', category: 'pool-saturation', run: poolSaturationRule },
  { id: 'pool-held-transaction', category: 'pool-saturation', run: heldTransactionRule },
  { id: 'lock-contention', category: 'lock-contention', run: lockContentionRule },
  { id: 'pg-connection-limit', category: 'connection-limit', run: pgConnectionLimitRule },
  { id: 'stale-statistics', category: 'stale-statistics', run: staleStatisticsRule },
  { id: 'table-bloat', category: 'table-bloat', run: tableBloatRule },
  { id: 'db-config', category: 'db-config', run: dbConfigRule },
  { id: 'cache-miss', category: 'cache-miss', run: cacheMissRule },
  { id: 'cache-miss-alone', category: 'cache-miss', run: cacheAloneRule },
  { id: 'cache-miss-counter', category: 'cache-miss', run: cacheCounterRule },
  { id: 'cache-slow-command', category: 'cache-slow-command', run: cacheSlowCommandRule },
  { id: 'cache-n-plus-one', category: 'n-plus-one', run: cacheNPlusOneRule },
  { id: 'redis-connection-limit', category: 'connection-limit', run: redisConnectionLimitRule },
];

export type { DiagnosisInput, Rule, RuleEntry } from './types.js';
