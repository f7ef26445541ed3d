/**
 * The Grafana dashboard of a set of SLOs, built with Grafana's typed
 * builders (`@grafana/grafana-foundation-sdk`): one row per SLO with the
 * objective, the SLI and budget left over the period, the burn rate against
 * the page and ticket factors, and the SLI over the short alert window.
 * Panels read the recording rules of {@link buildRules} (the budget and burn
 * panels) and the raw SLI expression (so the SLI panel works before the rules
 * are loaded).
 *
 * When the export has dependency rules (cache, PostgreSQL), a last row
 * draws their raw expressions against the alert thresholds: the cache hit
 * ratio, the buffer cache hit ratio per database, and the ten statements
 * with the highest mean time per call.
 *
 * The classic dashboard model is used (importable by every Grafana version
 * through Dashboards → Import) although the SDK marks its builder deprecated
 * in favour of the v2 resource model, which only Grafana 12's new API reads.
 *
 * @module
 */
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as prometheus from '@grafana/grafana-foundation-sdk/prometheus';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import type { DependencySpec } from './dependencies.js';
import { bufferCacheHitRatio, cacheHitRatio, statementMeanSeconds } from './dependency-rules.js';
import { errorBudget, errorRatio } from './promql.js';
import { idSelector, ratioRecord } from './rules.js';
import type { SloSet, SloSpec } from './spec.js';
import { burnWindows, formatPromDuration, recordedWindows } from './windows.js';

/** The Prometheus datasource every panel queries: the dashboard's `datasource` variable. */
const DATASOURCE: common.DataSourceRef = { type: 'prometheus', uid: '${datasource}' };

function query(expr: string, legend: string, refId = 'A'): prometheus.DataqueryBuilder {
  return new prometheus.DataqueryBuilder().expr(expr).legendFormat(legend).refId(refId).datasource(DATASOURCE);
}

function steps(...list: Array<[number | null, string]>): dashboard.ThresholdsConfigBuilder {
  return new dashboard.ThresholdsConfigBuilder()
    .mode(dashboard.ThresholdsMode.Absolute)
    .steps(list.map(([value, color]) => ({ value, color })));
}

function statPanel(title: string, expr: string, unit: string, thresholds: dashboard.ThresholdsConfigBuilder, description: string): stat.PanelBuilder {
  return new stat.PanelBuilder()
    .title(title)
    .description(description)
    .datasource(DATASOURCE)
    .withTarget(query(expr, title))
    .unit(unit)
    .decimals(3)
    .thresholds(thresholds)
    .height(6)
    .span(4);
}

function sloRow(set: SloSet, slo: SloSpec): Array<dashboard.RowBuilder | stat.PanelBuilder | timeseries.PanelBuilder> {
  const period = formatPromDuration(set.periodMs);
  const shortest = recordedWindows(set.periodMs)[0]!;
  const budget = errorBudget(slo);
  const factors = burnWindows(set.periodMs).map((w) => w.factor);
  const objective = statPanel('Objective', `slo:objective:ratio${idSelector(slo)}`, 'percentunit', steps([null, 'blue']), slo.description);
  const sli = statPanel(
    `SLI over ${period}`,
    `1 - ${ratioRecord(set.periodMs)}${idSelector(slo)}`,
    'percentunit',
    steps([null, 'red'], [slo.objective, 'green']),
    'Share of good requests over the SLO period (from the recording rules).',
  );
  const remaining = statPanel(
    'Error budget remaining',
    `slo:period_error_budget_remaining:ratio${idSelector(slo)}`,
    'percentunit',
    steps([null, 'red'], [0, 'orange'], [0.25, 'green']),
    'Share of the period’s error budget not yet spent; below 0 the SLO is breached.',
  );
  const burn = new timeseries.PanelBuilder()
    .title('Burn rate')
    .description(`Error ratio over ${formatPromDuration(shortest)} divided by the budget (${budget}); the lines are the alert factors ${factors.join(', ')}.`)
    .datasource(DATASOURCE)
    .withTarget(query(`slo:current_burn_rate:ratio${idSelector(slo)}`, 'burn rate'))
    .unit('x')
    .min(0)
    .thresholds(steps([null, 'green'], ...[...new Set(factors)].sort((a, b) => a - b).map((f): [number, string] => [f, f >= 6 ? 'red' : 'orange'])))
    .thresholdsStyle(new common.GraphThresholdsStyleConfigBuilder().mode(common.GraphThresholdsStyleMode.Dashed))
    .height(8)
    .span(12);
  const ratio = new timeseries.PanelBuilder()
    .title(`SLI error ratio (${formatPromDuration(shortest)})`)
    .description('The raw SLI expression the rules record and `tuneup monitor validate` evaluates; the line is the error budget.')
    .datasource(DATASOURCE)
    .withTarget(query(errorRatio(slo, set.conventions, shortest), 'error ratio'))
    .unit('percentunit')
    .min(0)
    .thresholds(steps([null, 'green'], [budget, 'red']))
    .thresholdsStyle(new common.GraphThresholdsStyleConfigBuilder().mode(common.GraphThresholdsStyleMode.Dashed))
    .height(8)
    .span(12);
  return [new dashboard.RowBuilder(`${slo.name} — ${slo.description}`), objective, sli, remaining, burn, ratio];
}

