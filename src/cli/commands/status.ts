/** `nebula-ipam status`: every pool and range, how full it is, and totals. */
import { formatPrefix } from '../../address/prefix.ts';
import { EXIT_CODES } from '../../exit-codes.ts';
import { poolUsage } from '../../operator/usage.ts';
import { parseCommandArgs, type Command } from '../command.ts';
import { utilisationBar } from '../render/bar.ts';
import { formatCount } from '../render/count.ts';
import { renderJson } from '../render/json.ts';
import { rangeRow } from '../render/range-row.ts';
import { renderTable } from '../render/table.ts';

export const statusCommand: Command = {
  name: 'status',
  summary: 'pools and ranges: size, carved, used, free',
  usage: `Usage: nebula-ipam status [--json]

Shows the lease book: each pool of the config (size, excluded, carved into ranges, free)
and each range (who manages it, pool, network, type, first address, size, used, free),
with a utilisation bar, then totals.

A range "managed by OpenNebula" was registered by oned (an AR); "operator" ranges were
made with \`range add\` or \`lease\` for hosts OpenNebula does not manage.

  --json   one JSON document: { book, generation, config, pools[], ranges[], totals }
           (counts beyond 2^53, i.e. IPv6 pools, are decimal strings)
`,
  async run(args, context) {
    parseCommandArgs('status', args, {}, { min: 0, max: 0, names: '' });
    const config = context.config();
    const book = await context.store().read();
    const pools = poolUsage(book, config);
    const ranges = book.ranges.map((r) => rangeRow(r, config));
    const totals = {
      ranges: ranges.length,
      size: ranges.reduce((n, r) => n + r.size, 0n),
      used: ranges.reduce((n, r) => n + r.used, 0n),
      free: ranges.reduce((n, r) => n + r.free, 0n),
    };
    if (context.json) {
      context.stdout(renderJson({
        book: context.store().description.location,
        generation: book.generation,
        config: config.source,
        pools: pools.map((p) => ({ name: p.pool.name, family: p.pool.family, network: formatPrefix(p.pool.network), size: p.size, excluded: p.excluded, carved: p.carved, free: p.free, ranges: p.ranges })),
        ranges,
        totals,
      }));
      return EXIT_CODES.ok;
    }
    let out = `Lease book ${context.store().description.location} (generation ${book.generation}); config ${config.source}\n\n`;
    if (pools.length) {
      out += renderTable(
        [{ header: 'POOL' }, { header: 'NETWORK' }, { header: 'SIZE', align: 'right' }, { header: 'EXCLUDED', align: 'right' }, { header: 'CARVED', align: 'right' }, { header: 'FREE', align: 'right' }, { header: 'RANGES', align: 'right' }, { header: 'UTILISATION' }],
        pools.map((p) => [p.pool.name, formatPrefix(p.pool.network), formatCount(p.size), formatCount(p.excluded), formatCount(p.carved), formatCount(p.free), String(p.ranges), utilisationBar(p.carved, p.size - p.excluded, context.color)]),
      );
    } else {
      out += 'No pools configured: ranges are registered only with explicit addresses.\n';
    }
    out += '\n';
    if (ranges.length) {
      out += renderTable(
        [{ header: 'RANGE' }, { header: 'BY' }, { header: 'POOL' }, { header: 'NETWORK' }, { header: 'TYPE' }, { header: 'FIRST' }, { header: 'SIZE', align: 'right' }, { header: 'USED', align: 'right' }, { header: 'FREE', align: 'right' }, { header: 'UTILISATION' }],
        [
          ...ranges.map((r) => [r.id, r.managedBy === 'operator' ? `operator${r.owner === undefined ? '' : `:${r.owner}`}` : 'OpenNebula', r.pool ?? '-', r.network ?? '-', r.type, r.first, formatCount(r.size), formatCount(r.used), formatCount(r.free), utilisationBar(r.used, r.size, context.color)]),
          ['total', '', '', '', '', '', formatCount(totals.size), formatCount(totals.used), formatCount(totals.free), utilisationBar(totals.used, totals.size, context.color)],
        ],
      );
    } else {
      out += 'No ranges yet.\n';
    }
    context.stdout(out);
    return EXIT_CODES.ok;
  },
};
