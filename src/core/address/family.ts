/** The two IP families, with what differs between them in one place. */
import type { Interval } from '../intervals/interval.ts';
import { formatIPv4, IPV4_BITS, parseIPv4 } from './ipv4.ts';
import { formatIPv6, IPV6_BITS, parseIPv6 } from './ipv6.ts';

export type Family = 'ipv4' | 'ipv6';

export interface FamilyOps {
  readonly bits: number;
  readonly max: bigint;
  parse(text: string): bigint | undefined;
  format(value: bigint): string;
}

export const FAMILIES: Readonly<Record<Family, FamilyOps>> = {
  ipv4: { bits: IPV4_BITS, max: (1n << 32n) - 1n, parse: parseIPv4, format: formatIPv4 },
  ipv6: { bits: IPV6_BITS, max: (1n << 128n) - 1n, parse: parseIPv6, format: formatIPv6 },
};

export function familyOf(text: string): Family | undefined {
  if (parseIPv4(text) !== undefined) return 'ipv4';
  if (parseIPv6(text) !== undefined) return 'ipv6';
  return undefined;
}

/** `10.0.0.5`, or `10.0.0.5-10.0.0.9` for more than one address. */
export function formatSpan(family: Family, span: Interval): string {
  const { format } = FAMILIES[family];
  return span.first === span.last ? format(span.first) : `${format(span.first)}-${format(span.last)}`;
}