function ratioPanel(title: string, description: string, expr: string, legend: string, lines: number[]): timeseries.PanelBuilder {
  const sorted = [...lines].sort((a, b) => a - b);
  return new timeseries.PanelBuilder()
    .title(title)
    .description(description)
    .datasource(DATASOURCE)
    .withTarget(query(expr, legend))
    .unit('percentunit')
    .decimals(2)
    .thresholds(steps([null, 'red'], ...sorted.map((v, i): [number, string] => [v, i === sorted.length - 1 ? 'green' : 'orange'])))
    .thresholdsStyle(new common.GraphThresholdsStyleConfigBuilder().mode(common.GraphThresholdsStyleMode.Dashed))
    .height(8)
    .span(12);
}

function dependencyRow(deps: DependencySpec): Array<dashboard.RowBuilder | timeseries.PanelBuilder> {
  const panels: timeseries.PanelBuilder[] = [];
  if (deps.cache) {
    const o = deps.cache.objective;
    panels.push(ratioPanel('Cache hit ratio (5m)', `Hits / (hits + misses); the line is the alert objective (${o.anchor}).`, cacheHitRatio(deps.cache.conventions), 'hit ratio', [o.value]));
  }
  if (deps.postgres) {
    const c = deps.postgres.conventions;
    const lines = deps.postgres.bufferCache.map((b) => b.value);
    panels.push(ratioPanel('PostgreSQL buffer cache hit ratio (5m)', `blks_hit / (blks_hit + blks_read) per database; lines: ${deps.postgres.bufferCache.map((b) => b.anchor).join('; ')}.`, bufferCacheHitRatio(c), `{{${c.databaseLabel}}}`, lines));
    const slow = deps.postgres.slowStatement;
    panels.push(
      new timeseries.PanelBuilder()
        .title('Slowest statements: mean time per call (5m)')
        .description(`The ten statements with the highest mean execution time per call (pg_stat_statements through postgres_exporter); the line is the slow-statement threshold (${slow.anchor}).`)
        .datasource(DATASOURCE)
        .withTarget(query(`topk(10, ${statementMeanSeconds(c)})`, c.statementLabels.map((l) => `{{${l}}}`).join(' ')))
        .unit('s')
        .min(0)
        .thresholds(steps([null, 'green'], [slow.value, 'red']))
        .thresholdsStyle(new common.GraphThresholdsStyleConfigBuilder().mode(common.GraphThresholdsStyleMode.Dashed))
        .height(8)
        .span(24),
    );
  }
  return panels.length === 0 ? [] : [new dashboard.RowBuilder('Dependencies (probed by the load test)'), ...panels];
}

/** The dashboard as Grafana's classic JSON model (Dashboards → Import, or the HTTP API's `dashboard` field). */
export function buildDashboard(set: SloSet): dashboard.Dashboard {
  const builder = new dashboard.DashboardBuilder(`${set.service} SLOs`)
    .uid(`tuneup-slo-${set.service}`.slice(0, 40))
    .tags(['slo', 'tuneup', set.service])
    .editable()
    .time({ from: 'now-24h', to: 'now' })
    .refresh('1m')
    .withVariable(new dashboard.DatasourceVariableBuilder('datasource').label('Prometheus').type('prometheus'));
  for (const item of [...set.slos.flatMap((slo) => sloRow(set, slo)), ...dependencyRow(set.dependencies ?? {})]) {
    if (item instanceof dashboard.RowBuilder) builder.withRow(item);
    else builder.withPanel(item);
  }
  return builder.build();
}
