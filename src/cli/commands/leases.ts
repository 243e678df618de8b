/** `nebula-ipam leases`: the lease list, optionally of one range, owner or holder. */
import { exitCodeHelp, READS_BOOK } from '../exit-code-help.ts';
import { findRange } from '../../core/book/book.ts';
import { IpamError, shown } from '../../core/errors.ts';
import { EXIT_CODES } from '../../core/exit-codes.ts';
import { requireBook } from '../require-book.ts';
import { parseCommandArgs, usageError, type Command } from '../command.ts';
import { renderJson } from '../render/json.ts';
import { leaseRow } from '../../core/view/lease-row.ts';
import { leaseVms } from '../../core/view/lease-vms.ts';
import { leaseTable } from '../render/lease-cells.ts';

export const leasesCommand: Command = {
  name: 'leases',
  summary: 'list leases, by range, owner or holder',
  usage: `Usage: nebula-ipam leases [--range RANGE] [--owner TEXT] [--holder opennebula|operator] [--json]

Lists leases (a block of consecutive addresses held by one party), in book order.

  --range RANGE    only this range (an id from status, e.g. r3)
  --owner TEXT     only operator leases of this owner (exact match)
  --holder WHO     only OpenNebula's leases, or only operators'
  --json           { leases: [{ range, addresses, count, holder, owner, note, mac, requestId, since, vmId, vmName }] }
                   (vmId and vmName: the VM holding it, as the hooks recorded it; see hook)

${exitCodeHelp([[0, 'listed (also when nothing matches)'], [2, 'bad option'], [5, 'unknown range'], ...READS_BOOK])}`,
  async run(args, context) {
    const { values } = parseCommandArgs(
      'leases',
      args,
      {
        range: { type: 'string' },
        owner: { type: 'string' },
        holder: { type: 'string' },
      },
      { min: 0, max: 0, names: '' },
    );
    if (values.holder !== undefined && values.holder !== 'opennebula' && values.holder !== 'operator') {
      throw usageError('leases', `--holder must be opennebula or operator, not ${JSON.stringify(values.holder)}`);
    }
    await requireBook(context);
    const book = await context.store().read();
    if (values.range !== undefined && !findRange(book, values.range)) {
      throw new IpamError(
        'not-found',
        `Cannot list the leases of range ${shown(values.range)}: there is no such range (see nebula-ipam status)`,
      );
    }
    const vmOf = book.vms?.length ? leaseVms(book, context.config()) : () => undefined;
    const rows = book.ranges
      .filter((range) => values.range === undefined || range.id === values.range)
      .flatMap((range) => range.leases.map((lease) => leaseRow(range, lease, vmOf(range, lease))))
      .filter(
        (row) =>
          (values.owner === undefined || row.owner === values.owner) &&
          (values.holder === undefined || row.holder === values.holder),
      );
    if (context.json) context.stdout(renderJson({ leases: rows }));
    else context.stdout(rows.length ? leaseTable(rows, context.options.width) : 'No leases match.\n');
    return EXIT_CODES.ok;
  },
};
