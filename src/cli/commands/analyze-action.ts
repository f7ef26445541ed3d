/**
 * What `tuneup analyze` does (declared in analyze.ts): the findings of a
 * stored run recomputed, or a no-load snapshot of PostgreSQL and Redis.
 * @module
 */
import { dirname } from 'node:path';
import { diagnose, loadSqlParser, type Sensitivity } from '../../diagnose/index.js';
import { enrichWithExplain } from '../../diagnose/explain.js';
import { analyzeDatabase, analyzeRedis } from '../../diagnose/snapshot.js';
import { writeJsonAtomic } from '../../engine/result.js';
import { TuneupError } from '../../errors.js';
import { loadRun, renderFindings, writeReports } from '../../report/index.js';
import type { Finding } from '../../result/types.js';
import type { CliIO } from '../io.js';
import { loadReferenceRuns } from '../probe-setup.js';
import type { AnalyzeFlags } from './analyze.js';

const SENSITIVITIES = ['low', 'normal', 'high'];

/** Run `tuneup analyze`. */
export async function analyzeAction(flags: AnalyzeFlags, io: CliIO): Promise<void> {
  if (!SENSITIVITIES.includes(flags.sensitivity)) {
    throw new TuneupError('TUNEUP_OPTION_INVALID', `--sensitivity: expected low, normal or high, got ${JSON.stringify(flags.sensitivity)}`, {
      location: '--sensitivity',
      hint: 'normal is the default.',
    });
  }
  const sensitivity = flags.sensitivity as Sensitivity;
  let findings: Finding[] = [];
  if (flags.run) {
    const loaded = await loadRun(flags.run, { runsDir: flags.runsDir });
    const source = flags.pg ? await enrichWithExplain(loaded.result, flags.pg) : loaded.result;
    await loadSqlParser();
    const reference = flags.reference ? await loadReferenceRuns(flags.reference, { runsDir: flags.runsDir }) : undefined;
    const diagnosis = diagnose(source, { sensitivity, ...(reference ? { reference } : {}) });
    findings = diagnosis.findings;
    if (flags.update) {
      const { diagnosisReference: _stale, ...rest } = source;
      const updated = { ...rest, findings, demands: diagnosis.demands, ...(diagnosis.reference ? { diagnosisReference: diagnosis.reference } : {}) };
      await writeJsonAtomic(loaded.path, updated);
      await writeReports(updated, dirname(loaded.path));
    }
  } else {
    if (flags.reference) {
      throw new TuneupError('TUNEUP_OPTION_INVALID', '--reference judges a stored run, and no --run was given', {
        location: '--reference',
        hint: 'Give --run ID with it (tuneup analyze --run latest --reference ID), or drop --reference for a snapshot.',
      });
    }
    if (!flags.pg && !flags.redis) {
      throw new TuneupError('TUNEUP_OPTION_INVALID', 'nothing to analyze', {
        hint: 'Give --run ID for a stored run, or --pg URL and/or --redis URL for a snapshot.',
      });
    }
    if (flags.pg) findings.push(...(await analyzeDatabase(flags.pg, { sensitivity })));
    if (flags.redis) findings.push(...(await analyzeRedis(flags.redis, { sensitivity })));
  }
  if (flags.json) io.out(JSON.stringify({ findings }, null, 2));
  else io.out(renderFindings(findings, { color: io.color }));
}

