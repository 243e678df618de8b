/**
 * The performance figures of README.md and docs/performance.md come from one committed file,
 * bench/results.json, which `npm run bench` writes: this module turns it into the Markdown that
 * both documents hold between `<!-- bench-results -->` and `<!-- /bench-results -->`.
 *
 *   node bench/results-table.mjs --write   rewrite both blocks from bench/results.json
 *   node bench/results-table.mjs --check   exit 1 if either block differs (test/unit/project/bench-results.test.ts)
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const RESULTS = join(ROOT, 'bench', 'results.json');
export const DOCUMENTS = [join(ROOT, 'README.md'), join(ROOT, 'docs', 'performance.md')];
const START = '<!-- bench-results -->';
const END = '<!-- /bench-results -->';

/**
 * @typedef {{ scenario: string, n: number, medianMs: number, p95Ms: number, baselineMs: number, ratio: number, peakRssMiB?: number }} ResultRow
 * @typedef {{ scenario: string, actionsPerSecond: number, msPerAction: number, baselineMs: number, ratio: number }} StreamResult
 * @typedef {{ scenario: string, rounds: number, makespanMedianMs: number, leaseMedianMs: number, leaseP95Ms: number, statusMedianMs: number, statusP95Ms: number, baselineMs: number }} ConcurrentResult
 * @typedef {{ date: string, machine: { cpu?: string, cores: number, memoryGiB: number, kernel: string, node: string }, rows: ResultRow[], stream?: StreamResult, concurrent?: ConcurrentResult, skipped?: string[] }} Results
 */

/** @param {number | undefined} v @param {number} [digits] */
const fmt = (v, digits = 1) => (v !== undefined && Number.isFinite(v) ? v.toFixed(digits) : '-');

/**
 * The block both documents hold.
 * @param {Results} results
 * @returns {string}
 */
export function resultsMarkdown(results) {
  const m = results.machine;
  const lines = [
    `From \`bench/results.json\` (\`npm run bench\`, ${results.date.slice(0, 10)}; ${m.cpu ?? 'unknown CPU'}, ${m.cores} cores, ${m.memoryGiB} GiB, Linux ${m.kernel}, Node ${m.node}):`,
    '',
    '| scenario | n | median ms | p95 ms | bare node ms | ratio | peak RSS MiB |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...results.rows.map(
      (r) =>
        `| ${r.scenario} | ${r.n} | ${fmt(r.medianMs)} | ${fmt(r.p95Ms)} | ${fmt(r.baselineMs)} | ${fmt(r.ratio, 2)}x | ${fmt(r.peakRssMiB)} |`,
    ),
  ];
  const s = results.stream;
  const c = results.concurrent;
  if (s || c) lines.push('');
  if (s)
    lines.push(
      `- Serial stream, oned's pattern: ${fmt(s.actionsPerSecond)} actions/s (${fmt(s.msPerAction)} ms each; bare node ${fmt(s.baselineMs)} ms = ${fmt(1000 / s.baselineMs)}/s; ratio ${fmt(s.ratio, 2)}x)`,
    );
  if (c)
    lines.push(
      `- ${c.scenario}: every lease got its own address in every round; ${c.rounds} rounds, all done in ${fmt(c.makespanMedianMs)} ms (median); lease ${fmt(c.leaseMedianMs)} ms median / ${fmt(c.leaseP95Ms)} p95, status ${fmt(c.statusMedianMs)} / ${fmt(c.statusP95Ms)} (bare node ${fmt(c.baselineMs)} ms)`,
    );
  if (results.skipped?.length) lines.push('', `Skipped (over the time budget): ${results.skipped.join('; ')}.`);
  return lines.join('\n');
}

/**
 * `text` with its block (between `start` and `end`) replaced by `block`; throws when the markers
 * are not there exactly once.
 * @param {string} text @param {string} block @param {string} name @param {string} [start] @param {string} [end]
 */
export function withBlock(text, block, name, start = START, end = END) {
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < from || text.indexOf(start, from + 1) >= 0)
    throw new Error(`${name} must hold ${start} ... ${end} exactly once`);
  return `${text.slice(0, from + start.length)}\n${block}\n${text.slice(to)}`;
}

/**
 * bench/results.json after one part of `npm run bench` wrote its figures: bench/run.mjs's part
 * is everything but `sync`, bench/sync.mjs's is `{ sync }`; each keeps the other's.
 * @param {Record<string, unknown> | undefined} previous the file as it was (undefined: none)
 * @param {Record<string, unknown>} part
 */
export function mergedResults(previous, part) {
  if (Object.keys(part).length === 1 && 'sync' in part) return { ...previous, sync: part.sync };
  const { sync: _ignored, ...rest } = part;
  return previous?.sync === undefined ? rest : { ...rest, sync: previous.sync };
}

/** bench/results.json as it is, or undefined when there is none yet. */
export function readResults() {
  return existsSync(RESULTS) ? JSON.parse(readFileSync(RESULTS, 'utf8')) : undefined;
}

/** @returns {string[]} the documents whose block differs from bench/results.json */
export function staleDocuments() {
  const block = resultsMarkdown(JSON.parse(readFileSync(RESULTS, 'utf8')));
  return DOCUMENTS.filter((file) => {
    const text = readFileSync(file, 'utf8');
    return withBlock(text, block, file) !== text;
  });
}

export function writeDocuments() {
  const block = resultsMarkdown(JSON.parse(readFileSync(RESULTS, 'utf8')));
  for (const file of DOCUMENTS) writeFileSync(file, withBlock(readFileSync(file, 'utf8'), block, file));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--write')) writeDocuments();
  else if (process.argv.includes('--check')) {
    const stale = staleDocuments();
    if (stale.length) {
      process.stderr.write(
        `Not taken from bench/results.json: ${stale.join(', ')} (run node bench/results-table.mjs --write)\n`,
      );
      process.exit(1);
    }
  } else {
    process.stderr.write('usage: node bench/results-table.mjs --write | --check\n');
    process.exit(2);
  }
}
