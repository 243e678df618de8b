/** `nebula-ipam release`: gives operator leases back. */
import { exitCodeHelp, WRITES_BOOK } from '../exit-code-help.ts';
import { EXIT_CODES } from '../../core/exit-codes.ts';
import { operatorText } from '../../core/operator/operator-text.ts';
import { releaseLeases } from '../../core/operator/release-leases.ts';
import { withOwnerHint } from '../known-names.ts';
import { applyChange } from '../apply-change.ts';
import { parseCommandArgs, type Command } from '../command.ts';
import { oneOf } from '../options.ts';
import { renderJson } from '../render/json.ts';
import { renderTable } from '../render/table.ts';

export const releaseCommand: Command = {
  name: 'release',
  summary: 'release operator leases, by address or by owner',
  usage: `Usage: nebula-ipam release (--ip ADDRESS | --owner TEXT) [--force] [--json]

Gives leases back to their range. The range itself stays (remove an operator range with
\`range remove\`).

  --ip ADDRESS   the lease holding this address (IPv4, IPv6 or MAC); of a lease of several
                 addresses only this one is released, as OpenNebula frees addresses one by one
  --owner TEXT   every operator lease of this owner (exact match), in every range
  --force        also release an address leased by OpenNebula. Only for a lease oned no
                 longer holds (e.g. a free_address that never arrived; see reconcile):
                 if a VM still uses it, the address will be handed out twice
  --json         print what was released as JSON

${exitCodeHelp([[0, 'released'], [2, 'bad option'], [5, "nothing leased there / no such owner, or the lease is OpenNebula's and --force was not given"], [6, 'the lease book stayed locked (another command or oned holds it)'], ...WRITES_BOOK])}`,
  async run(args, context) {
    const { values } = parseCommandArgs(
      'release',
      args,
      {
        ip: { type: 'string' },
        owner: { type: 'string' },
        force: { type: 'boolean' },
      },
      { min: 0, max: 0, names: '' },
    );
    oneOf('release', { ip: values.ip, owner: values.owner });
    const force = values.force === true;
    const request =
      values.ip !== undefined ? { ip: values.ip, force } : { owner: operatorText(values.owner!, 'owner'), force };
    let released;
    try {
      ({ released } = await applyChange(
        context,
        'release',
        (book, config) => releaseLeases(book, config, request),
        'ip' in request ? { addresses: request.ip } : { owner: request.owner },
      ));
    } catch (error) {
      throw 'owner' in request ? withOwnerHint(error, request.owner, await context.store().read()) : error;
    }
    if (context.json) {
      context.stdout(renderJson({ released }));
      return EXIT_CODES.ok;
    }
    context.stdout(
      `Released ${released.length} lease${released.length === 1 ? '' : 's'}:\n${renderTable(
        [{ header: 'RANGE' }, { header: 'ADDRESSES' }, { header: 'HOLDER' }, { header: 'OWNER' }],
        released.map((r) => [
          r.range,
          r.addresses,
          r.holder === 'opennebula' ? 'OpenNebula' : 'operator',
          r.owner ?? '-',
        ]),
        context.options.width,
      )}`,
    );
    return EXIT_CODES.ok;
  },
};
