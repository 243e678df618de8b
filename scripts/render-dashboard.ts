/**
 * Renders docs/img/grafana-dashboard.png: the panels of docs/grafana-dashboard.json drawn from
 * real `nebula-ipam metrics` output, for the README (no Grafana server needed).
 *
 * It drives the built bundle as oned and an operator would, one simulated hour per step (ranges
 * registered, addresses handed out and freed by oned, operator leases), scrapes `metrics` after
 * each step, and draws the same queries the dashboard makes: pool utilisation over time, free
 * addresses per range (last scrape), leases by holder (stacked), the book's generation. Headless
 * Chromium turns the page into the PNG.
 *
 *   node build.mjs && node --import tsx scripts/render-dashboard.ts [--html-only]
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { expectReply } from '../test/support/driver-assert.ts';
import { createCliSandbox } from '../test/support/cli-harness.ts';
import { REPO_ROOT, type OnedAr } from '../test/support/driver-harness.ts';

interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}
interface Scrape {
  readonly hour: number;
  readonly samples: readonly Sample[];
}

function parse(text: string): Sample[] {
  return text
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((line) => {
      const m = /^([a-z_]+)\{(.*)\} (\S+)$/.exec(line);
      if (!m) throw new Error(`not a sample: ${line}`);
      const labels = Object.fromEntries(
        [...m[2]!.matchAll(/([a-z_]+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1]!, l[2]!]),
      );
      return { name: m[1]!, labels, value: Number(m[3]) };
    });
}

/** A day of a small cloud, scraped hourly. */
function simulate(): Scrape[] {
  const s = createCliSandbox({
    driver: 'nebula',
    config: {
      pools: [
        { name: 'private', network: '10.20.0.0/22', subnetPrefix: 24, default: true },
        { name: 'lab', network: '10.30.0.0/24', subnetPrefix: 26 },
        { name: 'public6', network: '2001:db8:100::/48', subnetPrefix: 64 },
      ],
    },
  });
  try {
    const ars: OnedAr[] = [];
    const vms: { ar: OnedAr; index: bigint }[] = [];
    let request = 1;
    const getAddress = (ar: OnedAr) => {
      const reply = expectReply(s.run('get_address', ar.getXml(1), { requestId: String(request++) }), 'ADDRESS');
      const index = ar.indexOf(reply.get('IP')!);
      ar.noteLeased(index);
      vms.push({ ar, index });
    };
    const scrapes: Scrape[] = [];
    for (let hour = 0; hour < 24; hour++) {
      if (hour === 0 || hour === 6 || hour === 14)
        ars.push(s.register({ IPAM_POOL: 'private', SIZE: hour === 0 ? '120' : '200' }, String(request++)));
      if (hour === 3) ars.push(s.register({ IPAM_POOL: 'lab', SIZE: '60' }, String(request++)));
      const busy = hour >= 8 && hour <= 18 ? 9 : 3;
      for (let i = 0; i < busy; i++) {
        const ar = ars[(hour + i) % ars.length]!;
        if (BigInt(ar.leased.size) < ar.size) getAddress(ar);
      }
      // Some VMs go away (oned frees one address per call).
      for (let i = 0; i < (hour % 4 === 3 ? 5 : 1) && vms.length > 10; i++) {
        const { ar, index } = vms.splice((hour * 7 + i) % vms.length, 1)[0]!;
        if (s.run('free_address', ar.freeXml(index), { requestId: String(request++) }).code === 0) ar.noteFreed(index);
      }
      if (hour === 5 || hour === 12) s.cli(['lease', '--pool', 'lab', '--count', '8', '--owner', `rack-${hour}`]);
      if (hour === 20) s.cli(['release', '--owner', 'rack-5']);
      const metrics = s.cli(['metrics']);
      if (metrics.code !== 0) throw new Error(metrics.stderr);
      scrapes.push({ hour, samples: parse(metrics.stdout) });
    }
    return scrapes;
  } finally {
    s.cleanup();
  }
}

// ---------------------------------------------------------------------------------------------
// Drawing, in the colours of Grafana's dark theme.

