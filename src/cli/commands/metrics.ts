/** `nebula-ipam metrics`: the book's utilisation for Prometheus (node_exporter's textfile collector). */
import * as path from 'node:path';
import { EXIT_CODES } from '../../core/exit-codes.ts';
import { metricsText } from '../../metrics/exposition.ts';
import { markMetricsFileDown, writeMetricsFile } from '../../metrics/metrics-file.ts';
import { bookView } from '../../core/view/book-view.ts';
import { parseCommandArgs, type Command } from '../command.ts';
import { exitCodeHelp, READS_BOOK } from '../exit-code-help.ts';
import { requireBook } from '../require-book.ts';

export const metricsCommand: Command = {
  name: 'metrics',
  summary: 'pool and range utilisation in Prometheus text format',
  namesBookOnStderr: false,
  usage: `Usage: nebula-ipam metrics [--output FILE]

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

nebula_ipam_up is 1 and nebula_ipam_last_success_timestamp_seconds the time of this run;
alert when time() minus it grows past a few runs.

Reads a snapshot without the lock, so oned is never held up.

${exitCodeHelp([[0, 'printed or written'], [2, 'bad option'], [8, 'FILE cannot be written'], ...READS_BOOK])}`,
  async run(args, context) {
    const { values } = parseCommandArgs('metrics', args, { output: { type: 'string' } }, { min: 0, max: 0, names: '' });
    const file = values.output === undefined ? undefined : path.resolve(values.output);
    let text: string;
    try {
      const config = context.config();
      await requireBook(context);
      const book = await context.store().read();
      const space = await context.store().space?.();
      text = metricsText({
        ...(space ? { space } : {}),
        driver: context.driver,
        generation: book.generation,
        view: bookView(book, config),
        now: Math.floor(Date.now() / 1000),
      });
    } catch (error) {
      // The old numbers must not be served as current: the file says down, then the error is told.
      if (file !== undefined) markMetricsFileDown(file, context.driver);
      throw error;
    }
    if (file === undefined) {
      context.stdout(text);
      return EXIT_CODES.ok;
    }
    writeMetricsFile(file, text);
    return EXIT_CODES.ok;
  },
};
