/**
 * Crash torture: lanes of sequential driver actions, each lane on its own book, where many
 * processes die by SIGKILL: either at an exact step of the book write (the product's test hook
 * NEBULA_IPAM_TEST_CRASH_AT) or at a random moment chosen by this runner.
 *
 * After every action the book must load and be exactly the state before the action or the state
 * after it (for a hook kill: before, up to 'previous-kept'; after, from 'renamed'); an action that
 * exited 0 must be in it; a clean failure must leave it byte-identical. After a holder died with
 * the lock, the time until the next action gets through is measured.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  ipv4ToNumber,
  numberToIpv4,
  OnedAr,
  parseTemplateReply,
  registerXml,
  type Action,
  type DriverSandbox,
} from '../support/driver-harness.ts';
import { WRITE_STEPS, type WriteStep } from '../../src/store/file/atomic-write.ts';
import { decodeBook } from '../../src/store/encoding/codec.ts';
import { readBookView, type BookView } from './book-view.ts';
import { describeDiff, diffViews, isUnchanged, type ViewDiff } from './book-diff.ts';
import { Random } from './random.ts';
import { tortureSandbox } from './sandbox.ts';
import { spawnAction, type ActionRun } from './spawn-action.ts';

export interface CrashOptions {
  readonly lanes: number;
  /** Each lane runs until it has killed this many processes. */
  readonly killsPerLane: number;
  readonly seed: number;
}

export interface CrashReport {
  readonly lanes: number;
  readonly operations: number;
  readonly kills: number;
  readonly hookKills: number;
  readonly timerKills: number;
  /** Kills that left the lock behind, each followed by a measured recovery. */
  readonly deadHolders: number;
  readonly recoveryMedianMs: number;
  readonly recoveryMaxMs: number;
  /** Books that did not load, states that were neither before nor after, acknowledged changes missing. */
  readonly unloadable: number;
  readonly torn: number;
  readonly lost: number;
  readonly leftoverTempFiles: number;
  readonly elapsedMs: number;
  readonly problems: readonly string[];
}

const DRIVER = 'nebula-ipam';
const CONFIG = { pools: [{ name: 'lan', network: '10.80.0.0/20', subnetPrefix: 28, gateway: 'none', default: true }] };
const TEMP_FILE = /^\.leases\.json\..*\.tmp$/;

type Op =
  | { readonly kind: 'get'; readonly range: string; readonly size: number }
  | { readonly kind: 'allocate'; readonly range: string; readonly index: number }
  | { readonly kind: 'free'; readonly range: string; readonly index: number }
  | { readonly kind: 'register' }
  | { readonly kind: 'unregister'; readonly range: string };

type Kill =
  | { readonly how: 'none' }
  | { readonly how: 'hook'; readonly step: WriteStep }
  | { readonly how: 'timer'; readonly afterMs: number };