const COLORS = ['#73bf69', '#f2cc0c', '#8ab8ff', '#ff780a', '#f2495c', '#5794f2', '#b877d9'];
const esc = (t: string) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;');

function panel(x: number, y: number, w: number, h: number, title: string, body: string): string {
  return `<g transform="translate(${x},${y})"><rect width="${w}" height="${h}" rx="3" fill="#181b1f" stroke="#2c3235"/>
<text x="12" y="22" fill="#ccccdc" font-size="14" font-weight="500">${esc(title)}</text>${body}</g>`;
}

function lines(
  series: { name: string; points: number[] }[],
  w: number,
  h: number,
  opts: { max: number; percent?: boolean; stacked?: boolean; thresholds?: number[] },
): string {
  const left = 48,
    top = 36,
    right = 12,
    bottom = 44;
  const pw = w - left - right,
    ph = h - top - bottom;
  const n = series[0]?.points.length ?? 0;
  const xAt = (i: number) => left + (n <= 1 ? 0 : (i / (n - 1)) * pw);
  const yAt = (v: number) => top + ph - (v / opts.max) * ph;
  let out = '';
  for (let k = 0; k <= 4; k++) {
    const v = (opts.max * k) / 4;
    out += `<line x1="${left}" x2="${left + pw}" y1="${yAt(v)}" y2="${yAt(v)}" stroke="#2c3235"/><text x="${left - 6}" y="${yAt(v) + 4}" fill="#8e8e8e" font-size="11" text-anchor="end">${opts.percent ? `${Math.round(v * 100)}%` : Math.round(v)}</text>`;
  }
  for (let i = 0; i < n; i += 4)
    out += `<text x="${xAt(i)}" y="${top + ph + 16}" fill="#8e8e8e" font-size="11" text-anchor="middle">${String(i).padStart(2, '0')}:00</text>`;
  for (const t of opts.thresholds ?? [])
    out += `<line x1="${left}" x2="${left + pw}" y1="${yAt(t)}" y2="${yAt(t)}" stroke="${t >= 0.9 ? '#f2495c' : '#ff9830'}" stroke-dasharray="6 4"/>`;
  const base = new Array(n).fill(0);
  series.forEach((s, k) => {
    const color = COLORS[k % COLORS.length]!;
    const tops = s.points.map((v, i) => (opts.stacked ? base[i] + v : v));
    const path = tops.map((v, i) => `${i ? 'L' : 'M'}${xAt(i).toFixed(1)},${yAt(v).toFixed(1)}`).join(' ');
    if (opts.stacked) {
      const under = base
        .map((v, i) => `L${xAt(i).toFixed(1)},${yAt(v).toFixed(1)}`)
        .reverse()
        .join(' ');
      out += `<path d="${path} ${under} Z" fill="${color}" fill-opacity="0.35"/>`;
      tops.forEach((v, i) => {
        base[i] = v;
      });
    }
    out += `<path d="${path}" fill="none" stroke="${color}" stroke-width="2"/>`;
    out += `<rect x="${left + k * 170}" y="${h - 18}" width="12" height="4" fill="${color}"/><text x="${left + k * 170 + 18}" y="${h - 12}" fill="#ccccdc" font-size="12">${esc(s.name)}</text>`;
  });
  return out;
}

function bars(items: { name: string; value: number }[], w: number, max: number): string {
  const left = 150,
    top = 40,
    rowH = 30;
  return items
    .map((item, k) => {
      const width = Math.max(2, ((w - left - 70) * item.value) / max);
      const color = item.value < 5 ? '#f2495c' : item.value < 20 ? '#ff9830' : '#73bf69';
      const y = top + k * rowH;
      return `<text x="12" y="${y + 15}" fill="#ccccdc" font-size="12">${esc(item.name)}</text><rect x="${left}" y="${y}" width="${w - left - 70}" height="20" fill="#22252b"/><rect x="${left}" y="${y}" width="${width}" height="20" fill="${color}"/><text x="${w - 12}" y="${y + 15}" fill="${color}" font-size="14" text-anchor="end" font-weight="500">${item.value}</text>`;
    })
    .join('');
}

