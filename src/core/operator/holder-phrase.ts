/** Who holds a lease, as the end of "it is leased to ...". */
import type { Lease } from '../book/book.ts';
import { holderText } from '../book/range-text.ts';

export function holderPhrase(lease: Lease): string {
  return lease.holder === 'operator' ? `${JSON.stringify(lease.owner ?? '?')} (operator lease)` : holderText(lease);
}
