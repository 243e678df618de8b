/**
 * A utilisation bar: `[#######.............]  35%` (`<1%` for a little use), green, yellow from
 * 70 %, red from 90 %. On a narrow terminal the bar is shorter, or only the percentage is shown
 * (`barWidthFor`).
 */

const WIDTH = 20;

export function utilisationBar(used: bigint, size: bigint, color: boolean, width: number = WIDTH): string {
  const filled = size === 0n ? 0 : Number((used * BigInt(width) + size - 1n) / size);
  const percent = size === 0n ? 0 : Number((used * 100n) / size);
  // Anything in use shows as "<1%" and one mark: "0 %" next to a leased address misleads, "1%" overstates.
  const shownPercent = used > 0n && percent === 0 ? '<1' : String(percent);
  const marks = '#'.repeat(filled) + '.'.repeat(width - filled);
  const text = `${width > 0 ? `[${marks}] ` : ''}${shownPercent.padStart(3)}%`;
  if (!color) return text;
  const hue = percent >= 90 ? 31 : percent >= 70 ? 33 : 32;
  return `\u001b[${hue}m${text}\u001b[0m`;
}

/** The bar's width for a table limited to `tableWidth` columns (undefined: no limit). */
export function barWidthFor(tableWidth: number | undefined): number {
  if (tableWidth === undefined || tableWidth >= 140) return WIDTH;
  return tableWidth >= 110 ? 10 : 0;
}
