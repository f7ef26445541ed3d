/**
 * redis-config: `maxmemory` / `maxmemory-policy` when the run saw evictions
 * or Redis has no memory limit at all. The planner (index.ts) applies none
 * of it by default: Redis configuration is server-wide, so a change needs a
 * finding of the run that asks for it and an explicit `--only ID`. Applied with `CONFIG SET`; the value
 * read by `CONFIG GET` just before is journaled and set back on rollback.
 * (`CONFIG SET` is not persisted to redis.conf: a restart undoes it too;
 * `CONFIG REWRITE` is left to the operator, and the plan says so.)
 *
 * @module
 */
import type { RunResult } from '../result/types.js';
import { isRedisEvidence } from '../probes/redis/types.js';
import type { RedisCommander } from './executors.js';
import { formatSize as formatBytes } from './units.js';
import type { Action, Change } from './types.js';

const MIB = 1024 * 1024;

async function configGet(redis: RedisCommander, name: string): Promise<string | null> {
  const reply = (await redis.sendCommand(['CONFIG', 'GET', name])) as unknown;
  const pairs = Array.isArray(reply) ? (reply as string[]) : Object.entries((reply ?? {}) as Record<string, string>).flat();
  return pairs[1] ?? null;
}

async function usedMemoryPeak(redis: RedisCommander): Promise<number> {
  const info = String(await redis.sendCommand(['INFO', 'memory']));
  const m = /used_memory_peak:(\d+)/.exec(info) ?? /used_memory:(\d+)/.exec(info);
  return m ? Number(m[1]) : 0;
}

function setChange(name: string, value: string, previousGuess: string): Change {
  return {
    id: `redis-config:${name}#set`,
    system: 'redis',
    op: 'redis-config-set',
    description: `CONFIG SET ${name} ${value}`,
    statements: [`CONFIG SET ${name} ${value}`],
    undo: [`CONFIG SET ${name} ${previousGuess}`],
    undoNote: 'the previous value is read with CONFIG GET and journaled just before applying',
    params: { setting: name, value },
  };
}

/**
 * Plan Redis configuration actions from the run's evidence (evictions) and
 * the server's current configuration.
 */
export async function adviseRedisConfig(result: RunResult, redis: RedisCommander): Promise<Action[]> {
  const evidence = (result.probes ?? []).find(isRedisEvidence);
  const evicted = evidence?.data.info?.evictedKeys ?? 0;
  const maxmemory = Number((await configGet(redis, 'maxmemory')) ?? 0);
  const policy = (await configGet(redis, 'maxmemory-policy')) ?? 'noeviction';
  const peak = Math.max(await usedMemoryPeak(redis), evidence?.data.info?.usedMemory.max ?? 0);
  const facts = [
    { label: 'evicted keys during the run', value: evicted, source: 'redis INFO stats' },
    { label: 'maxmemory', value: maxmemory, unit: 'bytes', source: 'CONFIG GET' },
    { label: 'maxmemory-policy', value: policy, source: 'CONFIG GET' },
    { label: 'used memory peak', value: peak, unit: 'bytes', source: 'redis INFO memory' },
  ];
  const note = ' CONFIG SET is not written to redis.conf: run CONFIG REWRITE (or edit the file) to keep it across restarts.';
  if (maxmemory > 0 && evicted > 0) {
    const target = Math.ceil((Math.max(maxmemory, peak) * 1.5) / MIB) * MIB;
    return [
      {
        id: 'redis-config:maxmemory',
        kind: 'redis-config',
        component: 'cache',
        target: 'maxmemory',
        risk: 'moderate',
        title: `Raise Redis maxmemory from ${formatBytes(maxmemory)} to ${formatBytes(target)}`,
        rationale:
          `Redis evicted ${evicted} keys during the run: the working set does not fit in ${formatBytes(maxmemory)}, so evicted keys ` +
          `come back as cache misses. 1.5× the limit leaves room for the working set; check the host has the memory.${note}`,
        evidence: facts,
        changes: [setChange('maxmemory', String(target), String(maxmemory))],
        applicable: true,
      },
    ];
  }
  if (maxmemory === 0) {
    const target = Math.max(64 * MIB, Math.ceil((peak * 2) / MIB) * MIB);
    const changes = [setChange('maxmemory', String(target), '0')];
    if (policy === 'noeviction') changes.push(setChange('maxmemory-policy', 'allkeys-lru', policy));
    return [
      {
        id: 'redis-config:maxmemory',
        kind: 'redis-config',
        component: 'cache',
        target: 'maxmemory',
        risk: 'moderate',
        title: `Give Redis a memory limit (${formatBytes(target)}${policy === 'noeviction' ? ', allkeys-lru' : ''})`,
        rationale:
          'Redis has no maxmemory: a cache without a limit grows until the host runs out of memory (or the OOM killer ends it). ' +
          `The limit is twice the peak seen${policy === 'noeviction' ? '; allkeys-lru evicts the least recently used keys instead of refusing writes — on a Redis shared with other applications it evicts their keys too' : ''}.` +
          ` Size it to the host (leave room for fork copy-on-write when persistence is on).${note}`,
        evidence: facts,
        changes,
        applicable: true,
      },
    ];
  }
  return [];
}
