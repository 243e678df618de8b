/** `nebula-ipam lease`: addresses for a host OpenNebula does not manage. */
import { exitCodeHelp, WRITES_BOOK } from '../exit-code-help.ts';
import { requirePool } from '../../core/config/config.ts';
import { shown } from '../../core/errors.ts';
import { EXIT_CODES } from '../../core/exit-codes.ts';
import { leaseAddresses } from '../../core/operator/lease-addresses.ts';
import { parseLeaseMac } from '../../core/operator/lease-mac.ts';
import { operatorText } from '../../core/operator/operator-text.ts';
import { hostSettingLines } from '../render/host-settings.ts';
import { applyChange } from '../apply-change.ts';
import { parseCommandArgs, usageError, type Command } from '../command.ts';
import { countOption } from '../options.ts';
import { renderJson } from '../render/json.ts';

export const leaseCommand: Command = {
  name: 'lease',
  summary: 'lease addresses for a host OpenNebula does not manage',
  usage: `Usage: nebula-ipam lease --pool POOL [--count N | --ip IP] --owner TEXT [--mac MAC] [--note TEXT] [--json]

Takes addresses from the same pools and lease book as oned, under the same lock, so they
are never handed to a VM. The lease is marked as the operator's: oned's free_address never
frees it and get_address never hands it out; only \`nebula-ipam release\` gives it back.

  --pool POOL    the pool (a name from the config) to lease from
  --count N      N consecutive addresses (default 1), from the first range made for
                 operators in POOL that has room and no other owner (see \`range add\`);
                 when none has room, a new operator range is carved from the pool's free
                 space (a subnet like register carves, all of its usable addresses) and
                 the lease is its first N addresses
  --ip IP        exactly this address, wherever it is free in POOL: in a range of
                 OpenNebula's (oned then never hands it out), in an operator range, or in
                 the pool's free space: the operator range just below or above it in the
                 same subnet (nobody's, or OWNER's) grows by it, else a new operator range
                 of that one address. Never a leased, excluded, network, broadcast,
                 gateway or DNS address
  --owner TEXT   who holds it, e.g. the host name (required; \`release --owner\` matches it)
  --mac MAC      the host's MAC (52:54:00:12:34:56), kept with the lease: \`sync\` gives the
                 host its DHCP entry (pools with dhcp). One address only; a MAC the same
                 range already leases is refused
  --note TEXT    free text kept with the lease
  --json         print the result as JSON

Prints the addresses with the network, netmask, gateway, DNS, MTU and search domain the
host needs (the last two when the pool's config has mtu and searchDomain).
${exitCodeHelp([[0, 'leased'], [2, 'bad option'], [5, 'unknown pool, address outside the pool, address taken, or MAC leased in the range'], [6, 'the lease book stayed locked (another command or oned holds it)'], [255, 'the pool has no room'], ...WRITES_BOOK])}`,
  async run(args, context) {
    const { values } = parseCommandArgs(
      'lease',
      args,
      {
        pool: { type: 'string' },
        count: { type: 'string' },
        ip: { type: 'string' },
        owner: { type: 'string' },
        note: { type: 'string' },
        mac: { type: 'string' },
      },
      { min: 0, max: 0, names: '' },
    );
    if (values.pool === undefined) throw usageError('lease', '--pool is required');
    if (values.owner === undefined) throw usageError('lease', '--owner is required (who holds the addresses)');
    if (values.count !== undefined && values.ip !== undefined)
      throw usageError('lease', 'give --count or --ip, not both');
    // Before the lock: a typo never waits for oned.
    requirePool(context.config(), values.pool, `Cannot lease from pool ${shown(values.pool)}`);
    const request = {
      pool: values.pool,
      owner: operatorText(values.owner, 'owner'),
      ...(values.note === undefined ? {} : { note: operatorText(values.note, 'note') }),
      ...(values.count === undefined ? {} : { count: countOption('lease', 'count', values.count) }),
      ...(values.ip === undefined ? {} : { ip: values.ip }),
      ...(values.mac === undefined ? {} : { mac: parseLeaseMac(values.mac) }),
    };
    const result = await applyChange(
      context,
      'lease',
      (book, config, now) => leaseAddresses(book, config, request, now),
      {
        ...(request.ip === undefined ? {} : { addresses: request.ip }),
        owner: request.owner,
      },
    );
    if (context.json) {
      context.stdout(renderJson(result));
      return EXIT_CODES.ok;
    }
    const lines = [
      `Leased ${result.addresses} to ${JSON.stringify(request.owner)} (range ${result.range}${result.newRange ? ', new' : ''}, pool ${result.pool})${result.mac === undefined ? '' : ` with MAC ${result.mac}`}`,
      ...hostSettingLines(result),
    ];
    context.stdout(`${lines.join('\n')}\n`);
    return EXIT_CODES.ok;
  },
};
