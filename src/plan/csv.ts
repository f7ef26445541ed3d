/**
 * A small RFC 4180 CSV parser for template data files: a header row, quoted
 * fields with `""` escapes and embedded commas/newlines, CRLF or LF line
 * ends, an optional UTF-8 BOM, blank lines skipped.
 *
 * @module
 */

/** Parsed CSV: the header and one object per data row (column → string). */
export interface CsvTable {
  columns: string[];
  rows: Record<string, string>[];
}

/** A CSV syntax problem; `line` is 1-based. */
export class CsvError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
    this.name = 'CsvError';
  }
}

/** Split CSV text into records of fields. */
export function parseCsvRecords(text: string): { fields: string[]; line: number }[] {
  const records: { fields: string[]; line: number }[] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let recordLine = 1;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let quoted = false;
  let fieldStarted = false;
  const endRecord = () => {
    fields.push(field);
    // A record that is a single empty field is a blank line: skip it.
    if (!(fields.length === 1 && fields[0] === '' && !fieldStarted)) records.push({ fields, line: recordLine });
    fields = [];
    field = '';
    fieldStarted = false;
  };
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        const next = text[i];
        if (next !== undefined && next !== ',' && next !== '\n' && next !== '\r') {
          throw new CsvError(`unexpected character after a closing quote; double a quote inside a quoted field ("")`, line);
        }
        continue;
      }
      if (c === '\n') line++;
      field += c;
      i++;
      continue;
    }
    if (c === '"') {
      if (field !== '') throw new CsvError('a quote inside an unquoted field; quote the whole field', line);
      quoted = true;
      fieldStarted = true;
      i++;
    } else if (c === ',') {
      fields.push(field);
      field = '';
      fieldStarted = true;
      i++;
    } else if (c === '\r' || c === '\n') {
      endRecord();
      i += c === '\r' && text[i + 1] === '\n' ? 2 : 1;
      line++;
      recordLine = line;
    } else {
      field += c;
      i++;
    }
  }
  if (quoted) throw new CsvError('unterminated quoted field', recordLine);
  if (field !== '' || fields.length > 0 || fieldStarted) endRecord();
  return records;
}

/**
 * Parse CSV with a header row into objects.
 * @throws CsvError on syntax errors, a missing or duplicate header, or a row with the wrong number of fields.
 */
export function parseCsv(text: string): CsvTable {
  const records = parseCsvRecords(text);
  if (records.length === 0) throw new CsvError('the file is empty; the first row must name the columns', 1);
  const columns = records[0].fields.map((c) => c.trim());
  columns.forEach((column, index) => {
    if (column === '') throw new CsvError(`column ${index + 1} of the header row has no name`, records[0].line);
    if (columns.indexOf(column) !== index) throw new CsvError(`column "${column}" appears twice in the header row`, records[0].line);
  });
  const rows = records.slice(1).map(({ fields, line }) => {
    if (fields.length !== columns.length) {
      throw new CsvError(`row has ${fields.length} fields but the header has ${columns.length}`, line);
    }
    const row: Record<string, string> = {};
    columns.forEach((column, index) => (row[column] = fields[index]));
    return row;
  });
  return { columns, rows };
}
