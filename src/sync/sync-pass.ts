/**
 * One level-triggered sync pass: read the book, read what every target really holds, plan
 * purely (`core/sync/plan.ts`), apply only what is nebula-ipam's, and hold the addresses seen in
 * use outside the book. A target that cannot be read or written is a failure of this pass for
 * that target only: its records wait for the next pass, every other target goes on. Nothing here
 * runs on a driver action's path.
 */
import type { Config } from '../core/config/config.ts';
import type { SeenInUse } from '../core/book/holds.ts';
import { type ErrorKind, IpamError } from '../core/errors.ts';
import { type DesiredState, desiredState } from '../core/sync/desired-state.ts';
import { vmFacts } from '../core/book/vms.ts';
import { plan } from '../core/sync/plan.ts';
import { withProbeHolds } from '../core/sync/probe-answers.ts';
import type { Observed, SyncPlan } from '../core/sync/sync-plan.ts';
import type { PassOutcomes } from '../core/sync/tally-after.ts';
import type { DhcpMode } from '../core/sync/target-health.ts';
import type { LeaseStore } from '../store/store.ts';
import { syncTargets } from '../core/sync/sync-targets.ts';
import { readZone } from '../targets/dns/index.ts';
import { applyPlan } from './apply-plan.ts';
import { probeFreeAddresses } from './probe.ts';
import type { TargetClients } from './target-clients.ts';

export interface PassOptions {
  /** Plan only: nothing is sent, nothing is held. */
  readonly dryRun: boolean;
  readonly now: () => number;
  /** Writes the holds (an audited change of the caller's); returns how many changed the book. */
  readonly hold: (seen: readonly SeenInUse[]) => Promise<number>;
  /** Told what the pass read, planned and applied (sync --follow's next change pass starts from it). */
  readonly remember?: (pass: PassMemory) => void;
}

export interface PassMemory {
  readonly generation: number;
  readonly desired: DesiredState;
  readonly observed: Observed;
  readonly planned: SyncPlan;
  readonly outcomes: PassOutcomes;
}

/** A target (or one zone of it) this pass could not read or change, in one line. */
export interface TargetFailure {
  /** A target's name, or (`observer`) a source of `observe`, in parentheses so that no target has its name. */
  readonly target: string;
  /** A source of `observe` (oned's VM pool): its message is the whole line. */
  readonly observer?: true;
  readonly zone?: string;
  /** The error's kind (exit-codes.ts): `config` for a refused key, `store-io` for a server down. */
  readonly kind: ErrorKind;
  readonly message: string;
}

export interface PassReport {
  /** The generation of the book planned from. */
  readonly generation: number;
  readonly plan: SyncPlan;
  readonly dryRun: boolean;
  /** Per DHCP target read: the mode its server allows (leases or reservations). */
  readonly dhcpModes: Readonly<Record<string, DhcpMode>>;
  /** What each target said to each planned change (nothing on a dry run): what tallyAfter counts from. */
  readonly outcomes: PassOutcomes;
  readonly failures: readonly TargetFailure[];
  /** Addresses newly held or seen again (0 on a dry run). */
  readonly held: number;
  readonly startedAt: number;
  readonly finishedAt: number;
}

/** A failure in the report's words: its kind (exit-codes.ts) and its one line. */
export function targetFailure(
  target: string,
  zone: string | undefined,
  error: unknown,
  observer?: true,
): TargetFailure {
  return {
    target,
    ...(observer ? { observer } : {}),
    ...(zone === undefined ? {} : { zone }),
    kind: error instanceof IpamError ? error.kind : 'internal',
    message: error instanceof Error ? error.message : String(error),
  };
}

export async function syncPass(
  store: LeaseStore,
  config: Config,
  clients: TargetClients,
  options: PassOptions,
): Promise<PassReport> {
  const startedAt = options.now();
  const book = await store.read();
  const failures: TargetFailure[] = [];
  const failed = (target: string, zone: string | undefined, error: unknown, observer?: true) =>
    failures.push(targetFailure(target, zone, error, observer));

  // A dry run sends nothing, probes included; the probe runs while the targets are read and changed.
  const probing = options.dryRun ? undefined : probeFreeAddresses(book, config, options.now);
  // Every target is read at once: one slow server delays the pass by its own timeout only. The
  // reads start before the desired state is worked out (the config alone names what to read), so
  // the servers answer while this process computes it (over 10 000 leases, ~0.4 s of the pass).
  const targets = syncTargets(config);
  const guestsRead = clients.guests?.().catch((error: unknown) => {
    failed('(oned)', undefined, error, true);
    return undefined;
  });
  const zonesRead = Promise.all(
    targets.zones.map(async ({ target, zone }) => {
      try {
        return { target, zone, records: await readZone(clients.dns(target), zone) };
      } catch (error) {
        failed(target, zone, error);
        return undefined;
      }
    }),
  );
  const dhcpModes: Record<string, DhcpMode> = {};
  const dhcpRead = Promise.all(
    targets.dhcp.map(async (target) => {
      try {
        const entries = await clients.kea(target).read();
        // Asked once per client, by read() already: this is its answer again.
        dhcpModes[target] = await clients.kea(target).mode();
        return { target, entries };
      } catch (error) {
        failed(target, undefined, error);
        return undefined;
      }
    }),
  );
  // Worked out once the zones are in: until then Kea's pages, each sent when the last is answered,
  // go out between the transfer's chunks; this synchronous work would hold them back.
  const zones = await zonesRead;
  // {vm} in name patterns: the VMs the hooks recorded (nebula-ipam hook).
  const desired = desiredState(book, config, { vms: vmFacts(book) });
  const [dhcp, guests] = await Promise.all([dhcpRead, guestsRead]);
  const observed: Observed = {
    zones: zones.filter((z) => z !== undefined),
    dhcp: dhcp.filter((d) => d !== undefined),
    ...(guests === undefined ? {} : { guests }),
  };
  const planned = plan(desired, observed, options.now());
  const report = {
    generation: book.generation,
    plan: planned,
    dryRun: options.dryRun,
    dhcpModes,
    failures,
    startedAt,
  };
  if (options.dryRun) return { ...report, outcomes: { dns: {}, dhcp: {} }, held: 0, finishedAt: options.now() };

  const outcomes = await applyPlan(planned, observed, clients, (target, error) => failed(target, undefined, error));
  options.remember?.({ generation: book.generation, desired, observed, planned, outcomes });

  // Awaited only now: candidates that stay silent (most) never delay a record.
  const withProbes = withProbeHolds(planned, (await probing) ?? [], options.now());
  const held = withProbes.holds.length > 0 ? await options.hold(withProbes.holds) : 0;
  return {
    ...report,
    plan: withProbes,
    outcomes,
    held,
    finishedAt: options.now(),
  };
}
