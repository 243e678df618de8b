/** `nebula-ipam metrics`: the book's utilisation for Prometheus (node_exporter's textfile collector). */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { IpamError } from '../../errors.ts';
import { EXIT_CODES } from '../../exit-codes.ts';
import { metricsText } from '../../metrics/exposition.ts';
import { poolUsage } from '../../operator/usage.ts';
import { parseCommandArgs, type Command } from '../command.ts';
import { exitCodeHelp, READS_BOOK } from '../exit-code-help.ts';
import { familyRows } from '../render/family-rows.ts';
import { requireBook } from '../require-book.ts';

export const metricsCommand: Command = {
  name: 'metrics',
  summary: 'pool and range utilisation in Prometheus text format',
  usage: `Usage: nebula-ipam metrics [--output FILE]

Prints the lease book's numbers in Prometheus' text exposition format: per pool its size,
excluded, carved and free addresses, utilisation ratio and ranges; per range (IPv4 and
IPv6 sides apart) its size, free addresses, utilisation ratio and used addresses per
holder (opennebula, operator); the book's generation; on etcd, its database's size,
in use and quota (nebula_ipam_store_*_bytes). Labels: driver, pool, family,
network, range, type, managed_by, holder. \`status --json\` carries the same numbers.

  --output FILE   write FILE atomically instead (for node_exporter's textfile collector,
                  e.g. /var/lib/prometheus/node-exporter/nebula-ipam.prom)

Reads a snapshot without the lock, so oned is never held up.

${exitCodeHelp([[0, 'printed or written'], [2, 'bad option'], [8, 'FILE cannot be written'], ...READS_BOOK])}`,
  async run(args, context) {
    const { values } = parseCommandArgs('metrics', args, { output: { type: 'string' } }, { min: 0, max: 0, names: '' });
    const config = context.config();
    await requireBook(context);
    const book = await context.store().read();
    const space = await context.store().space?.();
    const text = metricsText({
      ...(space ? { space } : {}),
      driver: context.driver,
      generation: book.generation,
      pools: poolUsage(book, config),
      ranges: [...familyRows(book, config, 'ipv4'), ...familyRows(book, config, 'ipv6')],
    });
    if (values.output === undefined) {
      context.stdout(text);
      return EXIT_CODES.ok;
    }
    const file = path.resolve(values.output);
    // The collector may read at any moment: it sees the old file or the new one, whole.
    const temp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(4).toString('hex')}.tmp`);
    try {
      fs.writeFileSync(temp, text, { mode: 0o644, flag: 'wx' });
      fs.renameSync(temp, file);
    } catch (error) {
      fs.rmSync(temp, { force: true });
      throw new IpamError('store-io', `Cannot write the metrics to ${file}: ${(error as Error).message}`, { subject: file, reason: (error as Error).message });
    }
    return EXIT_CODES.ok;
  },
};
