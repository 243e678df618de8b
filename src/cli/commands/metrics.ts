/** `nebula-ipam metrics`: the book's utilisation for Prometheus (node_exporter's textfile collector). */
import * as path from 'node:path';
import { metricsText, type DownDriver, type MetricsInput } from '../../metrics/exposition.ts';
import { previousSuccess, writeMetricsFile } from '../../metrics/metrics-file.ts';
import { gatherDrivers, reportFailures, type Gathered } from '../all-drivers.ts';
import type { CliContext } from '../context.ts';
import { bookView } from '../../core/view/book-view.ts';
import { parseCommandArgs, type Command } from '../command.ts';
import { exitCodeHelp, READS_BOOK } from '../exit-code-help.ts';
import { requireBook } from '../require-book.ts';
import { syncTargets } from '../sync-targets.ts';

export const metricsCommand: Command = {
  name: 'metrics',
  summary: 'pool and range utilisation in Prometheus text format',
  namesBookOnStderr: false,
  allDrivers: true,
  usage: `Usage: nebula-ipam metrics [--output FILE] [--all-drivers]

Prints the lease book's numbers in Prometheus' text exposition format: per pool its size,
excluded, carved and free addresses, utilisation ratio and ranges; per range (IPv4 and
IPv6 sides apart) its size, free addresses, utilisation ratio and used addresses per
holder (opennebula, operator); the book's generation; on etcd, its database's size,
in use and quota (nebula_ipam_store_*_bytes). Labels: driver, pool, family,
network, range, type, managed_by, holder. \`status --json\` carries the same numbers.

  --output FILE   write FILE atomically instead (for node_exporter's textfile collector,
                  e.g. /var/lib/prometheus/node-exporter/nebula-ipam.prom); when the book
                  cannot be read, FILE keeps only nebula_ipam_up 0 and the last success
                  time; when FILE cannot be written, it is removed
  --all-drivers   every nebula-ipam driver installed here, each its own config and book,
                  in one exposition told apart by the driver label; a driver whose book
                  cannot be read has nebula_ipam_up 0 and its line on stderr (exit non-zero)

nebula_ipam_up is 1 and nebula_ipam_last_success_timestamp_seconds the time of this run;
alert when time() minus it grows past a few runs.

Reads a snapshot without the lock, so oned is never held up.

${exitCodeHelp([[0, 'printed or written'], [2, 'bad option'], [8, 'FILE cannot be written'], ...READS_BOOK])}`,
  async run(args, context) {
    const { values } = parseCommandArgs(
      'metrics',
      args,
      { output: { type: 'string' }, 'all-drivers': { type: 'boolean' } },
      { min: 0, max: 0, names: '' },
    );
    const file = values.output === undefined ? undefined : path.resolve(values.output);
    const all = values['all-drivers'] === true;
    let gathered: Gathered<MetricsInput>[];
    try {
      gathered = await gatherDrivers('metrics', context, all, gatherMetrics);
    } catch (error) {
      // The old numbers must not be served as current: the file says down, then the error is told.
      if (file !== undefined && !all) writeMetricsFile(file, metricsText([down(context.driver, file)]));
      throw error;
    }
    const text = metricsText(gathered.map((entry) => ('value' in entry ? entry.value : down(entry.driver, file))));
    if (file === undefined) context.stdout(text);
    else writeMetricsFile(file, text);
    return reportFailures(context, gathered);
  },
};

async function gatherMetrics(context: CliContext): Promise<MetricsInput> {
  const config = context.config();
  await requireBook(context);
  const book = await context.store().read();
  const space = await context.store().space?.();
  return {
    ...(space ? { space } : {}),
    driver: context.driver,
    generation: book.generation,
    view: bookView(book, config),
    now: Math.floor(Date.now() / 1000),
    ...(config.targets.length ? { targets: syncTargets(context, config) } : {}),
  };
}

function down(driver: string, file: string | undefined): DownDriver {
  const lastSuccess = file === undefined ? undefined : previousSuccess(file, driver);
  return { driver, down: true, ...(lastSuccess === undefined ? {} : { lastSuccess }) };
}
