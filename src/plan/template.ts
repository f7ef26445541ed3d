/**
 * `{{ … }}` templates of YAML workloads, compiled once at plan load into
 * small closures so nothing is parsed per request.
 *
 * Expressions (the whole language):
 *
 *     randomInt(min, max)        integer in [min, max]
 *     randomChoice('a', 'b', 3)  one of the literals
 *     randomString(n)            n characters [a-z0-9]
 *     uuid()                     random UUID v4
 *     vu.id | vu.iteration       the VU's id and its iteration number
 *     iteration                  same as vu.iteration
 *     env.NAME                   environment variable ('' when unset)
 *     users.email                column of the current row of data source `users`
 *     token                      a variable captured by an earlier step
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import type { VirtualUser } from '../engine/types.js';
import { closest } from './suggest.js';

/** What a compiled template reads when rendered (one per iteration). */
export interface TemplateScope {
  vu: VirtualUser;
  /** Captured variables of this iteration. */
  vars: Record<string, string>;
  /** Current row of a data source for this iteration (rows are assigned by the workload). */
  row(name: string): Record<string, unknown>;
  env: Record<string, string | undefined>;
}

/** What the compiler may reference. */
export interface TemplateContext {
  /** Data source names → their columns (undefined when the columns are unknown). */
  data: ReadonlyMap<string, readonly string[] | undefined>;
  /** Variables captured by earlier steps and therefore usable here. */
  captures: ReadonlySet<string>;
}

/** A compiled template. */
export interface CompiledTemplate {
  /** The text as written. */
  readonly source: string;
  /** True when the text has no `{{ }}`: `render` always returns `source`. */
  readonly isStatic: boolean;
  /** Render to a string. */
  render(scope: TemplateScope): string;
  /**
   * Render for a JSON body: a text that is exactly one numeric expression
   * (`{{ randomInt(1,9) }}`, `{{ vu.id }}`) gives a number, otherwise a string.
   */
  value(scope: TemplateScope): unknown;
  /** The text with every expression replaced by `:name` (see {@link routeName}). */
  readonly route: string;
  /** Data sources the template reads (so the workload assigns them a row). */
  readonly dataSources: ReadonlySet<string>;
}

/** A template syntax or reference error; `column` is 1-based within the text. */
export class TemplateError extends Error {
  constructor(
    message: string,
    readonly column: number,
  ) {
    super(message);
    this.name = 'TemplateError';
  }
}

type Part = string | { eval: (scope: TemplateScope) => unknown; numeric: boolean; label: string };

const FUNCTIONS = ['randomInt', 'randomChoice', 'randomString', 'uuid'];
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/**
 * Compile a template.
 * @throws TemplateError naming the expression, the column and the fix.
 */
export function compileTemplate(text: string, context: TemplateContext): CompiledTemplate {
  const parts: Part[] = [];
  const dataSources = new Set<string>();
  let position = 0;
  while (position < text.length) {
    const open = text.indexOf('{{', position);
    if (open === -1) {
      parts.push(text.slice(position));
      break;
    }
    if (open > position) parts.push(text.slice(position, open));
    const close = text.indexOf('}}', open + 2);
    if (close === -1) throw new TemplateError(`unclosed "{{" in ${JSON.stringify(text)}; add "}}"`, open + 1);
    parts.push(compileExpression(text.slice(open + 2, close), open + 3, context, dataSources));
    position = close + 2;
  }
  const isStatic = parts.every((p) => typeof p === 'string');
  const route = parts.map((p) => (typeof p === 'string' ? p : `:${p.label}`)).join('');
  if (isStatic) {
    return { source: text, isStatic, render: () => text, value: () => text, route, dataSources };
  }
  const single = parts.length === 1 && typeof parts[0] !== 'string' ? parts[0] : undefined;
  const render = (scope: TemplateScope): string => {
    let out = '';
    for (const part of parts) out += typeof part === 'string' ? part : String(part.eval(scope));
    return out;
  };
  return {
    source: text,
    isStatic,
    render,
    value: single && single.numeric ? (scope) => single.eval(scope) : render,
    route,
    dataSources,
  };
}

