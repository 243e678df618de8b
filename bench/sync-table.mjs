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
import { RESULTS } from './results-table.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const SYNC_DOCUMENT = join(ROOT, 'docs', 'performance.md');
const START = '<!-- sync-bench-results -->';
const END = '<!-- /sync-bench-results -->';

/** @param {number | undefined} v @param {number} [digits] */
const fmt = (v, digits = 1) => (v !== undefined && Number.isFinite(v) ? v.toFixed(digits) : '-');
const seconds = (ms) => `${fmt(ms / 1000, 2)} s`;

/**
 * @param {any} sync the `sync` part of bench/results.json
 * @returns {string}
 */
export function syncMarkdown(sync) {
  if (!sync) return 'No sync figures yet: run `npm run bench:sync`.';
  const m = sync.machine;
  const lines = [
    `From \`bench/results.json\` (\`npm run bench:sync\`, ${sync.date.slice(0, 10)}; ${m.cpu ?? 'unknown CPU'}, ${m.cores} cores, Node ${m.node}), a book of ${sync.leases.toLocaleString('en')} leases (an A, a PTR and a Kea lease each):`,
    '',
    '| DNS server | first sync (needs < 30 s) | changes sent | pass with nothing to change, median / max (needs < 2 s) |',
    '|---|---:|---:|---:|',
    ...sync.dns.map(
      (d) =>
        `| ${d.server} | ${seconds(d.firstPassMs)} | ${d.firstPassChanges.toLocaleString('en')} | ${seconds(d.noChangeMedianMs)} / ${seconds(d.noChangeMaxMs)} (${d.noChangePasses} passes) |`,
    ),
  ];
  const f = sync.follow;
  if (f)
    lines.push(
      '',
      `- Under \`sync --follow\` (${f.server}), from the end of a get_address until its A, PTR and Kea lease are all there (needs < 2 s): ${seconds(f.medianMs)} median, ${seconds(f.maxMs)} max over ${f.leases} leases.`,
    );
  if (sync.actions?.length) {
    lines.push(
      '',
      '| driver actions, same book | n | get_address median ms | ratio | free_address median ms | ratio | bare node ms |',
      '|---|---:|---:|---:|---:|---:|---:|',
      ...sync.actions.map(
        (a) =>
          `| ${a.config} | ${a.n} | ${fmt(a.getMedianMs)} | ${fmt(a.getRatio, 2)}x | ${fmt(a.freeMedianMs)} | ${fmt(a.freeRatio, 2)}x | ${fmt(a.baselineMs)} |`,
      ),
    );
  }
  return lines.join('\n');
}

function block() {
  return syncMarkdown(JSON.parse(readFileSync(RESULTS, 'utf8')).sync);
}

/** `text` with the sync block replaced; throws when the markers are not there exactly once. */
export function withSyncBlock(text, content) {
  const from = text.indexOf(START);
  const to = text.indexOf(END);
  if (from < 0 || to < from || text.indexOf(START, from + 1) >= 0)
    throw new Error(`${SYNC_DOCUMENT} must hold ${START} ... ${END} exactly once`);
  return `${text.slice(0, from + START.length)}\n${content}\n${text.slice(to)}`;
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
