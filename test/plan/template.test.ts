import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileTemplate, TemplateError, type TemplateContext, type TemplateScope } from '../../src/plan/index.js';
import { recordingVU } from './fake-vu.js';

const context: TemplateContext = { data: new Map([['users', ['email', 'name']]]), captures: new Set(['token']) };

function scope(): TemplateScope {
  const { vu } = recordingVU();
  vu.iteration = 3;
  return { vu, vars: { token: 'abc' }, env: { REGION: 'eu' }, row: () => ({ email: 'a@x', name: 'Ann' }) };
}

function templateError(text: string): TemplateError {
  try {
    compileTemplate(text, context);
  } catch (error) {
    assert.ok(error instanceof TemplateError, String(error));
    return error;
  }
  assert.fail(`expected ${text} to be rejected`);
}

describe('compileTemplate', () => {
  it('returns static text unchanged', () => {
    const t = compileTemplate('/api/health', context);
    assert.equal(t.isStatic, true);
    assert.equal(t.render(scope()), '/api/health');
  });

  it('renders names, env, data, captures and vu fields', () => {
    const t = compileTemplate('/u/{{ vu.id }}/{{iteration}}/{{ env.REGION }}/{{ users.email }}/{{ token }}/{{ env.MISSING }}', context);
    assert.equal(t.isStatic, false);
    assert.equal(t.render(scope()), '/u/7/3/eu/a@x/abc/');
    assert.deepEqual([...t.dataSources], ['users']);
    assert.equal(t.route, '/u/:id/:iteration/:REGION/:email/:token/:MISSING');
  });

  it('renders random functions within their bounds', () => {
    const s = scope();
    const int = compileTemplate('{{ randomInt(3, 5) }}', context);
    const seen = new Set<unknown>();
    for (let i = 0; i < 200; i++) seen.add(int.value(s));
    assert.deepEqual([...seen].sort(), [3, 4, 5], 'a lone numeric expression gives numbers for JSON');
    const choice = compileTemplate("{{ randomChoice('a', \"b\") }}", context);
    for (let i = 0; i < 50; i++) assert.ok(['a', 'b'].includes(choice.render(s)));
    assert.match(compileTemplate('{{ uuid() }}', context).render(s), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.match(compileTemplate('{{ randomString(12) }}', context).render(s), /^[a-z0-9]{12}$/);
    assert.equal(typeof compileTemplate('id-{{ randomInt(1, 2) }}', context).value(s), 'string');
  });

  it('rejects bad templates with a column and a fix', () => {
    const cases: [string, RegExp, number][] = [
      ['/a/{{ randomInt(1, 100)', /unclosed "\{\{"/, 4],
      ['/a/{{ randInt(1, 2) }}', /unknown function "randInt" \(did you mean "randomInt"\?\)/, 7],
      ['{{ randomInt(5, 1) }}', /max is below min/, 4],
      ['{{ randomInt(1) }}', /randomInt needs two integers/, 4],
      ['{{ randomChoice() }}', /needs at least one value/, 4],
      ['{{ users.mail }}', /no column "mail" \(did you mean "email"\?\)/, 4],
      ['{{ tokn }}', /unknown name "tokn" \(did you mean "token"\?\)/, 4],
      ['{{ vu.name }}', /use vu\.id or vu\.iteration/, 4],
      ['{{ }}', /empty/, 4],
      ['{{ 1 + 2 }}', /cannot read/, 4],
      ["{{ randomChoice('a',) }}", /trailing comma|cannot read arguments/, 4],
    ];
    for (const [text, pattern, column] of cases) {
      const error = templateError(text);
      assert.match(error.message, pattern, text);
      assert.equal(error.column, column, `${text}: column`);
    }
  });
});
