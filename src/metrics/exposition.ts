/**
 * The lease book's numbers in Prometheus' text exposition format (version 0.0.4), for
 * node_exporter's textfile collector: pool and range utilisation per family, leases per holder,
 * and the book's generation. Pure: the command gathers, this renders. The same numbers are in
 * `status --json`.
 */
import { formatPrefix } from '../core/address/prefix.ts';
import type { PoolUsage } from '../core/operator/usage.ts';
import type { BookView } from '../core/view/book-view.ts';
import { VIEW_FAMILIES, type FamilyRangeRow } from '../core/view/family-rows.ts';
import type { StoreSpace } from '../store/store.ts';
import type { TargetHealth } from '../core/sync/target-health.ts';

export interface MetricsInput {
  readonly driver: string;
  readonly generation: number;
  /** Ranges per view family: an IP4_6 range appears once for IPv4 and once for IPv6. */
  readonly view: BookView;
  /** etcd: its database against the quota. */
  readonly space?: StoreSpace;
  /** Unix seconds of this run, written as the last success. */
  readonly now: number;
  /** The config's sync targets as the last pass of this front-end left them (none: no targets). */
  readonly targets?: readonly TargetHealth[];
}

/** A driver whose book could not be read this run: `up 0`, and the last success its file kept. */
export interface DownDriver {
  readonly driver: string;
  readonly down: true;
  readonly lastSuccess?: number;
}

export const LAST_SUCCESS = 'nebula_ipam_last_success_timestamp_seconds';

type Labels = Readonly<Record<string, string>>;

interface Family {
  readonly name: string;
  readonly help: string;
  readonly samples: { labels: Labels; value: bigint | number }[];
}

/**
 * One exposition for one or several drivers' books (`metrics --all-drivers`): each metric
 * family once, with every driver's samples (the format allows a family only once).
 */
export function metricsText(books: readonly (MetricsInput | DownDriver)[]): string {
  const merged = new Map<string, Family>();
  for (const book of books) {
    const families = 'down' in book ? upFamilies(book.driver, false, book.lastSuccess) : bookFamilies(book);
    for (const family of families) {
      const seen = merged.get(family.name);
      if (seen) seen.samples.push(...family.samples);
      else merged.set(family.name, { ...family, samples: [...family.samples] });
    }
  }
  return render([...merged.values()].filter((family) => family.samples.length));
}

function bookFamilies(input: MetricsInput): Family[] {
  const { pools } = input.view;
  const ranges = VIEW_FAMILIES.flatMap((family) => input.view.families[family].ranges);
  const base = { driver: input.driver };
  const poolLabels = (p: PoolUsage): Labels => ({
    ...base,
    pool: p.pool.name,
    family: p.pool.family,
    network: formatPrefix(p.pool.network),
  });
  const rangeLabels = (r: FamilyRangeRow): Labels => ({
    ...base,
    range: r.id,
    family: r.family,
    pool: r.pool ?? '',
    type: r.type,
    managed_by: r.managedBy,
    network: r.network ?? '',
  });
  const families: Family[] = [
    {
      name: 'nebula_ipam_book_generation',
      help: 'Generation of the lease book (bumped by every change).',
      samples: [{ labels: base, value: input.generation }],
    },
    {
      name: 'nebula_ipam_pool_size_addresses',
      help: "Addresses in the pool's network.",
      samples: pools.map((p) => ({ labels: poolLabels(p), value: p.size })),
    },
    {
      name: 'nebula_ipam_pool_excluded_addresses',
      help: 'Addresses of the pool excluded by the config.',
      samples: pools.map((p) => ({ labels: poolLabels(p), value: p.excluded })),
    },
    {
      name: 'nebula_ipam_pool_carved_addresses',
      help: 'Addresses of the pool taken by ranges.',
      samples: pools.map((p) => ({ labels: poolLabels(p), value: p.carved })),
    },
    {
      name: 'nebula_ipam_pool_free_addresses',
      help: 'Addresses of the pool neither excluded nor carved.',
      samples: pools.map((p) => ({ labels: poolLabels(p), value: p.free })),
    },
    {
      name: 'nebula_ipam_pool_utilisation_ratio',
      help: "Carved share of the pool's usable (not excluded) addresses, 0 to 1.",
      samples: pools.map((p) => ({ labels: poolLabels(p), value: ratio(p.carved, p.size - p.excluded) })),
    },
    {
      name: 'nebula_ipam_pool_ranges',
      help: 'Ranges in the pool.',
      samples: pools.map((p) => ({ labels: poolLabels(p), value: p.ranges })),
    },
    {
      name: 'nebula_ipam_held_addresses',
      help: 'Addresses of the pool held: seen in use outside the book, never handed out (nebula-ipam hold list).',
      samples: pools.map((p) => ({ labels: poolLabels(p), value: p.held })),
    },
    {
      name: 'nebula_ipam_range_size_addresses',
      help: 'Addresses in the range.',
      samples: ranges.map((r) => ({ labels: rangeLabels(r), value: r.size })),
    },
    {
      name: 'nebula_ipam_range_used_addresses',
      help: 'Leased addresses of the range, by holder (opennebula or operator).',
      samples: ranges.flatMap((r) => [
        { labels: { ...rangeLabels(r), holder: 'opennebula' }, value: r.byOpenNebula },
        { labels: { ...rangeLabels(r), holder: 'operator' }, value: r.byOperators },
      ]),
    },
    {
      name: 'nebula_ipam_range_held_addresses',
      help: 'Addresses of the range held (seen in use outside the book), not leased: never handed out, not free.',
      samples: ranges.map((r) => ({ labels: rangeLabels(r), value: r.held })),
    },
    {
      name: 'nebula_ipam_range_free_addresses',
      help: 'Addresses of the range that can still be leased (neither leased, kept out by the pool nor held).',
      samples: ranges.map((r) => ({ labels: rangeLabels(r), value: r.free })),
    },
    {
      name: 'nebula_ipam_range_utilisation_ratio',
      help: 'Leased share of the range, 0 to 1.',
      samples: ranges.map((r) => ({ labels: rangeLabels(r), value: ratio(r.used, r.size) })),
    },
    ...spaceFamilies(base, input.space),
    ...targetFamilies(base, input.targets ?? []),
  ];
  return [...upFamilies(input.driver, true, input.now), ...families];
}

