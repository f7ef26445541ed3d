/**
 * Source positions for YAML and JSON plans. JSON is valid YAML, so one
 * `yaml.parseDocument` with a `LineCounter` gives line numbers for both.
 *
 * @module
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { LineLocator, PlanPath } from './issues.js';
import { TuneupError } from '../errors.js';

/** A parsed YAML/JSON plan: the plain value plus a line locator. */
export interface ParsedSource {
  value: unknown;
  locate: LineLocator;
}

/**
 * Parse YAML (or JSON) text into a plain value and a locator for paths.
 * @throws TuneupError `TUNEUP_PLAN_INVALID` with `file:line` on a syntax error.
 */
export function parseYamlSource(text: string, file: string): ParsedSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const lines = doc.errors.map((error) => {
      const line = error.linePos?.[0]?.line;
      const message = error.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
      const column = error.linePos?.[0]?.col;
      return `${file}${line === undefined ? '' : `:${line}`} ${message}${column === undefined ? '' : ` (column ${column})`}`;
    });
    const firstLine = doc.errors[0].linePos?.[0]?.line;
    throw new TuneupError('TUNEUP_PLAN_INVALID', `invalid plan syntax:\n  ${lines.join('\n  ')}`, {
      location: firstLine === undefined ? file : `${file}:${firstLine}`,
      hint: 'Fix the YAML/JSON syntax at the line shown (indentation, quotes, a missing colon).',
    });
  }
  return { value: doc.toJS({ maxAliasCount: 100 }), locate: (path) => lineOf(doc, lineCounter, path) };
}

/**
 * The line of the deepest node that exists along `path`: for a key that is
 * present, the line of the key; for a missing key, the line of its parent.
 */
function lineOf(doc: Document, lineCounter: LineCounter, path: PlanPath): number | undefined {
  let node: unknown = doc.contents;
  let offset = rangeStart(node);
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((item) => (isScalar(item.key) ? item.key.value : item.key) === segment);
      if (pair === undefined) break;
      offset = rangeStart(pair.key) ?? rangeStart(pair.value) ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment];
      if (item === undefined) break;
      offset = rangeStart(item) ?? offset;
      node = item;
    } else {
      break;
    }
  }
  return offset === undefined ? undefined : lineCounter.linePos(offset).line;
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as Node | null | undefined)?.range;
  return Array.isArray(range) ? range[0] : undefined;
}