function page(scrapes: Scrape[]): string {
  const last = scrapes[scrapes.length - 1]!;
  const pools = [
    ...new Set(
      last.samples
        .filter((x) => x.name === 'nebula_ipam_pool_utilisation_ratio' && x.labels.family === 'ipv4')
        .map((x) => `${x.labels.pool} (${x.labels.network})`),
    ),
  ];
  const value = (scrape: Scrape, name: string, match: (l: Readonly<Record<string, string>>) => boolean) =>
    scrape.samples.filter((x) => x.name === name && match(x.labels)).reduce((n, x) => n + x.value, 0);
  const utilisation = pools.map((p) => ({
    name: p,
    points: scrapes.map((sc) =>
      value(sc, 'nebula_ipam_pool_utilisation_ratio', (l) => `${l.pool} (${l.network})` === p),
    ),
  }));
  const holders = ['opennebula', 'operator'].map((h) => ({
    name: h,
    points: scrapes.map((sc) =>
      value(sc, 'nebula_ipam_range_used_addresses', (l) => l.holder === h && l.family === 'ipv4'),
    ),
  }));
  const free = last.samples
    .filter((x) => x.name === 'nebula_ipam_range_free_addresses' && x.labels.family === 'ipv4')
    .map((x) => ({ name: `${x.labels.range} ${x.labels.network}`, value: x.value }));
  const generation = value(last, 'nebula_ipam_book_generation', () => true);
  const maxHeld = Math.max(...holders[0]!.points.map((v, i) => v + holders[1]!.points[i]!));
  const W = 1400,
    H = 760;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="Inter, Helvetica, Arial, sans-serif">
<rect width="${W}" height="${H}" fill="#111217"/>
<text x="16" y="30" fill="#ccccdc" font-size="18" font-weight="500">nebula-ipam</text>
<text x="130" y="30" fill="#8e8e8e" font-size="13">Driver: nebula · Family: ipv4 · Last 24 hours</text>
${panel(8, 48, 810, 370, 'Pool utilisation over time', lines(utilisation, 810, 370, { max: 1, percent: true, thresholds: [0.7, 0.9] }))}
${panel(826, 48, 566, 370, 'Free addresses per range', bars(free, 566, Math.max(...free.map((f) => f.value))))}
${panel(8, 426, 810, 326, 'Leases by holder', lines(holders, 810, 326, { max: Math.ceil(maxHeld / 50) * 50, stacked: true }))}
${panel(826, 426, 566, 326, 'Book generation', `<text x="283" y="190" fill="#5794f2" font-size="72" font-weight="500" text-anchor="middle">${generation}</text><text x="283" y="230" fill="#8e8e8e" font-size="13" text-anchor="middle">nebula</text>`)}
</svg>`;
  return `<!doctype html><html><head><meta charset="utf-8"><style>html,body{margin:0;background:#111217}</style></head><body>${svg}</body></html>\n`;
}

const scrapes = simulate();
const html = page(scrapes);
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'nebula-ipam-dashboard-'));
const htmlFile = path.join(work, 'dashboard.html');
fs.writeFileSync(htmlFile, html);
const png = path.join(REPO_ROOT, 'docs', 'img', 'grafana-dashboard.png');
if (process.argv.includes('--html-only')) {
  console.log(htmlFile);
} else {
  const browser = ['chromium', 'chromium-browser', 'google-chrome'].find(
    (b) => spawnSync('sh', ['-c', `command -v ${b}`]).status === 0,
  );
  if (!browser) throw new Error('no chromium on the PATH (apt-get install chromium), or use --html-only');
  const shot = spawnSync(
    browser,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--hide-scrollbars',
      '--window-size=1400,760',
      `--screenshot=${png}`,
      `file://${htmlFile}`,
    ],
    { encoding: 'utf8', timeout: 120_000 },
  );
  if (shot.status !== 0 || !fs.existsSync(png)) throw new Error(`chromium failed: ${shot.stderr}`);
  fs.rmSync(work, { recursive: true, force: true });
  console.log(`wrote ${png}`);
}
