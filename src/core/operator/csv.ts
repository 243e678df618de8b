/**
 * CSV as RFC 4180 has it, which is what spreadsheets write back: fields quoted when they hold a
 * comma, a quote or a line break, quotes doubled, records ended by CRLF (a bare LF is read too).
 * `export --format csv` writes it and `import --format csv` reads it, so both sides agree.
 */
import { IpamError } from '../errors.ts';

/** One field, quoted only when it must be. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

export function csvLine(fields: readonly string[]): string {
  return fields.map(csvField).join(',');
}

/** A record and the line of the file it starts on (a quoted line break makes them differ from the record count). */
export interface CsvRecord {
  readonly line: number;
  readonly fields: readonly string[];
}

/**
 * The records of `text`, blank lines skipped. `source` names the file in the one error: a quote
 * that is never closed, or text right after a closing quote.
 */
export function parseCsv(text: string, source: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let start = 1;
  let quoted = false;
  let afterQuote = false;
  const endRecord = () => {
    fields.push(field);
    if (fields.length > 1 || fields[0] !== '') records.push({ line: start, fields });
    fields = [];
    field = '';
    afterQuote = false;
  };
  const bad = (why: string) =>
    new IpamError('bad-request', `Cannot import ${source}: line ${line}: ${why}; nothing was imported`, {
      subject: source,
      reason: `line ${line}: ${why}`,
    });
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
        afterQuote = true;
      } else {
        if (c === '\n') line++;
        field += c;
      }
      continue;
    }
    if (c === ',') {
      fields.push(field);
      field = '';
      afterQuote = false;
    } else if (c === '\n' || (c === '\r' && text[i + 1] === '\n')) {
      if (c === '\r') i++;
      endRecord();
      line++;
      start = line;
    } else if (afterQuote) {
      throw bad(`${JSON.stringify(c)} right after a closing quote (a quote inside a quoted field is written "")`);
    } else if (c === '"' && field === '') {
      quoted = true;
    } else {
      field += c;
    }
  }
  if (quoted) throw bad('a quoted field is never closed');
  if (field !== '' || fields.length > 0) endRecord();
  return records;
}