export async function tortureCrashes(options: CrashOptions): Promise<CrashReport> {
  const started = performance.now();
  const totals = {
    operations: 0,
    hookKills: 0,
    timerKills: 0,
    deadHolders: 0,
    unloadable: 0,
    torn: 0,
    lost: 0,
    leftoverTempFiles: 0,
  };
  const recoveries: number[] = [];
  const problems: string[] = [];
  const problem = (text: string) => {
    if (problems.length < 50) problems.push(text);
  };
  await Promise.all(Array.from({ length: options.lanes }, (_, lane) => runLane(lane)));
  recoveries.sort((a, b) => a - b);
  return {
    lanes: options.lanes,
    operations: totals.operations,
    kills: totals.hookKills + totals.timerKills,
    hookKills: totals.hookKills,
    timerKills: totals.timerKills,
    deadHolders: totals.deadHolders,
    recoveryMedianMs: Math.round(recoveries[Math.floor(recoveries.length / 2)] ?? 0),
    recoveryMaxMs: Math.round(recoveries.at(-1) ?? 0),
    unloadable: totals.unloadable,
    torn: totals.torn,
    lost: totals.lost,
    leftoverTempFiles: totals.leftoverTempFiles,
    elapsedMs: Math.round(performance.now() - started),
    problems,
  };

  async function runLane(lane: number): Promise<void> {
    const rng = new Random(options.seed * 1000 + lane);
    const sandbox = tortureSandbox({ driver: DRIVER, config: CONFIG });
    const ars = new Map<string, OnedAr>();
    let request = 1;
    try {
      const first = sandbox.run(
        'register_address_range',
        registerXml({ TYPE: 'IP4', IP: `10.1.${lane}.0`, SIZE: '32', IPAM_MAD: DRIVER }),
      );
      if (first.code !== 0) throw new Error(`lane ${lane}: setup register failed: ${first.stderr}`);
      const firstAr = new OnedAr(parseTemplateReply(first.stdout, 'AR').attrs, { sendsCount: false });
      ars.set(firstAr.attrs.NEBULA_IPAM_RANGE!, firstAr);
      let before = readBookView(sandbox.bookPath);
      let kills = 0;
      let deadSince: number | undefined;
      for (let n = 0; kills < options.killsPerLane && n < options.killsPerLane * 6; n++) {
        const op = chooseOp(rng, before);
        const kill: Kill = deadSince !== undefined ? { how: 'none' } : chooseKill(rng);
        const bytesBefore = sandbox.bookBytes();
        const { action, xml } = requestFor(op, before, ars);
        const run = await spawnAction(sandbox, action, xml, {
          requestId: String(request++),
          env: kill.how === 'hook' ? { NEBULA_IPAM_TEST_CRASH_AT: kill.step } : {},
          ...(kill.how === 'timer' ? { killAfterMs: kill.afterMs } : {}),
        });
        totals.operations++;
        const where = `lane ${lane} op ${n} ${describeOp(op)} (${kill.how === 'hook' ? `crash at ${kill.step}` : kill.how === 'timer' ? `kill after ${kill.afterMs} ms` : 'no kill'})`;
        const killed = run.signal === 'SIGKILL';
        if (killed) {
          kills++;
          if (kill.how === 'hook') totals.hookKills++;
          else totals.timerKills++;
        } else if (run.signal) {
          problem(`${where}: died of ${run.signal}`);
        }

        if (deadSince !== undefined && run.code !== 6) {
          recoveries.push(run.end - deadSince);
          deadSince = undefined;
        } else if (deadSince !== undefined) {
          problem(`${where}: the first action after a dead holder failed with "locked": ${run.stderr.trim()}`);
        }

        let after: BookView;
        try {
          after = readBookView(sandbox.bookPath);
        } catch (error) {
          totals.unloadable++;
          problem(`${where}: the book does not load: ${(error as Error).message}`);
          return;
        }
        checkPrevious(sandbox, where);
        const diff = diffViews(before, after);
        const landed = landedAs(op, diff, before);
        if (killed) {
          const mustBe =
            kill.how === 'hook'
              ? WRITE_STEPS.indexOf(kill.step) >= WRITE_STEPS.indexOf('renamed')
                ? 'after'
                : 'before'
              : 'either';
          const ok = isUnchanged(diff) ? mustBe !== 'after' || !writes(op, before) : landed && mustBe !== 'before';
          if (!ok) {
            totals.torn++;
            problem(
              `${where}: after the kill the book is neither the state before nor after (expected ${mustBe}): ${describeDiff(diff)}`,
            );
          }
          if (fs.existsSync(`${sandbox.bookPath}.lock`)) {
            totals.deadHolders++;
            deadSince = run.end;
          }
        } else if (run.code === 0) {
          const replyOk = op.kind !== 'get' || replyMatches(run, op, diff, before);
          if (!(landed || (isUnchanged(diff) && !writes(op, before))) || !replyOk) {
            totals.lost++;
            problem(`${where}: acknowledged (exit 0) but the book shows ${describeDiff(diff)}`);
          }
          if (op.kind === 'register') {
            const ar = new OnedAr(parseTemplateReply(run.stdout, 'AR').attrs, { sendsCount: false });
            ars.set(ar.attrs.NEBULA_IPAM_RANGE!, ar);
          }
        } else {
          if (!isUnchanged(diff) || !sameBytes(bytesBefore, sandbox.bookBytes())) {
            totals.torn++;
            problem(
              `${where}: failed with exit ${run.code} (${run.stderr.trim()}) but changed the book: ${describeDiff(diff)}`,
            );
          }
          if (![5, 6, 255].includes(run.code ?? -1))
            problem(`${where}: unexpected exit ${run.code}: ${run.stderr.trim()}`);
        }
        // A killed register may have landed: adopt the range as oned would never know it, by its id.
        for (const id of diff.newRanges) if (!ars.has(id)) ars.set(id, arFromView(after, id));
        before = after;
      }
      // Let a last dead holder be recovered from, so the lane ends on a usable book.
      if (deadSince !== undefined) {
        const run = await spawnAction(sandbox, 'free_address', ars.get(firstAr.attrs.NEBULA_IPAM_RANGE!)!.freeXml(0n), {
          requestId: String(request++),
        });
        if (run.code === 6) problem(`lane ${lane}: the action after the last dead holder failed with "locked"`);
        else recoveries.push(run.end - deadSince);
      }
      const leftovers = fs.readdirSync(path.dirname(sandbox.bookPath)).filter((name) => TEMP_FILE.test(name));
      totals.leftoverTempFiles += leftovers.length;
    } finally {
      sandbox.cleanup();
    }
  }

  function checkPrevious(sandbox: DriverSandbox, where: string): void {
    const previous = `${sandbox.bookPath}.prev`;
    if (!fs.existsSync(previous)) return;
    try {
      decodeBook(fs.readFileSync(previous, 'utf8'), previous);
    } catch (error) {
      problem(`${where}: the previous generation does not load: ${(error as Error).message}`);
    }
  }
}