/**
 * `nebula_ipam_up` (1: these numbers are of this run; 0: the last run failed) and the time of
 * the last success, which an alert on staleness compares with `time()`.
 */
function upFamilies(driver: string, up: boolean, lastSuccess: number | undefined): Family[] {
  const base = { driver };
  return [
    {
      name: 'nebula_ipam_up',
      help: 'Whether the last metrics run read the lease book (1) or failed (0).',
      samples: [{ labels: base, value: up ? 1 : 0 }],
    },
    ...(lastSuccess === undefined
      ? []
      : [
          {
            name: LAST_SUCCESS,
            help: 'Unix time of the last metrics run that read the lease book.',
            samples: [{ labels: base, value: lastSuccess }],
          },
        ]),
  ];
}

function render(families: readonly Family[]): string {
  return `${families.map((f) => [`# HELP ${f.name} ${f.help}`, `# TYPE ${f.name} gauge`, ...f.samples.map((s) => `${f.name}{${labelText(s.labels)}} ${valueText(s.value)}`)].join('\n')).join('\n')}\n`;
}

/** Per sync target (issue 18 item 7): records by state, whether it answered, its last success. */
function targetFamilies(base: Labels, targets: readonly TargetHealth[]): Family[] {
  const seen = targets.filter((t) => t.state !== undefined);
  const labels = (t: TargetHealth): Labels => ({ ...base, target: t.target, kind: t.kind });
  const states = ['desired', 'inPlace', 'pending', 'conflicting', 'unverified'] as const;
  const stateLabel = {
    desired: 'desired',
    inPlace: 'in_place',
    pending: 'pending',
    conflicting: 'conflicting',
    unverified: 'unverified',
  };
  return [
    {
      name: 'nebula_ipam_sync_records',
      help: 'Records (DNS) or hosts (DHCP) of a sync target by state, as the last sync pass of this front-end found them (unverified: on a zone or target not read; desired is the sum of the others).',
      samples: seen.flatMap((t) =>
        states.map((state) => ({ labels: { ...labels(t), state: stateLabel[state] }, value: t.state![state] })),
      ),
    },
    {
      name: 'nebula_ipam_sync_target_up',
      help: 'Whether the last sync pass read and changed the target without a failure (1) or not (0).',
      samples: targets.map((t) => ({ labels: labels(t), value: t.state?.answered ? 1 : 0 })),
    },
    {
      name: 'nebula_ipam_sync_target_down_since_timestamp_seconds',
      help: 'Unix time of the first of the sync passes in a row that found the target not answering.',
      samples: seen
        .filter((t) => !t.state!.answered && t.state!.downSince !== undefined)
        .map((t) => ({ labels: labels(t), value: Math.floor(Date.parse(t.state!.downSince!) / 1000) })),
    },
    {
      name: 'nebula_ipam_sync_last_success_timestamp_seconds',
      help: 'Unix time of the last sync pass that found the target answering and wrote all it had to.',
      samples: seen
        .filter((t) => t.state!.lastSuccess !== undefined)
        .map((t) => ({ labels: labels(t), value: Math.floor(Date.parse(t.state!.lastSuccess!) / 1000) })),
    },
  ];
}

function spaceFamilies(base: Labels, space: StoreSpace | undefined): Family[] {
  if (!space) return [];
  const family = (name: string, help: string, value: number | undefined): Family[] =>
    value === undefined ? [] : [{ name, help, samples: [{ labels: base, value }] }];
  return [
    ...family('nebula_ipam_store_used_bytes', "Size of etcd's database on disk.", space.usedBytes),
    ...family(
      'nebula_ipam_store_in_use_bytes',
      "Part of etcd's database in use (the rest is reused, or given back by a defrag).",
      space.inUseBytes,
    ),
    ...family(
      'nebula_ipam_store_quota_bytes',
      "etcd's --quota-backend-bytes: past it etcd refuses every write.",
      space.quotaBytes,
    ),
  ];
}

function ratio(part: bigint, whole: bigint): number {
  return whole <= 0n ? 0 : Number((part * 1_000_000n) / whole) / 1_000_000;
}

/** Exposition escaping: backslash, double quote and line feed. */
function labelText(labels: Labels): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`)
    .join(',');
}

/** Integers exactly; counts past 2^53 (IPv6) as the float Prometheus stores anyway. */
function valueText(value: bigint | number): string {
  if (typeof value === 'number') return String(value);
  return value <= BigInt(Number.MAX_SAFE_INTEGER) ? value.toString() : Number(value).toExponential();
}
