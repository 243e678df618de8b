/**
 * What the last sync passes of this front-end found, per target, for `status`, `metrics` and
 * `verify --targets`: a small JSON file beside the default book directory, replaced whole after
 * every pass (a reader sees one pass or the next). It is this front-end's view: another front-end
 * running `sync --follow` on the same book keeps its own.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { defaultPaths, type Env } from '../config/paths.ts';
import { tallyAfter } from '../core/sync/tally-after.ts';
import type { SyncState, TargetState } from '../core/sync/target-health.ts';
import { readRegularFile } from '../access/regular-file.ts';
import type { PassReport } from './sync-pass.ts';

export function syncStateFile(env: Env, driver: string): string {
  return path.join(defaultPaths(env).storeDir, driver, 'sync-state.json');
}

/** The state after `report`, carrying each target's last success over from `previous`. */
export function nextSyncState(previous: SyncState | undefined, report: PassReport): SyncState {
  const passAt = new Date(report.finishedAt).toISOString();
  // Counted from what the targets said: a target that failed partway has what it applied in place.
  const targets = tallyAfter(report.plan, report.outcomes).map((after): TargetState => {
    const { done: _, notApplied: _n, unconfirmed: _u, ...tally } = after;
    const failure = report.failures.find((f) => f.target === tally.target);
    const answered = failure === undefined && tally.read;
    const seen = previous?.targets.find((t) => t.target === tally.target && t.kind === tally.kind);
    const lastSuccess = answered ? passAt : seen?.lastSuccess;
    // Down since the first of the passes in a row that found it not answering.
    const downSince = answered ? undefined : seen && !seen.answered && seen.downSince ? seen.downSince : passAt;
    // A DHCP target not reached this time keeps the mode it was last seen in.
    const dhcpMode = tally.kind === 'dhcp' ? (report.dhcpModes[tally.target] ?? seen?.dhcpMode) : undefined;
    return {
      ...tally,
      ...(dhcpMode === undefined ? {} : { dhcpMode }),
      answered,
      ...(lastSuccess === undefined ? {} : { lastSuccess }),
      ...(failure === undefined ? {} : { lastError: failure.message }),
      ...(downSince === undefined ? {} : { downSince }),
    };
  });
  return { passAt, targets, conflicts: report.plan.conflicts.length, holds: report.plan.holds.length };
}

export function readSyncState(file: string): SyncState | undefined {
  try {
    const read = readRegularFile(file, { what: 'the sync state', kind: 'store-io', maxBytes: 4 * 1024 * 1024 });
    if (!read) return undefined;
    const state = JSON.parse(read.bytes.toString('utf8')) as SyncState;
    // A state written before `unverified` was counted: none known.
    return { ...state, targets: state.targets.map((t) => ({ ...t, unverified: t.unverified ?? 0 })) };
  } catch {
    // A state file that cannot be read says nothing about the targets: as if no pass had run.
    return undefined;
  }
}

export function writeSyncState(file: string, state: SyncState): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o750 });
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    fs.writeFileSync(temp, `${JSON.stringify(state, null, 1)}\n`, { mode: 0o640, flag: 'wx' });
    fs.renameSync(temp, file);
  } catch (error) {
    fs.rmSync(temp, { force: true });
    throw error;
  }
}
