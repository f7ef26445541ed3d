/**
 * PgTune's formulas (le0pard/pgtune, `configurationSlice.js`) for Linux:
 * recommended PostgreSQL settings from the database machine's memory and
 * CPUs, the workload type and the storage. Pure; values in the units
 * `ALTER SYSTEM` accepts (`'5140kB'`, `'1GB'`, `'0.9'`).
 *
 * The research notes' worked values are the tests: 4 GB / 4 CPU / web gives
 * work_mem 5140 kB; 16 GB / 8 CPU / web 20164 kB; 16 GB / 8 CPU / oltp
 * 13617 kB; 8 GB / 4 CPU / mixed 10082 kB.
 *
 * @module
 */

/** PgTune's workload types. */
export type WorkloadType = 'web' | 'oltp' | 'dw' | 'desktop' | 'mixed';

/** Storage kinds PgTune knows. */
export type StorageType = 'ssd' | 'hdd' | 'san' | 'nvme';

/** Inputs of {@link pgtune}. */
export interface PgTuneInput {
  memoryBytes: number;
  cpus: number;
  workload: WorkloadType;
  storage: StorageType;
  /** Server major version, e.g. 15. */
  majorVersion: number;
  /** Planned connections; default by workload (web 200, oltp 300, dw 40, desktop 20, mixed 100). */
  connections?: number;
  /**
   * Upper bound for shared_buffers (bytes), e.g. from the data size: cache
   * beyond the data holds nothing and is memory taken from the host.
   * wal_buffers and huge_pages follow the capped value; work_mem keeps
   * PgTune's budget (it is not inflated by the cap).
   */
  sharedBuffersCapBytes?: number;
}

/** One recommended setting. */
export interface TunedSetting {
  name: string;
  /** Value as ALTER SYSTEM takes it. */
  value: string;
  /** Memory values in kB (for comparison with the current setting), else null. */
  kb: number | null;
}

const DEFAULT_CONNECTIONS: Record<WorkloadType, number> = { web: 200, oltp: 300, dw: 40, desktop: 20, mixed: 100 };
const WAL_SIZES_MB: Record<WorkloadType, [number, number]> = {
  web: [1024, 4096],
  oltp: [2048, 8192],
  dw: [4096, 16384],
  desktop: [100, 2048],
  mixed: [1024, 4096],
};
const IO_CONCURRENCY: Record<StorageType, number> = { hdd: 2, ssd: 200, san: 300, nvme: 1000 };

/** PgTune's memory formatting: whole GB or MB when exact, else kB. */
export function formatKb(kb: number): string {
  if (kb % 1048576 === 0) return `${kb / 1048576}GB`;
  if (kb % 1024 === 0) return `${kb / 1024}MB`;
  return `${kb}kB`;
}

/** The PgTune recommendation. */
export function pgtune(input: PgTuneInput): TunedSetting[] {
  const ramKb = Math.floor(input.memoryBytes / 1024);
  const { workload, cpus } = input;
  const connections = input.connections ?? DEFAULT_CONNECTIONS[workload];
  const formulaSharedBuffers = Math.floor(workload === 'desktop' ? ramKb / 16 : ramKb / 4);
  const sharedBuffers =
    input.sharedBuffersCapBytes !== undefined ? Math.min(formulaSharedBuffers, Math.floor(input.sharedBuffersCapBytes / 1024)) : formulaSharedBuffers;
  const effectiveCache = Math.floor(workload === 'desktop' ? ramKb / 4 : (ramKb * 3) / 4);
  const maintenance = Math.min(Math.floor(workload === 'dw' ? ramKb / 8 : ramKb / 16), 8 * 1048576);
  const workers = cpus >= 4 ? cpus : 8;
  // work_mem keeps PgTune's budget (RAM less the uncapped shared_buffers): a cap must not inflate it.
  const base = (ramKb - formulaSharedBuffers) / ((connections + workers) * 3);
  const perType = workload === 'dw' || workload === 'mixed' ? base / 2 : workload === 'desktop' ? base / 6 : base;
  const workMem = Math.max(4096, Math.floor(perType));
  let walBuffers = Math.floor((3 * sharedBuffers) / 100);
  if (walBuffers > 16384) walBuffers = 16384;
  if (walBuffers > 14 * 1024 && walBuffers < 16384) walBuffers = 16384;
  if (walBuffers < 32) walBuffers = 32;
  const [minWal, maxWal] = WAL_SIZES_MB[workload];
  const mem = (name: string, kb: number): TunedSetting => ({ name, value: formatKb(kb), kb });
  const plain = (name: string, value: string): TunedSetting => ({ name, value, kb: null });

  const out: TunedSetting[] = [
    plain('max_connections', String(connections)),
    mem('shared_buffers', sharedBuffers),
    mem('effective_cache_size', effectiveCache),
    mem('maintenance_work_mem', maintenance),
    plain('checkpoint_completion_target', '0.9'),
    mem('wal_buffers', walBuffers),
    plain('default_statistics_target', workload === 'dw' ? '500' : '100'),
    plain('random_page_cost', input.storage === 'hdd' ? '4' : '1.1'),
    plain('effective_io_concurrency', String(IO_CONCURRENCY[input.storage])),
    mem('work_mem', workMem),
    plain('huge_pages', sharedBuffers >= 2 * 1048576 ? 'try' : 'off'),
    mem('min_wal_size', minWal * 1024),
    mem('max_wal_size', maxWal * 1024),
  ];
  if (cpus >= 4) {
    const perGather = Math.ceil(cpus / 2);
    out.push(
      plain('max_worker_processes', String(cpus)),
      plain('max_parallel_workers_per_gather', String(workload === 'dw' ? perGather : Math.min(perGather, 4))),
      plain('max_parallel_workers', String(cpus)),
      plain('max_parallel_maintenance_workers', String(Math.min(perGather, 4))),
    );
  }
  if (input.majorVersion >= 12 && workload !== 'dw' && workload !== 'desktop') out.push(plain('jit', 'off'));
  if (input.majorVersion >= 15) out.push(plain('wal_compression', 'lz4'));
  else if (input.majorVersion >= 10) out.push(plain('wal_compression', 'on'));
  return out;
}
