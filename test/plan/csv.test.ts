import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CsvError, parseCsv } from '../../src/plan/index.js';

describe('parseCsv', () => {
  it('parses a header and rows', () => {
    assert.deepEqual(parseCsv('email,name\na@x,Ann\nb@x,Bob\n'), {
      columns: ['email', 'name'],
      rows: [
        { email: 'a@x', name: 'Ann' },
        { email: 'b@x', name: 'Bob' },
      ],
    });
  });

  it('handles quotes, escaped quotes, embedded commas and newlines, CRLF, BOM and blank lines', () => {
    const text = '\ufeffa,b\r\n"x, y","say ""hi"""\r\n\r\n"multi\nline",\r\n"",last';
    assert.deepEqual(parseCsv(text).rows, [
      { a: 'x, y', b: 'say "hi"' },
      { a: 'multi\nline', b: '' },
      { a: '', b: 'last' },
    ]);
  });

  it('reports errors with a line number', () => {
    const cases: [string, RegExp, number][] = [
      ['', /empty/, 1],
      ['a,b\n1,2\n3\n', /row has 1 fields but the header has 2/, 3],
      ['a,a\n1,2', /appears twice/, 1],
      ['a,\n1,2', /column 2 of the header row has no name/, 1],
      ['a\n"open', /unterminated quoted field/, 2],
      ['a\n"x"y', /after a closing quote/, 2],
      ['a\nx"y', /a quote inside an unquoted field/, 2],
    ];
    for (const [text, pattern, line] of cases) {
      assert.throws(
        () => parseCsv(text),
        (error: unknown) => error instanceof CsvError && pattern.test(error.message) && error.line === line,
        JSON.stringify(text),
      );
    }
  });
});
