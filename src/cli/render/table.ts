/**
 * Aligned text tables for human output. Colour codes do not count towards a column's width.
 * Given a width (the terminal's), a table that would be wider is made to fit: columns marked
 * `shrink` (free text: notes, owners, details) give way first, then the other left-aligned text
 * columns, each cut with an ellipsis, never below its header; numbers and bars stay whole.
 * Without a width (a pipe, a file, `--wide`) every cell is shown whole.
 */

export type Align = 'left' | 'right';

export interface Column {
  readonly header: string;
  readonly align?: Align;
  /** Free text that may be cut first when the table is too wide for the terminal. */
  readonly shrink?: boolean;
}

const ANSI = /\u001b\[[0-9;]*m/g;
const ELLIPSIS = '\u2026';
const GAP = 2;

export function visibleLength(text: string): number {
  return text.replace(ANSI, '').length;
}

/** `text` cut to `width` visible characters, ending in an ellipsis when cut (only plain text is cut). */
export function cut(text: string, width: number): string {
  if (visibleLength(text) <= width) return text;
  return width <= 1 ? ELLIPSIS.slice(0, width) : `${text.slice(0, width - 1)}${ELLIPSIS}`;
}

/** The width of each column: natural, or shrunk so the whole line fits `maxWidth`. Pure. */
export function fitWidths(
  columns: readonly Column[],
  natural: readonly number[],
  rows: readonly (readonly string[])[],
  maxWidth: number | undefined,
): number[] {
  const widths = [...natural];
  if (maxWidth === undefined) return widths;
  const total = () => widths.reduce((a, b) => a + b, 0) + GAP * (widths.length - 1);
  const coloured = columns.map((_, i) => rows.some((row) => (row[i] ?? '') !== (row[i] ?? '').replace(ANSI, '')));
  const floor = columns.map((c) => Math.max(c.header.length, 3));
  for (const phase of [(c: Column) => c.shrink === true, (c: Column) => c.align !== 'right']) {
    for (;;) {
      if (total() <= maxWidth) return widths;
      // The widest column this phase may cut, one character at a time.
      let widest = -1;
      columns.forEach((c, i) => {
        if (phase(c) && !coloured[i] && widths[i]! > floor[i]! && (widest < 0 || widths[i]! > widths[widest]!))
          widest = i;
      });
      if (widest < 0) break;
      widths[widest]!--;
    }
  }
  return widths;
}

/** Header, then rows; two spaces between columns; trailing spaces trimmed. */
export function renderTable(
  columns: readonly Column[],
  rows: readonly (readonly string[])[],
  maxWidth?: number,
): string {
  const natural = columns.map((c, i) =>
    Math.max(visibleLength(c.header), ...rows.map((row) => visibleLength(row[i] ?? ''))),
  );
  const widths = fitWidths(columns, natural, rows, maxWidth);
  const line = (cells: readonly string[]) =>
    columns
      .map((c, i) => {
        const cell = cut(cells[i] ?? '', widths[i]!);
        const pad = ' '.repeat(Math.max(0, widths[i]! - visibleLength(cell)));
        return c.align === 'right' ? pad + cell : cell + pad;
      })
      .join(' '.repeat(GAP))
      .trimEnd();
  return `${[line(columns.map((c) => c.header)), ...rows.map(line)].join('\n')}\n`;
}
