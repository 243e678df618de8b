/**
 * Concurrency torture: N workers, each running one driver process at a time against ONE book, a
 * mixed stream of get / allocate / free on shared ranges and register / get / allocate / free /
 * unregister on ranges of their own carved from a pool. Some workers use a config with a tiny
 * lock deadline, so "locked" refusals happen. With `killChance` > 0 random processes are SIGKILLed
 * mid-flight, which also leaves dead lock holders for the others to get past.
 *
 * Checked: every reply (no address handed to two holders, every block inside its range), every
 * failure (one stderr line, nothing on stdout, a documented exit code, "locked" refusals within
 * their deadline, as each process measured its wait for the lock), and the final book (it loads;
 * it holds exactly the acknowledged leases, except what killed processes may or may not have done).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { ipv4ToNumber, numberToIpv4, OnedAr, parseTemplateReply, registerXml } from '../support/driver-harness.ts';
import { readBookView } from './book-view.ts';
import { tortureSandbox } from './sandbox.ts';
import { ClaimLedger } from './claims.ts';
import { Random } from './random.ts';
import { spawnAction, spawnCli, type ActionRun, type Program } from './spawn-action.ts';

export interface ConcurrencyOptions {
  readonly processes: number;
  readonly operations: number;
  /** Probability that a process is SIGKILLed at a random moment of its life. */
  readonly killChance: number;
  readonly seed: number;
}

export interface ConcurrencyReport {
  readonly processes: number;
  readonly operations: number;
  readonly acknowledged: number;
  readonly exits: Readonly<Record<string, number>>;
  readonly kills: number;
  readonly lockedRefusals: number;
  readonly duplicates: number;
  readonly ambiguous: number;
  readonly lost: number;
  readonly phantom: number;
  /** Longest wait for the lock of a process refused with "locked", beyond its lock deadline, in ms. */
  readonly lockedOverrunMs: number;
  readonly longestRunMs: number;
  readonly elapsedMs: number;
  readonly problems: readonly string[];
}

const DRIVER = 'nebula-ipam';
const PATIENT_MS = 20_000;
const IMPATIENT_MS = 25;
/**
 * A wait's last attempt, made at the deadline itself, and its scheduling on a loaded 2-core
 * machine. Only the wait is measured (the NEBULA_IPAM_TEST_LOCK_WAITS_TO hook): a process's
 * whole life also holds its start-up, its fsyncs and its exit, which a machine under a load of
 * 20 stretched past any slack (an operator `lease` was once reported past its deadline so).
 */
const DEADLINE_SLACK_MS = 8_000;
/** Addresses a worker keeps before it frees some: keeps the shared ranges contended, not full. */
const HOLD_CAP = 4;

const CONFIG = {
  lockTimeoutMs: PATIENT_MS,
  pools: [{ name: 'lan', network: '10.64.0.0/22', subnetPrefix: 28, gateway: 'none', default: true }],
};

/** An address a worker holds: through oned's actions (in an AR) or as an operator lease. */
type Holding = { readonly ar: OnedAr; readonly index: bigint } | { readonly operator: string };

interface Worker {
  readonly name: string;
  /** Operators use the CLI (lease, release, verify) instead of the driver actions. */
  readonly operator: boolean;
  readonly holdings: Map<number, Holding>;
  own?: { ar: OnedAr; first: number; size: number };
}

/** One process's waits for the lock (NEBULA_IPAM_TEST_LOCK_WAITS_TO), read and removed; none when it never waited. */
function lockWaits(file: string): { waitedMs: number; timeoutMs: number; taken: boolean }[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  fs.rmSync(file);
  return text
    .split('\n')
    .filter((line) => /^\d+ \d+ (taken|refused)$/.test(line))
    .map((line) => {
      const [waited, timeout, how] = line.split(' ');
      return { waitedMs: Number(waited), timeoutMs: Number(timeout), taken: how === 'taken' };
    });
}

