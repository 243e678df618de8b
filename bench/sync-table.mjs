/**
 * The "DNS and DHCP sync" figures of docs/performance.md come from the `sync` part of the
 * committed bench/results.json, which bench/sync.mjs writes: this module turns it into the
 * Markdown the document holds between `<!-- sync-bench-results -->` and its end marker.
 *
 *   node bench/sync-table.mjs --write   rewrite the block from bench/results.json
 *   node bench/sync-table.mjs --check   exit 1 if it differs (test/unit/project/bench-results.test.ts)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readResults, withBlock } from './results-table.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const SYNC_DOCUMENT = join(ROOT, 'docs', 'performance.md');
const START = '<!-- sync-bench-results -->';
const END = '<!-- /sync-bench-results -->';

/** @param {number | undefined} v @param {number} [digits] */
const fmt = (v, digits = 1) => (v !== undefined && Number.isFinite(v) ? v.toFixed(digits) : '-');
const seconds = (ms) => `${fmt(ms / 1000, 2)} s`;
const verdict = (met) => (met ? 'met' : '**missed**');
/** "The same" cost with targets as without: each ratio to bare Node within this much of the other's. */
const SAME_COST = 0.1;

/**
 * Issue 18's numbers, one row each, with what it needs and whether it was met.
 * @param {any} sync the `sync` part of bench/results.json
 * @returns {string}
 */
export function syncMarkdown(sync) {
  if (!sync) return 'No sync figures yet: run `npm run bench:sync`.';
  const m = sync.machine;
  const leases = sync.leases.toLocaleString('en');
  const rows = [];
  for (const d of sync.dns) {
    rows.push(
      [
        `first \`sync\` of ${leases} leases, ${d.server} (${d.firstPassChanges.toLocaleString('en')} changes)`,
        '< 30 s',
        seconds(d.firstPassMs),
        d.firstPassMs < 30_000,
      ],
      [
        `a pass with nothing to change, ${d.server}: median (max) of ${d.noChangePasses}`,
        '< 2 s',
        `${seconds(d.noChangeMedianMs)} (${seconds(d.noChangeMaxMs)})`,
        d.noChangeMedianMs < 2_000,
      ],
    );
  }
  const f = sync.follow;
  if (f)
    rows.push([
      `\`sync --follow\` (${f.server}): from the end of a get_address until its A, PTR and Kea lease are all there, median (max) of ${f.leases}`,
      '< 2 s',
      `${seconds(f.medianMs)} (${seconds(f.maxMs)})`,
      f.medianMs < 2_000,
    ]);
  const [withTargets, without] = ['with targets', 'without targets'].map((c) =>
    sync.actions?.find((a) => a.config === c),
  );
  if (withTargets && without)
    for (const [what, key] of [
      ['get_address', 'getRatio'],
      ['free_address', 'freeRatio'],
    ])
      rows.push([
        `${what}, ratio to bare Node, with targets / without (n ${withTargets.n})`,
        `the same (within ${SAME_COST * 100} %)`,
        `${fmt(withTargets[key], 2)}x / ${fmt(without[key], 2)}x`,
        Math.abs(withTargets[key] / without[key] - 1) <= SAME_COST,
      ]);
  return [
    `From \`bench/results.json\` (\`npm run bench\`, its sync part: \`bench/sync.mjs\`, ${sync.date.slice(0, 10)}; ${m.cpu ?? 'unknown CPU'}, ${m.cores} cores, Node ${m.node}${m.loadAverage ? `, load average ${m.loadAverage.join(' ')} at the end` : ''}), real BIND and Kea on 127.0.0.1, a book of ${leases} leases (an A, a PTR and a Kea lease each):`,
    '',
    '| number | needs | measured | |',
    '|---|---|---:|---|',
    ...rows.map(([what, needs, measured, met]) => `| ${what} | ${needs} | ${measured} | ${verdict(met)} |`),
  ].join('\n');
}

function block() {
  return syncMarkdown(readResults()?.sync);
}

/** `text` with the sync block replaced; throws when the markers are not there exactly once. */
export function withSyncBlock(text, content) {
  return withBlock(text, content, SYNC_DOCUMENT, START, END);
}

export function syncDocumentStale() {
  const text = readFileSync(SYNC_DOCUMENT, 'utf8');
  return withSyncBlock(text, block()) !== text;
}

export function writeSyncDocument() {
  writeFileSync(SYNC_DOCUMENT, withSyncBlock(readFileSync(SYNC_DOCUMENT, 'utf8'), block()));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--write')) writeSyncDocument();
  else if (process.argv.includes('--check')) {
    if (syncDocumentStale()) {
      process.stderr.write(
        'Not taken from bench/results.json: docs/performance.md (run node bench/sync-table.mjs --write)\n',
      );
      process.exit(1);
    }
  } else {
    process.stderr.write('usage: node bench/sync-table.mjs --write | --check\n');
    process.exit(2);
  }
}
