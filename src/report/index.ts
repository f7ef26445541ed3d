/**
 * Reports: renderers over a RunResult. Build the model once with
 * {@link buildReportModel}, then render it as a terminal summary, one
 * offline HTML file, a Markdown PR comment or JUnit XML; or call
 * {@link writeReports} to write all files next to result.json.
 *
 * @module
 */
export {
  buildReportModel,
  severityRank,
  sloLines,
  type BaselineView,
  type BuildReportModelOptions,
  type EndpointDelta,
  type EndpointRow,
  type FindingHeadline,
  type ProbeColumnView,
  type ProbePanel,
  type ProbeStatusView,
  type ReportModel,
  type SloLine,
  type ThresholdView,
  type TimeSeriesView,
  type Verdict,
  type VerdictOutcome,
} from './model.js';
export { renderTerminalSummary, type TerminalOptions } from './terminal.js';
export { renderHtml, escapeHtml, jsonForScript, cspHash, type HtmlOptions } from './html.js';
export { renderMarkdown, escapeMarkdown, codeSpan, type MarkdownOptions } from './markdown.js';
export { renderJUnit, escapeXml } from './junit.js';
export { writeReports, writeFileAtomic, REPORT_FILES, type ReportPaths, type WriteReportsOptions } from './write.js';
export {
  loadRun,
  loadRunResult,
  resolveRunPath,
  listRunIds,
  assertRunResult,
  type LoadedRun,
  type LoadRunOptions,
} from './load-run.js';
export { MAX_PLOT_POINTS, bucketSize, downsampleColumn, downsampleX, type Aggregation } from './downsample.js';
export { renderFindings, confirmationLabel, type FindingsTextOptions } from './findings-text.js';
export { keptPerRequestText, renderExperimentSummary, type ExperimentSummaryOptions } from './experiment-text.js';
export { renderDemands } from './demands-text.js';
