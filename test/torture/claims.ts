/**
 * Who was told they hold which address, and when, as seen from outside the driver processes.
 *
 * A process commits somewhere between its spawn and its exit, so a claim is known only to an
 * interval. Two claims on one address are a DEFINITE duplicate when no ordering of commits could
 * have put a release of the first before the second: the first holder had not started freeing it
 * by the time the second grant returned. When the first holder's free was in flight, the order
 * cannot be told from outside; that case is counted as ambiguous (and the final book still has to
 * match the claims exactly, which catches a lost update on either side).
 */

export interface Window {
  readonly start: number;
  readonly end: number;
}

export interface Duplicate {
  readonly address: number;
  readonly holder: string;
  readonly claimant: string;
}

interface Claim {
  readonly holder: string;
  readonly granted: Window;
  /** When the holder started releasing it; undefined while it holds it quietly. */
  releasing?: number;
  /** A killed release: the address may or may not still be leased in the book. */
  uncertain?: boolean;
}

export class ClaimLedger {
  private readonly claims = new Map<number, Claim[]>();
  readonly duplicates: Duplicate[] = [];
  ambiguous = 0;

  /** `holder` was told (exit 0) it holds `addresses`; returns the definite duplicates it makes. */
  grant(holder: string, addresses: readonly number[], granted: Window): Duplicate[] {
    const found: Duplicate[] = [];
    for (const address of addresses) {
      const list = this.claims.get(address) ?? [];
      for (const other of list) {
        if (other.uncertain) continue;
        if (other.releasing === undefined || other.releasing > granted.end) {
          found.push({ address, holder: other.holder, claimant: holder });
        } else {
          this.ambiguous++;
        }
      }
      list.push({ holder, granted });
      this.claims.set(address, list);
    }
    this.duplicates.push(...found);
    return found;
  }

  releasing(holder: string, addresses: readonly number[], at: number): void {
    for (const claim of this.mine(holder, addresses)) claim.releasing = at;
  }

  /** The release failed cleanly: the holder still holds them. */
  kept(holder: string, addresses: readonly number[]): void {
    for (const claim of this.mine(holder, addresses)) delete claim.releasing;
  }

  /** The release was acknowledged. */
  released(holder: string, addresses: readonly number[]): void {
    for (const address of addresses) {
      const list = (this.claims.get(address) ?? []).filter((c) => c.holder !== holder);
      if (list.length) this.claims.set(address, list);
      else this.claims.delete(address);
    }
  }

  /** The release was killed: whether it landed is for the book to say. */
  unsure(holder: string, addresses: readonly number[]): void {
    for (const claim of this.mine(holder, addresses)) claim.uncertain = true;
  }

  /** Addresses someone certainly holds, with the number of holders (more than one is a duplicate). */
  certain(): Map<number, number> {
    const held = new Map<number, number>();
    for (const [address, list] of this.claims) {
      const n = list.filter((c) => !c.uncertain).length;
      if (n) held.set(address, n);
    }
    return held;
  }

  /** Addresses someone was certainly told they hold that the final book does not lease: lost leases. */
  lostFrom(leased: { has(address: number): boolean }): number[] {
    return [...this.certain().keys()].filter((address) => !leased.has(address));
  }

  isUncertain(address: number): boolean {
    return (this.claims.get(address) ?? []).some((c) => c.uncertain);
  }

  heldBy(holder: string): number[] {
    const mine: number[] = [];
    for (const [address, list] of this.claims)
      if (list.some((c) => c.holder === holder && !c.uncertain)) mine.push(address);
    return mine;
  }

  private mine(holder: string, addresses: readonly number[]): Claim[] {
    return addresses.flatMap((address) => (this.claims.get(address) ?? []).filter((c) => c.holder === holder));
  }
}
