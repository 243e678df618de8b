/** The subnet a range sits in and its pool, which give a host its netmask, gateway and DNS. */
import type { Family } from '../address/family.ts';
import { enclosingPrefix, prefixInterval, type Prefix } from '../address/prefix.ts';
import type { RangeRecord } from '../book/book.ts';
import { span4, span6 } from '../book/footprint.ts';
import { poolNamed, type Config, type Pool } from '../config/config.ts';
import { subnetAround } from './subnet-around.ts';

export interface RangeSubnet {
  readonly pool: Pool;
  readonly subnet: Prefix;
}

/**
 * A carved range's block is its subnet; an explicit range lives in the pool subnet around it
 * (the rule register used to check it). Undefined for a range outside every configured pool.
 */
export function rangeSubnet(range: RangeRecord, config: Config, family: Family): RangeSubnet | undefined {
  const poolName = family === 'ipv4' ? range.pool : range.pool6;
  const pool = poolName === undefined ? undefined : poolNamed(config, poolName);
  if (!pool || pool.family !== family) return undefined;
  const block = family === 'ipv4' ? range.block : range.block6;
  const span = (family === 'ipv4' ? span4(range) : span6(range)) ?? block;
  // A carved block is a whole subnet, larger than the range (it has at least a network
  // address); an explicit range's block is just its own addresses.
  if (block && span && (block.first !== span.first || block.last !== span.last)) {
    const prefix = enclosingPrefix(family, block);
    const whole = prefixInterval(prefix);
    if (whole.first === block.first && whole.last === block.last) return { pool, subnet: prefix };
  }
  return span ? { pool, subnet: subnetAround(pool, span) } : undefined;
}
