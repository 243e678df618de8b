/**
 * Sends a plan to its targets, all at once (a slow target delays only its own changes), and
 * says what each target answered, in the plan's order: DNS updates in batches per zone
 * (applyUpdates), DHCP changes a few at a time (applyDhcp). A target that fails is `failed`
 * once; what it answered before stays known.
 */
import type { Observed, SyncPlan } from '../core/sync/sync-plan.ts';
import type { PassOutcomes } from '../core/sync/tally-after.ts';
import type { DnsUpdateOutcome } from '../core/sync/target-records.ts';
import { applyUpdates } from '../targets/dns/index.ts';
import { applyDhcp, type DhcpApplied } from './apply-dhcp.ts';
import type { TargetClients } from './target-clients.ts';

export async function applyPlan(
  planned: SyncPlan,
  observed: Observed,
  clients: TargetClients,
  failed: (target: string, error: unknown) => void,
): Promise<PassOutcomes> {
  const dns: Record<string, readonly DnsUpdateOutcome[]> = {};
  const dhcp: Record<string, DhcpApplied> = {};
  await Promise.all([
    ...planned.dns
      .filter(({ updates }) => updates.length > 0)
      .map(async ({ target, updates }) => {
        // Kept as the server answers: when it fails partway, what it answered stays known.
        const said: DnsUpdateOutcome[] = [];
        dns[target] = said;
        try {
          await applyUpdates(clients.dns(target), updates, { onOutcome: (index, outcome) => (said[index] = outcome) });
        } catch (error) {
          failed(target, error);
        }
      }),
    ...planned.dhcp.map(async (target) => {
      const read = observed.dhcp.find((d) => d.target === target.target)?.entries ?? [];
      dhcp[target.target] = await applyDhcp(clients.kea(target.target), target, read, (error) =>
        failed(target.target, error),
      );
    }),
  ]);
  return { dns, dhcp };
}