/** One `{{ expression }}` → an evaluator. `column` is where the expression text starts. */
function compileExpression(raw: string, column: number, context: TemplateContext, dataSources: Set<string>): Part {
  const expr = raw.trim();
  const at = column + (raw.length - raw.trimStart().length);
  if (expr === '') throw new TemplateError('empty "{{ }}"', at);
  const call = /^([A-Za-z_]\w*)\s*\((.*)\)$/s.exec(expr);
  if (call !== null) return compileCall(call[1], call[2], expr, at);
  if (!/^[A-Za-z_]\w*(\.[A-Za-z_][\w-]*)*$/.test(expr)) {
    throw new TemplateError(`cannot read "{{ ${expr} }}"; expected a function call such as randomInt(1, 100) or a name such as vu.id, env.NAME, users.email or a captured variable`, at);
  }
  const [head, ...rest] = expr.split('.');
  if (head === 'vu') {
    if (rest.length !== 1 || (rest[0] !== 'id' && rest[0] !== 'iteration')) {
      throw new TemplateError(`unknown "${expr}"; use vu.id or vu.iteration`, at);
    }
    return rest[0] === 'id'
      ? { eval: (s) => s.vu.id, numeric: true, label: 'id' }
      : { eval: (s) => s.vu.iteration, numeric: true, label: 'iteration' };
  }
  if (head === 'iteration' && rest.length === 0) return { eval: (s) => s.vu.iteration, numeric: true, label: 'iteration' };
  if (head === 'env') {
    if (rest.length !== 1) throw new TemplateError(`write env.NAME to read an environment variable, got "${expr}"`, at);
    const name = rest[0];
    return { eval: (s) => s.env[name] ?? '', numeric: false, label: name };
  }
  if (context.data.has(head)) {
    if (rest.length !== 1) throw new TemplateError(`write ${head}.<column> to read a column of data source "${head}", got "${expr}"`, at);
    const column = rest[0];
    const columns = context.data.get(head);
    if (columns !== undefined && !columns.includes(column)) {
      const guess = closest(column, columns);
      throw new TemplateError(
        `data source "${head}" has no column "${column}"${guess ? ` (did you mean "${guess}"?)` : `; columns: ${columns.join(', ')}`}`,
        at,
      );
    }
    dataSources.add(head);
    return { eval: (s) => s.row(head)[column] ?? '', numeric: false, label: column };
  }
  if (rest.length === 0 && context.captures.has(head)) {
    return { eval: (s) => s.vars[head] ?? '', numeric: false, label: head };
  }
  const known = [...context.captures, ...context.data.keys(), 'vu', 'env', 'iteration'];
  const guess = closest(head, known);
  throw new TemplateError(
    `unknown name "${head}"${guess ? ` (did you mean "${guess}"?)` : ''}; a bare name must be captured by an earlier step of the flow, and data sources are declared under "data:"`,
    at,
  );
}

function compileCall(name: string, argText: string, expr: string, at: number): Part {
  const args = parseLiterals(argText, at);
  switch (name) {
    case 'randomInt': {
      if (args.length !== 2 || typeof args[0] !== 'number' || typeof args[1] !== 'number' || !Number.isInteger(args[0]) || !Number.isInteger(args[1])) {
        throw new TemplateError(`randomInt needs two integers, e.g. randomInt(1, 1000), got "${expr}"`, at);
      }
      const [min, max] = args as [number, number];
      if (max < min) throw new TemplateError(`randomInt(${min}, ${max}): max is below min`, at);
      const span = max - min + 1;
      return { eval: () => min + Math.floor(Math.random() * span), numeric: true, label: 'randomInt' };
    }
    case 'randomChoice': {
      if (args.length === 0) throw new TemplateError(`randomChoice needs at least one value, e.g. randomChoice('a', 'b')`, at);
      const numeric = args.every((a) => typeof a === 'number');
      return { eval: () => args[Math.floor(Math.random() * args.length)], numeric, label: 'randomChoice' };
    }
    case 'randomString': {
      const length = args[0];
      if (args.length !== 1 || typeof length !== 'number' || !Number.isInteger(length) || length < 1) {
        throw new TemplateError(`randomString needs one positive integer length, e.g. randomString(12)`, at);
      }
      return {
        eval: () => {
          let s = '';
          for (let i = 0; i < length; i++) s += ALPHABET[Math.floor(Math.random() * ALPHABET.length)];
          return s;
        },
        numeric: false,
        label: 'randomString',
      };
    }
    case 'uuid':
      if (args.length !== 0) throw new TemplateError('uuid() takes no arguments', at);
      return { eval: () => randomUUID(), numeric: false, label: 'uuid' };
    default: {
      const guess = closest(name, FUNCTIONS);
      throw new TemplateError(
        `unknown function "${name}"${guess ? ` (did you mean "${guess}"?)` : ''}; available: ${FUNCTIONS.join(', ')}`,
        at,
      );
    }
  }
}

/** Comma-separated number or quoted-string literals. */
function parseLiterals(text: string, at: number): (string | number)[] {
  const values: (string | number)[] = [];
  const token = /\s*(?:(-?\d+(?:\.\d+)?)|'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")\s*(,|$)/y;
  if (text.trim() === '') return values;
  let index = 0;
  while (index < text.length) {
    token.lastIndex = index;
    const match = token.exec(text);
    if (match === null) {
      throw new TemplateError(`cannot read arguments "${text}"; use numbers or quoted strings separated by commas`, at);
    }
    if (match[1] !== undefined) values.push(Number(match[1]));
    else values.push((match[2] ?? match[3]).replace(/\\(.)/g, '$1'));
    index = token.lastIndex;
    if (match[4] === '') break;
    if (index >= text.length) throw new TemplateError(`trailing comma in "${text}"`, at);
  }
  return values;
}
