/** `nebula-ipam range add|remove`: blocks of a pool for hosts OpenNebula does not manage. */
import { exitCodeHelp, WRITES_BOOK } from '../exit-code-help.ts';
import { holdsOf } from '../../core/book/holds.ts';
import { requirePool } from '../../core/config/config.ts';
import { shown } from '../../core/errors.ts';
import { EXIT_CODES } from '../../core/exit-codes.ts';
import { addRange } from '../../core/operator/add-range.ts';
import { operatorText } from '../../core/operator/operator-text.ts';
import { removeRange } from '../../core/operator/remove-range.ts';
import { requireBook } from '../require-book.ts';
import { didYouMean } from '../../core/did-you-mean.ts';
import { rangeRow } from '../../core/view/range-row.ts';
import { renderTable } from '../render/table.ts';
import { formatCount } from '../render/count.ts';
import { hostSettingLines } from '../render/host-settings.ts';
import { applyChange } from '../apply-change.ts';
import { parseCommandArgs, usageError, type Command } from '../command.ts';
import type { CliContext } from '../context.ts';
import { countOption } from '../options.ts';
import { renderJson } from '../render/json.ts';

export const rangeCommand: Command = {
  name: 'range',
  summary: 'list ranges; add or remove one for hosts OpenNebula does not manage',
  usage: `Usage: nebula-ipam range list [--pool POOL] [--json]
       nebula-ipam range add --pool POOL --size N [--ip IP] [--owner TEXT] [--json]
       nebula-ipam range remove RANGE [--force] [--json]

range list: every range, OpenNebula's and operators', one line each (id, who, pool, type,
addresses, size, used, free); --pool keeps one pool's (IPv4 or IPv6 side).

range add: registers an operator range, one oned does not know (it never reaches an AR),
placed by the rules register_address_range uses:
  --pool POOL    the pool (a name from the config)
  --size N       how many addresses
  --ip IP        the first address; without it the range is carved from the pool's free
                 space (the first free subnet of the pool's subnetPrefix, or the smallest
                 that holds N). With it, the range must lie inside the pool, clear of other
                 ranges, excluded prefixes and its subnet's network, broadcast, gateway and
                 DNS addresses
  --owner TEXT   whose block it is: \`lease --count\` takes from it only for this owner
                 (without an owner, any operator lease may use it)

range remove: removes an operator range and gives its space back to the pool.
  RANGE          the range id (see status), e.g. r7
  --force        remove it even though it still has leases (they go with it)
OpenNebula's ranges are refused: remove those with \`onevnet rmar\`.

${exitCodeHelp([[0, 'done'], [2, 'bad option'], [3, "the size can never fit the pool's subnets"], [5, "unknown pool or range, overlap, leases left, OpenNebula's range, or (list) no lease book there"], [6, 'the lease book stayed locked (another command or oned holds it)'], [255, 'the pool has no room'], ...WRITES_BOOK])}`,
  async run(args, context) {
    const [sub, ...rest] = args;
    if (sub === 'list') return list(rest, context);
    if (sub === 'add') return add(rest, context);
    if (sub === 'remove') return remove(rest, context);
    throw usageError(
      'range',
      sub === undefined
        ? 'missing list, add or remove'
        : `unknown subcommand ${JSON.stringify(sub)} (list, add or remove)${didYouMean(sub, ['list', 'add', 'remove'])}`,
    );
  },
};

async function list(args: readonly string[], context: CliContext): Promise<number> {
  const { values } = parseCommandArgs('range', args, { pool: { type: 'string' } }, { min: 0, max: 0, names: '' });
  const config = context.config();
  if (values.pool !== undefined)
    requirePool(config, values.pool, `Cannot list the ranges of pool ${shown(values.pool)}`);
  await requireBook(context);
  const book = await context.store().read();
  const rows = book.ranges
    .map((r) => rangeRow(r, config, holdsOf(book)))
    .filter(
      (r) =>
        values.pool === undefined ||
        r.pool === values.pool ||
        book.ranges.find((b) => b.id === r.id)?.pool6 === values.pool,
    );
  if (context.json) {
    context.stdout(renderJson({ ranges: rows }));
    return EXIT_CODES.ok;
  }
  if (!rows.length) {
    context.stdout(values.pool === undefined ? 'No ranges yet.\n' : `No ranges in pool ${values.pool}.\n`);
    return EXIT_CODES.ok;
  }
  context.stdout(
    renderTable(
      [
        { header: 'RANGE' },
        { header: 'BY', shrink: true },
        { header: 'POOL', shrink: true },
        { header: 'TYPE' },
        { header: 'ADDRESSES' },
        { header: 'SIZE', align: 'right' },
        { header: 'USED', align: 'right' },
        { header: 'FREE', align: 'right' },
      ],
      rows.map((r) => [
        r.id,
        r.managedBy === 'operator' ? `operator${r.owner === undefined ? '' : `:${r.owner}`}` : 'OpenNebula',
        r.pool ?? '-',
        r.type,
        r.first === r.last ? r.first : `${r.first}-${r.last}`,
        formatCount(r.size),
        formatCount(r.used),
        formatCount(r.free),
      ]),
      context.options.width,
    ),
  );
  return EXIT_CODES.ok;
}

async function add(args: readonly string[], context: CliContext): Promise<number> {
  const { values } = parseCommandArgs(
    'range',
    args,
    {
      pool: { type: 'string' },
      size: { type: 'string' },
      ip: { type: 'string' },
      owner: { type: 'string' },
    },
    { min: 0, max: 0, names: '' },
  );
  if (values.pool === undefined) throw usageError('range', 'range add needs --pool');
  if (values.size === undefined) throw usageError('range', 'range add needs --size');
  requirePool(context.config(), values.pool, `Cannot add a range to pool ${shown(values.pool)}`);
  const request = {
    pool: values.pool,
    size: countOption('range', 'size', values.size),
    ...(values.ip === undefined ? {} : { ip: values.ip }),
    ...(values.owner === undefined ? {} : { owner: operatorText(values.owner, 'owner') }),
  };
  const result = await applyChange(context, 'range add', (book, config, now) => addRange(book, config, request, now));
  if (context.json) {
    context.stdout(renderJson(result));
    return EXIT_CODES.ok;
  }
  const lines = [
    `Added range ${result.range}: ${result.addresses} (${result.size} address${result.size === 1n ? '' : 'es'}, pool ${result.pool}${result.owner === undefined ? '' : `, owner ${JSON.stringify(result.owner)}`})`,
    ...hostSettingLines(result),
  ];
  context.stdout(`${lines.join('\n')}\n`);
  return EXIT_CODES.ok;
}

async function remove(args: readonly string[], context: CliContext): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    'range',
    args,
    { force: { type: 'boolean' } },
    { min: 1, max: 1, names: 'the range id' },
  );
  const request = { id: positionals[0]!, force: values.force === true };
  const result = await applyChange(context, 'range remove', (book) => removeRange(book, request));
  if (context.json) {
    context.stdout(renderJson(result));
    return EXIT_CODES.ok;
  }
  context.stdout(
    `Removed range ${result.range} (${result.addresses})${result.leases ? ` with ${result.leases} lease${result.leases === 1 ? '' : 's'}` : ''}\n`,
  );
  return EXIT_CODES.ok;
}