function chooseOp(rng: Random, view: BookView): Op {
  const ranges = [...view.ranges.values()];
  const withRoom = ranges.filter((r) => r.leased.size < r.size - 1);
  const withLeases = ranges.filter((r) => r.leased.size > 0);
  const kind = rng.weighted({
    get: withRoom.length ? 30 : 0,
    allocate: 15,
    free: withLeases.length ? 25 : 0,
    register: ranges.length < 4 ? 10 : 0,
    unregister: ranges.length > 1 ? 8 : 0,
  });
  if (kind === 'get') return { kind, range: rng.pick(withRoom).id, size: rng.chance(0.2) ? 2 : 1 };
  if (kind === 'allocate') {
    const range = rng.pick(ranges);
    return { kind, range: range.id, index: rng.below(range.size) };
  }
  if (kind === 'free') {
    const range = rng.pick(withLeases);
    return { kind, range: range.id, index: rng.pick([...range.leased.keys()]) };
  }
  if (kind === 'register') return { kind };
  // The lane's first range stays: it keeps every lane busy with leases.
  return { kind, range: rng.pick(ranges.slice(1)).id };
}

function chooseKill(rng: Random): Kill {
  const how = rng.weighted({ none: 40, hook: 30, timer: 30 });
  if (how === 'hook') return { how, step: rng.pick(WRITE_STEPS) };
  if (how === 'timer') return { how, afterMs: 20 + rng.below(300) };
  return { how };
}

function requestFor(op: Op, view: BookView, ars: ReadonlyMap<string, OnedAr>): { action: Action; xml: string } {
  if (op.kind === 'register')
    return { action: 'register_address_range', xml: registerXml({ TYPE: 'IP4', SIZE: '8', IPAM_MAD: DRIVER }) };
  const ar = ars.get(op.range);
  if (!ar) throw new Error(`no AR known for ${op.range} in ${[...view.ranges.keys()].join(',')}`);
  if (op.kind === 'get') return { action: 'get_address', xml: ar.getXml(op.size) };
  if (op.kind === 'allocate') return { action: 'allocate_address', xml: ar.allocateXml(BigInt(op.index)) };
  if (op.kind === 'free') return { action: 'free_address', xml: ar.freeXml(BigInt(op.index)) };
  return { action: 'unregister_address_range', xml: ar.unregisterXml('rmar') };
}

/** Whether the operation, if it succeeds, must change the book. */
function writes(op: Op, before: BookView): boolean {
  if (op.kind === 'free') return before.ranges.get(op.range)?.leased.has(op.index) ?? false;
  if (op.kind === 'allocate') return !(before.ranges.get(op.range)?.leased.has(op.index) ?? true);
  return true;
}

/** The diff is exactly this operation's effect. */
function landedAs(op: Op, diff: ViewDiff, before: BookView): boolean {
  const only = (map: ReadonlyMap<string, readonly number[]>, range: string) => map.size === 1 && map.has(range);
  const nothingElse = (keep: 'added' | 'removed' | 'new' | 'gone') =>
    (keep === 'added' || diff.added.size === 0) &&
    (keep === 'removed' || diff.removed.size === 0) &&
    (keep === 'new' || diff.newRanges.length === 0) &&
    (keep === 'gone' || diff.goneRanges.length === 0) &&
    diff.reshaped.length === 0;
  switch (op.kind) {
    case 'get': {
      if (!only(diff.added, op.range) || !nothingElse('added')) return false;
      const block = diff.added.get(op.range)!;
      const taken = before.ranges.get(op.range)!.leased;
      return block.length === op.size && block.every((i, k) => i === block[0]! + k && !taken.has(i));
    }
    case 'allocate':
      return (
        only(diff.added, op.range) && nothingElse('added') && diff.added.get(op.range)!.join() === String(op.index)
      );
    case 'free':
      return (
        only(diff.removed, op.range) &&
        nothingElse('removed') &&
        diff.removed.get(op.range)!.join() === String(op.index)
      );
    case 'register':
      return diff.newRanges.length === 1 && nothingElse('new');
    case 'unregister':
      return diff.goneRanges.length === 1 && diff.goneRanges[0] === op.range && nothingElse('gone');
  }
}

function replyMatches(run: ActionRun, op: Op & { kind: 'get' }, diff: ViewDiff, before: BookView): boolean {
  const ip = parseTemplateReply(run.stdout, 'ADDRESS').attrs.get('IP');
  const range = before.ranges.get(op.range)!;
  return ip !== undefined && range.ip !== undefined && ipv4ToNumber(ip) - range.ip === diff.added.get(op.range)?.[0];
}

function arFromView(view: BookView, id: string): OnedAr {
  const range = view.ranges.get(id)!;
  return new OnedAr(
    { TYPE: 'IP4', IP: numberToIpv4(range.ip!), SIZE: String(range.size), IPAM_MAD: DRIVER, NEBULA_IPAM_RANGE: id },
    { sendsCount: false },
  );
}

function describeOp(op: Op): string {
  return op.kind === 'register'
    ? 'register'
    : `${op.kind} ${op.range}${'index' in op ? `[${op.index}]` : ''}${'size' in op ? ` x${op.size}` : ''}`;
}

function sameBytes(a: Buffer | undefined, b: Buffer | undefined): boolean {
  return a === undefined ? b === undefined : b !== undefined && a.equals(b);
}
