/**
 * How far behind each target is (issue 18 item 7), from the state the last sync pass of this
 * front-end left (`src/sync/sync-state.ts`) and the time now: for `status`, `metrics` and
 * `verify --targets`. Pure.
 */
import type { TargetTally } from './sync-plan.ts';

/**
 * How a DHCP target is kept: Kea leases (the lease_cmds hook: added with a lifetime, renewed by
 * each pass) or host reservations (host_cmds: no expiry, per-host options), as the server allows.
 */
export type DhcpMode = 'leases' | 'reservations';

const DHCP_MODE_TEXT: Readonly<Record<DhcpMode, string>> = {
  leases: 'Kea leases (lease_cmds)',
  reservations: 'Kea reservations (host_cmds)',
};

/** One target as the last pass left it. */
export interface TargetState extends TargetTally {
  /** A DHCP target: the mode the last pass that reached it found. */
  readonly dhcpMode?: DhcpMode;
  /** Whether that pass read (and, with work to do, changed) the target without a failure. */
  readonly answered: boolean;
  /** ISO time of the last pass that found the target answering and wrote all it had to. */
  readonly lastSuccess?: string;
  /** That pass's failure, in one line. */
  readonly lastError?: string;
  /** Not answering (down, or failing): ISO time of the first of the passes in a row that found it so. */
  readonly downSince?: string;
}

/** What the last pass left. */
export interface SyncState {
  /** ISO time the pass finished. */
  readonly passAt: string;
  readonly targets: readonly TargetState[];
  readonly conflicts: number;
  readonly holds: number;
}

export interface TargetHealth {
  readonly target: string;
  readonly kind: TargetTally['kind'] | 'unknown';
  /** Absent: no pass of this front-end has seen the target yet. */
  readonly state?: TargetState;
  /** Seconds since the last success; absent when there was none. */
  readonly ageSeconds?: number;
  /**
   * Behind for longer than allowed: no success for `maxAgeSeconds` while records were pending
   * or the target did not answer, or never a success at all.
   */
  readonly drifting: boolean;
}

/** Five passes of `sync --follow`'s full minute: past that, records still pending are drift. */
export const DEFAULT_MAX_AGE_SECONDS = 300;

/** Every target of the config, in the config's order, as `state` (maybe none) saw it. */
export function targetHealth(
  targets: readonly { readonly name: string }[],
  state: SyncState | undefined,
  nowMs: number,
  maxAgeSeconds: number,
): TargetHealth[] {
  return targets.map(({ name }) => {
    const seen = state?.targets.filter((t) => t.target === name) ?? [];
    if (seen.length === 0) return { target: name, kind: 'unknown', drifting: true };
    // A target serving zones and DHCP at once is one entry per kind; the worse one speaks.
    const worst = seen.find((t) => !t.answered || t.pending > 0) ?? seen[0]!;
    const success = worst.lastSuccess === undefined ? undefined : Date.parse(worst.lastSuccess);
    const ageSeconds = success === undefined ? undefined : Math.max(0, Math.floor((nowMs - success) / 1000));
    const behind = !worst.answered || worst.pending > 0;
    const drifting = ageSeconds === undefined || (behind && ageSeconds > maxAgeSeconds);
    return {
      target: name,
      kind: worst.kind,
      state: worst,
      ...(ageSeconds === undefined ? {} : { ageSeconds }),
      drifting,
    };
  });
}

/** One line per target, for `status` and `verify --targets`. */
export function targetHealthLine(health: TargetHealth): string {
  const { state } = health;
  if (!state) return `${health.target}: no sync pass has reached it yet (run nebula-ipam sync)`;
  // Records of a zone not read are unverified, not pending: nobody knows whether they are there.
  const unverified = state.unverified > 0 ? `, ${state.unverified} unverified` : '';
  const counts = `${state.desired} desired, ${state.inPlace} in place, ${state.pending} pending, ${state.conflicting} conflicting${unverified}`;
  const last =
    health.ageSeconds === undefined
      ? 'never in step'
      : `last success ${state.lastSuccess} (${ageText(health.ageSeconds)} ago)`;
  // Down: not read at all; failing: read, but a change failed (a refused lease, a dropped connection).
  const since = state.downSince === undefined ? '' : ` since ${state.downSince}`;
  const answer = state.answered
    ? 'answering'
    : `${state.read ? 'failing' : 'down'}${since}: ${state.lastError ?? 'not read'}`;
  const mode = state.dhcpMode === undefined ? '' : `, ${DHCP_MODE_TEXT[state.dhcpMode]}`;
  return `${health.target} (${state.kind}${mode}): ${counts}; ${last}; ${answer}`;
}

function ageText(seconds: number): string {
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.floor(seconds / 60)} min`;
  return `${Math.floor(seconds / 3600)} h`;
}
