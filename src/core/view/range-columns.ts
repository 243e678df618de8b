/**
 * The columns a range has in every view (`show`'s range rows, `status`'s family rows), written
 * once so the two never tell a range apart differently.
 */
import { FAMILIES, type Family } from '../address/family.ts';
import { formatPrefix } from '../address/prefix.ts';
import type { RangeRecord } from '../book/book.ts';
import type { Config } from '../config/config.ts';
import { rangeSubnet } from '../engine/range-subnet.ts';

export interface RangeKind {
  /** `opennebula` for ranges oned registered, `operator` for `range add` / `lease` ones. */
  readonly managedBy: 'opennebula' | 'operator';
  readonly owner?: string;
  readonly type: string;
}

export function rangeKind(range: RangeRecord): RangeKind {
  return {
    managedBy: range.unmanaged ? 'operator' : 'opennebula',
    ...(range.owner === undefined ? {} : { owner: range.owner }),
    type: range.type,
  };
}

/** The configured subnet of `family` the range sits in. */
export function subnetText(range: RangeRecord, config: Config, family: Family): string | undefined {
  const placed = rangeSubnet(range, config, family);
  return placed && formatPrefix(placed.subnet);
}

/** The /64 its SLAAC addresses are made under, when it has a global prefix. */
export function slaacPrefixText(range: RangeRecord): string | undefined {
  return range.globalPrefix === undefined ? undefined : `${FAMILIES.ipv6.format(range.globalPrefix)}/64`;
}
