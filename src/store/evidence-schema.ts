/**
 * The schema of probe evidence in a stored RunResult: a discriminated union
 * on `probe`, validated when a result is loaded, so a rule that reads
 * `data.statements` or a series column of an old or edited result.json meets
 * the shape it was written for — or the loader names the field that is wrong
 * instead of a rule throwing halfway through a diagnosis.
 *
 * Each probe's `data` lists the fields the diagnosis reads, typed; the rest
 * passes through (probes may add fields without a schema bump). Evidence of
 * an unknown probe (a newer tuneup, a plugin) is kept with the common
 * envelope only.
 *
 * @module
 */
import { z } from 'zod';

const finite = z.number().refine(Number.isFinite, 'must be a finite number');
const nullableNumber = z.union([finite, z.null()]);
const stats = z.looseObject({ mean: finite, p90: finite.optional(), max: finite.optional() });
const list = z.array(z.looseObject({}));
/** Connections counted by the statement each ran last (activity.ts `listStatements`): the rules sum `samples` per `queryid`. */
const statementSamples = z.array(z.looseObject({ queryid: z.string(), samples: finite }));
const activityGroups = z.array(z.looseObject({ key: z.string(), connectionStatements: statementSamples.optional() }));

/** Time series on the run clock; every column has one value per `t`. */
export const probeSeriesSchema = z
  .object({
    t: z.array(finite),
    values: z.record(z.string(), z.array(nullableNumber)),
    units: z.record(z.string(), z.string()),
  })
  .superRefine((series, ctx) => {
    for (const [name, column] of Object.entries(series.values)) {
      if (column.length !== series.t.length) {
        ctx.addIssue({ code: 'custom', path: ['values', name], message: `has ${column.length} values for ${series.t.length} sample times` });
      }
    }
  });

const envelope = {
  target: z.string(),
  ok: z.boolean(),
  limitations: z.array(z.string()),
  errors: z.array(z.object({ offsetMs: finite, message: z.string() })),
  series: probeSeriesSchema,
  overhead: z.looseObject({ samples: finite, meanSampleMs: finite }),
};

/** `data` of the PostgreSQL probe (src/probes/postgres/types.ts). */
export const postgresDataSchema = z.looseObject({
  serverVersionNum: nullableNumber.optional(),
  statements: list.optional(),
  statementSeries: list.optional(),
  tables: list.optional(),
  indexes: list.optional(),
  blockedPairs: list.optional(),
  activity: z
    .looseObject({
      connectionStatements: statementSamples.optional(),
      idleInTransactionStatements: statementSamples.optional(),
      byUser: activityGroups.optional(),
    })
    .optional(),
  cacheHit: z.looseObject({}).optional(),
  roundTrip: z.looseObject({ medianMs: finite, p90Ms: finite, samples: finite }).optional(),
});

/** `data` of the Redis probe (src/probes/redis/types.ts). */
export const redisDataSchema = z.looseObject({
  info: z.union([z.looseObject({}), z.null()]).optional(),
  commandStats: list.optional(),
  slowlog: list.optional(),
  latency: list.optional(),
  config: z.record(z.string(), z.string()).optional(),
});

/** `data` of the Prometheus probe (src/probes/prometheus/types.ts). */
export const prometheusDataSchema = z.looseObject({
  scrapes: finite.optional(),
  failedScrapes: finite.optional(),
  families: z.array(z.string()).optional(),
  gcMsPerS: stats.optional(),
  pools: list.optional(),
  http: list.optional(),
});

/** `data` of the process probe (src/probes/process/types.ts). */
export const processDataSchema = z.looseObject({
  pid: finite.optional(),
  exited: z.boolean().optional(),
  exitedAtMs: finite.optional(),
  cpuPercent: stats.optional(),
  cpuMsTotal: finite.optional(),
  rssBytes: stats.optional(),
  remotes: list.optional(),
});

const known = z.discriminatedUnion('probe', [
  z.object({ probe: z.literal('postgres'), ...envelope, data: postgresDataSchema }),
  z.object({ probe: z.literal('redis'), ...envelope, data: redisDataSchema }),
  z.object({ probe: z.literal('prometheus'), ...envelope, data: prometheusDataSchema }),
  z.object({ probe: z.literal('process'), ...envelope, data: processDataSchema }),
  z.object({ probe: z.literal('otlp'), ...envelope, data: z.looseObject({}) }),
]);
const KNOWN_PROBES = new Set(['postgres', 'redis', 'prometheus', 'process', 'otlp']);
const unknownProbe = z.object({ probe: z.string(), ...envelope, data: z.looseObject({}) });

/** One probe's evidence: the union for known probes, the envelope for others. */
export const probeEvidenceSchema = z.unknown().superRefine((value, ctx) => {
  const probe = typeof value === 'object' && value !== null ? (value as { probe?: unknown }).probe : undefined;
  const parsed = (typeof probe === 'string' && KNOWN_PROBES.has(probe) ? known : unknownProbe).safeParse(value);
  if (!parsed.success) for (const issue of parsed.error.issues) ctx.addIssue({ ...issue, code: 'custom', message: issue.message } as never);
});

/**
 * Validate the `probes` of a loaded result. Returns the problems as
 * `probes[i].path: message` lines (empty when valid), so the loader can name
 * the broken field.
 */
export function probeEvidenceProblems(probes: unknown): string[] {
  if (probes === undefined) return [];
  const parsed = z.array(probeEvidenceSchema).safeParse(probes);
  if (parsed.success) return [];
  return parsed.error.issues.slice(0, 5).map((issue) => `probes${issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('')}: ${issue.message}`);
}
