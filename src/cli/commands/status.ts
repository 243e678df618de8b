/** `nebula-ipam status`: every pool and range, how full it is, and totals. */
import { exitCodeHelp, READS_BOOK } from '../exit-code-help.ts';
import { formatPrefix } from '../../core/address/prefix.ts';
import { bookView } from '../../core/view/book-view.ts';
import type { StoreCopy } from '../../store/store-health.ts';
import { gatherDrivers, reportFailures } from '../all-drivers.ts';
import { bookSource } from '../book-source.ts';
import { requireBook } from '../require-book.ts';
import { syncTargets } from '../sync-targets.ts';
import { parseCommandArgs, type Command } from '../command.ts';
import type { CliContext } from '../context.ts';
import { renderJson } from '../render/json.ts';
import { statusText, type StatusReport } from '../render/status-text.ts';
import { accessWarning } from '../../core/verify/access-finding.ts';
import { bookAccess } from '../book-access.ts';

export const statusCommand: Command = {
  name: 'status',
  summary: 'pools and ranges: size, carved, used, free',
  namesBookOnStderr: false,
  allDrivers: true,
  usage: `Usage: nebula-ipam status [--json] [--serializable] [--all-drivers]

Shows the lease book: each pool of the config (size, excluded, carved into ranges, free)
and each range (who manages it, pool, network, type, first address, size, used, held, free;
HELD only while some range holds an address seen in use outside the book), with a utilisation bar, then totals; IPv4 and IPv6 apart (an IP4_6 range is listed in
both, with its IPv4 subnet and with its IPv6 /64; an IP6 range with no prefix is
"link-local only"; ETHER ranges, MACs only, have their own table). Tables fit the
terminal (see --wide).

 On etcd, each endpoint's member first: its id, health (ok, no quorum,
alarm, down), leader, revision, raft index and db size.

A range "managed by OpenNebula" was registered by oned (an AR); "operator" ranges were
made with \`range add\` or \`lease\` for hosts OpenNebula does not manage.

  --json   one JSON document: { book, driver, generation, config, pools[], ranges[], totals,
           families: { ipv4, ipv6, ether: { ranges[], totals } } }, the numbers \`metrics\` exports
           (counts beyond 2^53, i.e. IPv6 pools, are decimal strings; \`totals\` adds
           both families' addresses, \`families\` keeps them apart); on etcd also
           etcd: { members[], copy? } and storage: { usedBytes, inUseBytes, quotaBytes }
           (the largest member's database against etcd's quota)
  --all-drivers   each nebula-ipam driver installed here (its own config and book), one
           after the other, each headed "Driver NAME"; --json: { drivers: [ ... ] }, one
           document each as above. A driver that fails is one stderr line, after the others
  --serializable   etcd only: read one member's own copy, even with quorum lost (the
           disaster copy), and say whose it is and how old it may be

${exitCodeHelp([[0, 'shown'], [2, 'bad option'], ...READS_BOOK])}`,
  async run(args, context) {
    const { values } = parseCommandArgs(
      'status',
      args,
      { serializable: { type: 'boolean' }, 'all-drivers': { type: 'boolean' } },
      { min: 0, max: 0, names: '' },
    );
    const all = values['all-drivers'] === true;
    const gathered = await gatherDrivers('status', context, all, (c) => gatherStatus(c, values.serializable === true));
    const reports = gathered.flatMap((entry) => ('value' in entry ? [entry.value] : []));
    if (context.json) {
      context.stdout(renderJson(all ? { drivers: reports.map(statusJson) } : statusJson(reports[0]!)));
    } else {
      const text = (r: StatusReport) => statusText(r, context.color, context.options.width);
      context.stdout(all ? reports.map((r) => `Driver ${r.driver}\n${text(r)}`).join('\n') : text(reports[0]!));
    }
    return reportFailures(context, gathered);
  },
};

/** The book, its config and, on etcd, the members' health and the database's size. */
async function gatherStatus(context: CliContext, serializable: boolean): Promise<StatusReport> {
  const config = context.config();
  const { store, copy } = await bookSource('status', context, serializable);
  await requireBook(context, store);
  // What oned would fail on is no "fine" (issue 15 item 5): said on stderr, so --json stays one document.
  for (const finding of bookAccess(context).findings) context.stderr(`${accessWarning(finding)}\n`);
  // All at once: each of the etcd calls waits up to timeoutMs for a member that does not answer.
  // space: etcd's database against the quota past which it refuses every write.
  const [book, health, space] = await Promise.all([
    store.read(),
    context.store().health?.(),
    copy ? undefined : context.store().space?.(),
  ]);
  return {
    location: context.store().description.location,
    driver: context.driver,
    generation: book.generation,
    config: config.source,
    view: bookView(book, config),
    ...(health ? { health } : {}),
    ...(copy ? { copy } : {}),
    ...(space ? { space } : {}),
    ...(config.targets.length ? { targets: syncTargets(context, config) } : {}),
  };
}

function statusJson({
  location,
  driver,
  generation,
  config,
  view,
  health,
  copy,
  space,
  targets,
}: StatusReport): object {
  return {
    book: location,
    driver,
    generation,
    config,
    pools: view.pools.map(({ pool, ...usage }) => ({
      ...{ name: pool.name, family: pool.family, network: formatPrefix(pool.network) },
      ...usage,
    })),
    ranges: view.ranges,
    totals: view.totals,
    families: view.families,
    ...(health ? { etcd: { members: health.members, ...(copy ? { copy: copyJson(copy) } : {}) } } : {}),
    ...(space ? { storage: space } : {}),
    ...(targets ? { targets } : {}),
  };
}

/** `--json`: the copy without its store. */
function copyJson(copy: StoreCopy): Omit<StoreCopy, 'store'> {
  const { store: _store, ...rest } = copy;
  return rest;
}
