/** `nebula-ipam hold list|add|release`: addresses seen in use outside the book (issue 18 item 5). */
import { FAMILIES } from '../../core/address/family.ts';
import { holdsOf } from '../../core/book/holds.ts';
import { EXIT_CODES } from '../../core/exit-codes.ts';
import { holdByHand, releaseHoldAt } from '../../core/operator/hold-by-hand.ts';
import { operatorText } from '../../core/operator/operator-text.ts';
import { didYouMean } from '../../core/did-you-mean.ts';
import { applyChange } from '../apply-change.ts';
import { parseCommandArgs, usageError, type Command } from '../command.ts';
import type { CliContext } from '../context.ts';
import { exitCodeHelp, WRITES_BOOK } from '../exit-code-help.ts';
import { renderJson } from '../render/json.ts';
import { renderTable } from '../render/table.ts';
import { requireBook } from '../require-book.ts';

const SUBS = ['list', 'add', 'release'];

export const holdCommand: Command = {
  name: 'hold',
  summary: 'list, add or release holds: addresses seen in use outside the book, never handed out',
  usage: `Usage: nebula-ipam hold list [--json]
       nebula-ipam hold add ADDRESS --reason TEXT
       nebula-ipam hold release ADDRESS

A held address is never handed out (get_address, lease) and never freed because of its hold.
\`sync\` records holds for what DNS or DHCP servers show in use that the book does not know;
\`hold add\` holds one by hand; only \`hold release\` removes one.

  --reason TEXT  why the address is held (add; required)
  --json         print the holds as JSON (list)

${exitCodeHelp([[0, 'done'], [2, 'bad option'], [5, 'no hold there (release), held already or in no pool (add)'], [6, 'the lease book stayed locked (another command or oned holds it)'], ...WRITES_BOOK])}`,
  async run(args, context) {
    const [sub, ...rest] = args;
    if (sub === 'list') return list(rest, context);
    if (sub === 'add') return add(rest, context);
    if (sub === 'release') return release(rest, context);
    throw usageError(
      'hold',
      sub === undefined
        ? 'missing list, add or release'
        : `unknown subcommand ${JSON.stringify(sub)} (list, add or release)${didYouMean(sub, SUBS)}`,
    );
  },
};

async function list(args: readonly string[], context: CliContext): Promise<number> {
  parseCommandArgs('hold', args, {}, { min: 0, max: 0, names: '' });
  await requireBook(context);
  const holds = holdsOf(await context.store().read()).map((h) => ({
    address: FAMILIES[h.family].format(h.address),
    pool: h.pool,
    source: h.source,
    reason: h.reason,
    firstSeen: h.firstSeen,
    lastSeen: h.lastSeen,
  }));
  if (context.json) {
    context.stdout(renderJson({ holds }));
    return EXIT_CODES.ok;
  }
  if (!holds.length) {
    context.stdout('No holds.\n');
    return EXIT_CODES.ok;
  }
  context.stdout(
    renderTable(
      [
        { header: 'ADDRESS' },
        { header: 'POOL', shrink: true },
        { header: 'SOURCE' },
        { header: 'SINCE' },
        { header: 'LAST SEEN' },
        { header: 'REASON', shrink: true },
      ],
      holds.map((h) => [h.address, h.pool, h.source, h.firstSeen, h.lastSeen, h.reason]),
      context.options.width,
    ),
  );
  return EXIT_CODES.ok;
}

async function add(args: readonly string[], context: CliContext): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    'hold',
    args,
    { reason: { type: 'string' } },
    { min: 1, max: 1, names: 'ADDRESS' },
  );
  if (values.reason === undefined) throw usageError('hold', 'hold add needs --reason TEXT');
  const reason = operatorText(values.reason, 'reason');
  const hold = await applyChange(
    context,
    'hold',
    (book, config, now) => holdByHand(book, config, positionals[0]!, reason, now),
    { addresses: positionals[0]! },
  );
  context.stdout(`Held ${FAMILIES[hold.family].format(hold.address)} in pool ${hold.pool}: ${hold.reason}\n`);
  return EXIT_CODES.ok;
}

async function release(args: readonly string[], context: CliContext): Promise<number> {
  const { positionals } = parseCommandArgs('hold', args, {}, { min: 1, max: 1, names: 'ADDRESS' });
  const hold = await applyChange(context, 'hold-release', (book) => releaseHoldAt(book, positionals[0]!), {
    addresses: positionals[0]!,
  });
  context.stdout(
    `Released the hold on ${FAMILIES[hold.family].format(hold.address)} (${hold.source}: ${hold.reason}); it may be handed out again\n`,
  );
  return EXIT_CODES.ok;
}
