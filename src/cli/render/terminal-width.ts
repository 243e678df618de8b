/**
 * How wide human output may be: the terminal's width when stdout is a terminal (its own
 * report, else $COLUMNS, else 80), nothing when it is a pipe or a file, or with --wide.
 */
export function tableWidth(options: {
  wide: boolean;
  stdoutIsTty: boolean;
  ttyColumns: number | undefined;
  env: Readonly<Record<string, string | undefined>>;
}): number | undefined {
  if (options.wide || !options.stdoutIsTty) return undefined;
  const fromEnv = Number(options.env.COLUMNS);
  const columns = options.ttyColumns !== undefined && options.ttyColumns > 0 ? options.ttyColumns : fromEnv;
  return Number.isInteger(columns) && columns >= 20 ? columns : 80;
}
