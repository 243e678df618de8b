/**
 * Applies one DHCP target's plan: its puts, then its removals, each a few commands in flight at
 * once (Kea's control agent relays them to a server that runs one at a time, but the HTTP and
 * the JSON on both sides overlap: 10 000 leases take about half the time one by one would). A
 * put is told what the pass read at its address, so Kea is not asked again. A conflict (an entry
 * of somebody else's) is a failure of that entry only; any other failure (the server down, a
 * refused command) stops what is not yet sent, once what is in flight has answered, and is said
 * once: `done` tells exactly which changes Kea confirmed.
 */
import { canonicalAddress } from '../core/sync/ownership.ts';
import { DEFAULT_DHCP_LIFETIME_SECONDS } from '../config/parse-pool-sync.ts';
import { IpamError } from '../core/errors.ts';
import type { DhcpTargetPlan } from '../core/sync/sync-plan.ts';
import type { ObservedDhcpEntry } from '../core/sync/target-records.ts';
import { MAX_CONNECTIONS } from '../targets/kea/control-agent.ts';
import type { Kea } from '../targets/kea/open-kea.ts';
import { eachBounded } from './each-bounded.ts';

export interface DhcpApplied {
  readonly put: boolean[];
  readonly remove: boolean[];
}

export async function applyDhcp(
  kea: Kea,
  planned: DhcpTargetPlan,
  read: readonly ObservedDhcpEntry[],
  failed: (error: unknown) => void,
  inFlight = MAX_CONNECTIONS,
): Promise<DhcpApplied> {
  const done: DhcpApplied = { put: planned.put.map(() => false), remove: planned.remove.map(() => false) };
  const seen = new Map<string, ObservedDhcpEntry>();
  for (const entry of read) {
    const key = keyOf(entry.family, entry.address);
    // As the plan decides (plan-dhcp.ts): our own entry over a foreign one on the same address.
    if (!seen.has(key) || (entry.ours && !seen.get(key)!.ours)) seen.set(key, entry);
  }
  let stopped = false;
  const attempt = async (change: () => Promise<void>): Promise<boolean> => {
    try {
      await change();
      return true;
    } catch (error) {
      const conflict = error instanceof IpamError && error.kind === 'conflict';
      if (conflict || !stopped) failed(error);
      if (!conflict) stopped = true;
      return false;
    }
  };
  await eachBounded(
    planned.put.length,
    inFlight,
    () => stopped,
    async (i) => {
      const { host, why } = planned.put[i]!;
      const current = why === 'new' ? 'absent' : seen.get(keyOf(host.family, host.address));
      done.put[i] = await attempt(() => kea.put(host, host.lifetimeSeconds ?? DEFAULT_DHCP_LIFETIME_SECONDS, current));
    },
  );
  stopped = false;
  await eachBounded(
    planned.remove.length,
    inFlight,
    () => stopped,
    async (i) => {
      done.remove[i] = await attempt(() => kea.remove(planned.remove[i]!));
    },
  );
  return done;
}

const keyOf = (family: string, address: string) => `${family}/${canonicalAddress(address)}`;
