/**
 * `npm run torture`: the whole suite at full size against the built bundle, then the figures
 * table (docs/guarantees.md holds the last one) printed and written as JSON.
 *
 *   node --import tsx test/torture/run-torture.ts [--quick] [--seed N] [--json FILE]
 *
 * Exit 0 when every guarantee held, 1 otherwise (each broken one is listed).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT } from '../support/driver-harness.ts';
import { tortureConcurrency, type ConcurrencyReport } from './concurrency.ts';
import { buildSeedBook, inParallel, loadCorpus, runCase } from './corpus.ts';
import { tortureCrashes } from './crashes.ts';
import { figuresTable, type Figures } from './figures.ts';
import { pinBundle } from './sandbox.ts';
import { measureStaleLocks } from './stale-lock.ts';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    seed: { type: 'string' },
    json: { type: 'string', default: path.join(REPO_ROOT, 'test', 'torture', 'last-run.json') },
  },
});

const SIZES = values.quick
  ? { processes: 6, operations: 150, killOperations: 80, lanes: 3, killsPerLane: 8 }
  : { processes: 16, operations: 1500, killOperations: 600, lanes: 8, killsPerLane: 30 };
const seed = values.seed === undefined ? Math.floor(Math.random() * 1e9) : Number(values.seed);
const log = (line: string) => process.stderr.write(`${line}\n`);
const started = performance.now();
// A rebuild of dist/ while this runs must not mix two driver versions on one book.
const pinned = pinBundle();

log(
  `torture: seed ${seed} (replay with --seed ${seed}), test bundle dist/test/nebula-ipam.cjs (the production one with its test hooks)`,
);
log(`concurrency: ${SIZES.processes} processes, ${SIZES.operations} operations on one book...`);
const calm = await tortureConcurrency({
  processes: SIZES.processes,
  operations: SIZES.operations,
  killChance: 0,
  seed,
});
log(summary(calm));
log(
  `concurrency with kills: ${SIZES.processes} processes, ${SIZES.killOperations} operations, 20% of them SIGKILLed...`,
);
const violent = await tortureConcurrency({
  processes: SIZES.processes,
  operations: SIZES.killOperations,
  killChance: 0.2,
  seed: seed + 1,
});
log(summary(violent));
log(`crashes: ${SIZES.lanes} books, ${SIZES.killsPerLane} kills each, inside and around the write path...`);
const crashes = await tortureCrashes({ lanes: SIZES.lanes, killsPerLane: SIZES.killsPerLane, seed });
log(
  `  ${crashes.operations} actions, ${crashes.kills} kills (${crashes.hookKills} at write steps, ${crashes.timerKills} at random moments), ${crashes.deadHolders} dead lock holders, ${crashes.problems.length} problems, ${crashes.elapsedMs} ms`,
);
log('hostile inputs...');
const corpus = loadCorpus();
const seedBook = buildSeedBook();
const corpusProblems = (await inParallel(corpus, 4, (c) => runCase(seedBook, c))).flat();
log(`  ${corpus.length} inputs, ${corpusProblems.length} problems`);
log('stale locks...');
const stale = await measureStaleLocks();

const figures: Figures = {
  seed,
  sizes: SIZES,
  operations: calm.operations + violent.operations + crashes.operations + corpus.length,
  processes: SIZES.processes,
  kills: violent.kills + crashes.kills,
  killsInWritePath: crashes.hookKills,
  deadLockHolders: crashes.deadHolders,
  badInputs: corpus.length,
  badInputsMishandled: new Set(corpusProblems.map((p) => p.split(' ')[0])).size,
  duplicates: calm.duplicates + violent.duplicates,
  leasesLost: calm.lost + violent.lost + crashes.lost,
  tornOrUnloadable: crashes.torn + crashes.unloadable,
  phantomLeases: calm.phantom + violent.phantom,
  lockedRefusals: calm.lockedRefusals + violent.lockedRefusals,
  lockedOverrunMs: Math.max(calm.lockedOverrunMs, violent.lockedOverrunMs),
  recoveryDeadHolderMedianMs: crashes.recoveryMedianMs,
  recoveryDeadHolderMaxMs: crashes.recoveryMaxMs,
  recoveryDeadHolderProbeMs: stale.deadHolderHereMs,
  recoveryHolderElsewhereMs: stale.holderElsewhereMs,
  plainActionMs: stale.plainActionMs,
  leftoverTempFiles: crashes.leftoverTempFiles,
  elapsedSeconds: Math.round((performance.now() - started) / 1000),
  problems: [...calm.problems, ...violent.problems, ...crashes.problems, ...corpusProblems, ...stale.problems],
  node: process.version,
  date: new Date().toISOString(),
};

process.stdout.write(figuresTable(figures));
fs.writeFileSync(values.json!, `${JSON.stringify(figures, null, 2)}\n`);
log(`figures written to ${path.relative(process.cwd(), values.json!)}`);
for (const p of figures.problems) log(`PROBLEM: ${p}`);
pinned.cleanup();
process.exitCode = figures.problems.length === 0 ? 0 : 1;

function summary(r: ConcurrencyReport): string {
  return `  ${r.operations} operations, ${r.acknowledged} acknowledged, ${r.kills} killed, ${r.lockedRefusals} "locked" refusals, ${r.duplicates} duplicates (${r.ambiguous} undecidable), ${r.lost} lost, ${r.phantom} phantom, ${r.problems.length} problems, ${r.elapsedMs} ms`;
}
