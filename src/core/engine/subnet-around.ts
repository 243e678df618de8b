/** The subnet an explicit span of addresses lives in, which decides its network, gateway and broadcast. */
import { FAMILIES } from '../address/family.ts';
import { prefixInterval, type Prefix } from '../address/prefix.ts';
import type { Pool } from '../config/config.ts';
import { covers, type Interval } from '../intervals/interval.ts';

/** The pool's subnet of `subnetPrefix` bits that holds the whole span, else the pool's network. */
export function subnetAround(pool: Pool, span: Interval): Prefix {
  if (pool.subnetPrefix !== undefined) {
    const blockSize = 1n << BigInt(FAMILIES[pool.family].bits - pool.subnetPrefix);
    const candidate: Prefix = { family: pool.family, base: span.first & ~(blockSize - 1n), length: pool.subnetPrefix };
    if (covers(prefixInterval(candidate), span)) return candidate;
  }
  return pool.network;
}