export async function tortureConcurrency(options: ConcurrencyOptions): Promise<ConcurrencyReport> {
  const started = performance.now();
  const rng = new Random(options.seed);
  const sandbox = tortureSandbox({ driver: DRIVER, config: CONFIG });
  const impatient = path.join(sandbox.dir, 'etc', 'impatient.json');
  fs.writeFileSync(impatient, JSON.stringify({ ...CONFIG, lockTimeoutMs: IMPATIENT_MS }));
  const problems: string[] = [];
  const problem = (text: string) => {
    if (problems.length < 50) problems.push(text);
  };
  const exits: Record<string, number> = {};
  const addresses = new ClaimLedger();
  const ranges = new ClaimLedger();
  const mayHaveLeased = new Set<number>();
  let killedGrantSize = 0;
  let killedRegisters = 0;
  let killedUnregisters = 0;
  let killedLeases = 0;
  /** Ranges the operator CLI made for its leases (not oned's, so no worker registered them). */
  const operatorRanges = new Set<string>();
  let kills = 0;
  let acknowledged = 0;
  let lockedRefusals = 0;
  let lockedOverrunMs = 0;
  let longestRunMs = 0;
  let begun = 0;
  let nextRequest = 1000;
  let runs = 0;
  /** Lock waits the processes reported: none at all means the hook is not there (a bundle without test hooks). */
  let waitsReported = 0;

  try {
    const shared = [0, 1, 2].map((k) => {
      const r = sandbox.run(
        'register_address_range',
        registerXml({ TYPE: 'IP4', IP: `10.0.${k + 1}.0`, SIZE: '24', IPAM_MAD: DRIVER }),
      );
      if (r.code !== 0) throw new Error(`setup: register failed: ${r.stderr}`);
      const ar = new OnedAr(parseTemplateReply(r.stdout, 'AR').attrs, { arId: k, sendsCount: false });
      return { ar, first: ipv4ToNumber(ar.attrs.IP!), size: Number(ar.size) };
    });

    /** One process, with the bookkeeping every run gets: exit tally, failure shape, deadlines. */
    /** A driver action (xml) or an operator command (cli args). */
    const exec = async (
      worker: Worker,
      action: Program,
      xml: string,
      cli: readonly string[] = [],
    ): Promise<ActionRun> => {
      const patient = !rng.chance(0.15);
      const kill = rng.chance(options.killChance);
      const waitsFile = path.join(sandbox.dir, `lock-waits-${runs++}.txt`);
      const spawnOptions = {
        env: {
          NEBULA_IPAM_TEST_LOCK_WAITS_TO: waitsFile,
          ...(patient ? {} : { NEBULA_IPAM_CONFIG: impatient }),
        },
        ...(kill ? { killAfterMs: rng.below(400) } : {}),
      };
      const run =
        action === 'nebula-ipam'
          ? await spawnCli(sandbox, cli, spawnOptions)
          : await spawnAction(sandbox, action, xml, { ...spawnOptions, requestId: String(nextRequest++) });
      const name = action === 'nebula-ipam' ? `nebula-ipam ${cli[0]}` : action;
      const outcome = run.signal ?? String(run.code);
      exits[`${name} ${outcome}`] = (exits[`${name} ${outcome}`] ?? 0) + 1;
      longestRunMs = Math.max(longestRunMs, run.end - run.start);
      const waits = lockWaits(waitsFile);
      if (run.hung) problem(`${worker.name} ${name} hung: still running after ${Math.round(run.end - run.start)} ms`);
      if (run.signal === 'SIGKILL' && run.killedByUs) {
        kills++;
        return run;
      }
      waitsReported += waits.length;
      for (const wait of waits) {
        const where = `${worker.name} ${name} waited ${wait.waitedMs} ms for the lock`;
        if (wait.waitedMs > wait.timeoutMs + DEADLINE_SLACK_MS)
          problem(`${where}, past its ${wait.timeoutMs} ms lock deadline`);
        if (!wait.taken && wait.waitedMs < wait.timeoutMs)
          problem(`${where} and gave up, before its ${wait.timeoutMs} ms lock deadline`);
        if (!wait.taken) lockedOverrunMs = Math.max(lockedOverrunMs, wait.waitedMs - wait.timeoutMs);
      }
      if (run.code === 0) {
        acknowledged++;
        if (run.stderr !== '') problem(`${worker.name} ${name} succeeded with stderr ${JSON.stringify(run.stderr)}`);
        return run;
      }
      if (run.stdout !== '' || !/^[^\n]+\n$/.test(run.stderr))
        problem(`${worker.name} ${name} exit ${outcome}: not one stderr line and empty stdout: ${JSON.stringify(run)}`);
      if (run.code === 6) {
        lockedRefusals++;
        if (waits.length === 0) problem(`${worker.name} ${name} exit 6 but reported no wait for the lock`);
        // Refused at its deadline ("locked"), or it lost the lock it held and wrote nothing. The
        // second needs a holder SIGKILLed and two waiters taking its stale lock at once
        // (proper-lockfile's own stale removal), which a loaded machine makes likely: the
        // commit's check of the lock refuses then, as it must.
        if (!/locked|another process changed it while this one held the lock/.test(run.stderr))
          problem(`${worker.name} ${name} exit 6 without saying "locked" or that it lost the lock: ${run.stderr}`);
      }
      return run;
    };

    const expectExit = (worker: Worker, run: ActionRun, allowed: readonly number[]) => {
      if (run.killedByUs || run.code === 0 || run.code === 6) return;
      if (run.code === undefined || !allowed.includes(run.code))
        problem(`${worker.name} ${run.action}: unexpected exit ${run.signal ?? run.code}: ${run.stderr.trim()}`);
    };

    const grantFromReply = (worker: Worker, run: ActionRun, ar: OnedAr, size: number) => {
      const ip = parseTemplateReply(run.stdout, 'ADDRESS').attrs.get('IP');
      const first = ipv4ToNumber(ar.attrs.IP!);
      const at = ip === undefined ? NaN : ipv4ToNumber(ip);
      if (!(at >= first && at + size <= first + Number(ar.size))) {
        problem(`${worker.name} get_address replied ${ip} (SIZE ${size}), outside ${ar.attrs.IP}+${ar.size}`);
        return;
      }
      grant(worker, ar, BigInt(at - first), size, run);
    };

    const grant = (worker: Worker, ar: OnedAr, index: bigint, size: number, run: ActionRun) => {
      const first = ipv4ToNumber(ar.attrs.IP!) + Number(index);
      const block = Array.from({ length: size }, (_, i) => first + i);
      for (const d of addresses.grant(worker.name, block, run))
        problem(`DUPLICATE: ${d.address} given to ${d.claimant} while ${d.holder} held it`);
      block.forEach((address, i) => worker.holdings.set(address, { ar, index: index + BigInt(i) }));
    };

    const getIn = async (worker: Worker, ar: OnedAr) => {
      const size = rng.chance(0.1) ? 2 : 1;
      const run = await exec(worker, 'get_address', ar.getXml(size));
      if (run.killedByUs) killedGrantSize += size;
      else if (run.code === 0) grantFromReply(worker, run, ar, size);
      expectExit(worker, run, [255]);
    };

    const allocateIn = async (worker: Worker, ar: OnedAr) => {
      const index = BigInt(rng.below(Number(ar.size)));
      const run = await exec(worker, 'allocate_address', ar.allocateXml(index));
      if (run.killedByUs) mayHaveLeased.add(ipv4ToNumber(ar.attrs.IP!) + Number(index));
      else if (run.code === 0) grant(worker, ar, index, 1, run);
      expectExit(worker, run, [5]);
    };

    const free = async (worker: Worker) => {
      const address = rng.pick([...worker.holdings.keys()]);
      const holding = worker.holdings.get(address)!;
      addresses.releasing(worker.name, [address], performance.now());
      const run =
        'operator' in holding
          ? await exec(worker, 'nebula-ipam', '', ['release', '--ip', holding.operator, '--json'])
          : await exec(worker, 'free_address', holding.ar.freeXml(holding.index));
      if (run.killedByUs) addresses.unsure(worker.name, [address]);
      else if (run.code === 0) addresses.released(worker.name, [address]);
      else addresses.kept(worker.name, [address]);
      if (run.killedByUs || run.code === 0) worker.holdings.delete(address);
      expectExit(worker, run, []);
    };

    const operatorLease = async (worker: Worker) => {
      const count = rng.chance(0.2) ? 2 : 1;
      const run = await exec(worker, 'nebula-ipam', '', [
        'lease',
        '--pool',
        'lan',
        '--count',
        String(count),
        '--owner',
        worker.name,
        '--json',
      ]);
      if (run.killedByUs) {
        killedGrantSize += count;
        killedLeases++;
      } else if (run.code === 0) {
        const reply = JSON.parse(run.stdout) as { range: string; first: string; count: number };
        operatorRanges.add(reply.range);
        const first = ipv4ToNumber(reply.first);
        const block = Array.from({ length: reply.count }, (_, i) => first + i);
        if (reply.count !== count) problem(`${worker.name} lease --count ${count} leased ${reply.count}`);
        for (const d of addresses.grant(worker.name, block, run))
          problem(`DUPLICATE: ${d.address} leased to operator ${d.claimant} while ${d.holder} held it`);
        for (const address of block) worker.holdings.set(address, { operator: numberToIpv4(address) });
      }
      expectExit(worker, run, [255]);
    };

    const verify = async (worker: Worker) => {
      const run = await exec(worker, 'nebula-ipam', '', ['verify', '--json']);
      if (!run.killedByUs && run.code !== 0 && run.code !== 6)
        problem(`${worker.name} verify found problems (exit ${run.code}): ${run.stdout.slice(0, 400)} ${run.stderr}`);
    };

    const register = async (worker: Worker) => {
      const run = await exec(
        worker,
        'register_address_range',
        registerXml({ TYPE: 'IP4', SIZE: '8', IPAM_MAD: DRIVER }),
      );
      if (run.killedByUs) killedRegisters++;
      else if (run.code === 0) {
        const ar = new OnedAr(parseTemplateReply(run.stdout, 'AR').attrs, {
          arId: 100 + Number(worker.name.slice(1)),
          sendsCount: false,
        });
        const first = ipv4ToNumber(ar.attrs.IP!);
        const size = Number(ar.size);
        const span = Array.from({ length: size }, (_, i) => first + i);
        for (const d of ranges.grant(worker.name, span, run))
          problem(`OVERLAPPING RANGES: ${d.address} carved for ${d.claimant} while ${d.holder} had it`);
        worker.own = { ar, first, size };
      }
      expectExit(worker, run, [255]);
    };

    const unregister = async (worker: Worker) => {
      const own = worker.own!;
      const span = Array.from({ length: own.size }, (_, i) => own.first + i);
      const inside = [...worker.holdings.keys()].filter((a) => a >= own.first && a < own.first + own.size);
      const now = performance.now();
      ranges.releasing(worker.name, span, now);
      addresses.releasing(worker.name, inside, now);
      const run = await exec(worker, 'unregister_address_range', own.ar.unregisterXml('rmar'));
      if (run.killedByUs) {
        killedUnregisters++;
        ranges.unsure(worker.name, span);
        addresses.unsure(worker.name, inside);
      } else if (run.code === 0) {
        ranges.released(worker.name, span);
        addresses.released(worker.name, inside);
      } else {
        ranges.kept(worker.name, span);
        addresses.kept(worker.name, inside);
      }
      if (run.killedByUs || run.code === 0) {
        for (const a of inside) worker.holdings.delete(a);
        delete worker.own;
      }
      expectExit(worker, run, []);
    };

    const work = async (worker: Worker) => {
      while (begun < options.operations) {
        begun++;
        const own = worker.own;
        if (worker.operator) {
          const op =
            worker.holdings.size >= HOLD_CAP
              ? 'release'
              : rng.weighted({ lease: 45, release: worker.holdings.size ? 40 : 0, verify: 15 });
          if (op === 'lease') await operatorLease(worker);
          else if (op === 'release') await free(worker);
          else await verify(worker);
          continue;
        }
        const op =
          worker.holdings.size >= HOLD_CAP
            ? 'free'
            : rng.weighted({
                get: 30,
                allocate: 12,
                free: worker.holdings.size ? 30 : 0,
                register: own ? 0 : 4,
                unregister: own ? 3 : 0,
                getOwn: own ? 10 : 0,
                allocateOwn: own ? 5 : 0,
              });
        if (op === 'get') await getIn(worker, rng.pick(shared).ar);
        else if (op === 'allocate') await allocateIn(worker, rng.pick(shared).ar);
        else if (op === 'free') await free(worker);
        else if (op === 'register') await register(worker);
        else if (op === 'unregister') await unregister(worker);
        else if (op === 'getOwn') await getIn(worker, own!.ar);
        else await allocateIn(worker, own!.ar);
      }
    };

    // Every fourth worker is an operator at the CLI, the others are oned.
    const workers: Worker[] = Array.from({ length: options.processes }, (_, k) => ({
      name: `w${k}`,
      operator: k % 4 === 3,
      holdings: new Map(),
    }));
    await Promise.all(workers.map(work));
    if (waitsReported === 0)
      problem(
        'no process reported a wait for the lock: the bundle run has no test hooks (node build.mjs --test-hooks)',
      );

    // The final book: it loads, and holds exactly what was acknowledged.
    let lost = 0;
    let phantom = 0;
    try {
      const view = readBookView(sandbox.bookPath);
      const leased = new Map<number, string>();
      const spans: { id: string; first: number; last: number }[] = [];
      for (const range of view.ranges.values()) {
        if (range.ip === undefined) continue;
        spans.push({ id: range.id, first: range.ip, last: range.ip + range.size - 1 });
        for (const index of range.leased.keys()) leased.set(range.ip + index, range.id);
      }
      spans.sort((a, b) => a.first - b.first);
      for (let i = 1; i < spans.length; i++) {
        if (spans[i]!.first <= spans[i - 1]!.last)
          problem(`OVERLAPPING RANGES in the final book: ${spans[i - 1]!.id} and ${spans[i]!.id}`);
      }
      for (const [address, holders] of addresses.certain()) {
        if (holders > 1) problem(`DUPLICATE at the end: ${address} held by ${holders} workers`);
      }
      for (const address of addresses.lostFrom(leased)) {
        lost++;
        problem(`LOST: acknowledged lease of ${address} is not in the final book`);
      }
      let extra = 0;
      for (const address of leased.keys()) {
        if (!addresses.certain().has(address) && !addresses.isUncertain(address) && !mayHaveLeased.has(address))
          extra++;
      }
      phantom = Math.max(0, extra - killedGrantSize);
      if (phantom > 0)
        problem(`PHANTOM: ${phantom} leases in the final book that no acknowledged or killed operation explains`);
      const known = new Set(shared.map((s) => s.ar.attrs.NEBULA_IPAM_RANGE!));
      for (const w of workers) if (w.own) known.add(w.own.ar.attrs.NEBULA_IPAM_RANGE!);
      const live = spans.filter((s) => known.has(s.id)).length;
      if (live !== known.size)
        problem(`LOST RANGE: ${known.size - live} acknowledged ranges are not in the final book`);
      const unexplained =
        spans.filter((s) => !operatorRanges.has(s.id)).length -
        live -
        killedRegisters -
        killedUnregisters -
        killedLeases;
      if (unexplained > 0)
        problem(
          `PHANTOM RANGE: ${unexplained} ranges in the final book that no acknowledged or killed operation explains`,
        );
    } catch (error) {
      problem(`the final book does not load: ${(error as Error).message}`);
    }

    return {
      processes: options.processes,
      operations: begun,
      acknowledged,
      exits,
      kills,
      lockedRefusals,
      duplicates: addresses.duplicates.length + ranges.duplicates.length,
      ambiguous: addresses.ambiguous + ranges.ambiguous,
      lost,
      phantom,
      lockedOverrunMs: Math.round(lockedOverrunMs),
      longestRunMs: Math.round(longestRunMs),
      elapsedMs: Math.round(performance.now() - started),
      problems,
    };
  } finally {
    sandbox.cleanup();
  }
}
