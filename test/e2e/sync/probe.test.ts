/**
 * `sync` with a pool's `probe` (issue 18 item 5), the built bundle in network namespaces this
 * test makes, so every packet stays in them. The pool is 127.77.0.0/24: Linux makes every
 * 127/8 address local on lo, so the front-end's namespace drops that route and keeps only
 *   127.77.0.5 on lo, nothing listening: the kernel refuses (RST), an answer;
 *   127.77.0.6 on lo, a listener on the probe's port: accepted, an answer;
 *   127.77.0.0/24 on a veth pair to a second namespace holding 127.77.0.9 with no route back,
 *   so it answers ARP but never TCP (an ARP answer); .7, .8 and .10 nobody answers.
 * oned's get_address (through the action link, oned's bytes) then skips exactly the answering
 * ones; a dry run sends nothing (the listener sees no connection, the neighbour table stays
 * empty) and holds nothing.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { createCliSandbox, expectCliFailure } from '../../support/cli-harness.ts';
import { expectReply } from '../../support/driver-assert.ts';
import { childEnv, nodeBinary } from '../../support/driver-harness.ts';

const FRONT = `nebipam-probe-${process.pid}`;
const HOST = `nebipam-probe-${process.pid}-h`;
const PORT = 2222;
const TIMEOUT = 30_000;

function ip(...args: string[]): string {
  const run = spawnSync('ip', args, { encoding: 'utf8', timeout: TIMEOUT });
  assert.equal(run.status, 0, `ip ${args.join(' ')}: ${run.stderr}`);
  return run.stdout;
}

/** Writes a sysctl of a namespace (route_localnet lets 127/8 out of lo; no reverse-path check on ARP). */
function sysctl(ns: string, key: string, value: string): void {
  const run = spawnSync('ip', ['netns', 'exec', ns, 'sh', '-c', `echo ${value} > /proc/sys/net/ipv4/conf/${key}`], {
    encoding: 'utf8',
    timeout: TIMEOUT,
  });
  assert.equal(run.status, 0, `${ns} ${key}: ${run.stderr}`);
}

function makeNamespaces(): void {
  ip('netns', 'add', FRONT);
  ip('netns', 'add', HOST);
  for (const ns of [FRONT, HOST]) {
    ip('-n', ns, 'link', 'set', 'lo', 'up');
    ip('-n', ns, 'route', 'del', 'local', '127.0.0.0/8', 'dev', 'lo', 'table', 'local');
  }
  ip('-n', FRONT, 'addr', 'add', '127.77.0.5/32', 'dev', 'lo');
  ip('-n', FRONT, 'addr', 'add', '127.77.0.6/32', 'dev', 'lo');
  ip('-n', FRONT, 'link', 'add', 'pa', 'type', 'veth', 'peer', 'name', 'pb', 'netns', HOST);
  for (const [ns, dev] of [
    [FRONT, 'pa'],
    [HOST, 'pb'],
  ] as const) {
    for (const conf of ['all', dev]) {
      sysctl(ns, `${conf}/route_localnet`, '1');
      sysctl(ns, `${conf}/rp_filter`, '0');
    }
  }
  // .1 is the pool's gateway (never a candidate): the front-end's address on the segment.
  ip('-n', FRONT, 'addr', 'add', '127.77.0.1/24', 'dev', 'pa');
  ip('-n', HOST, 'addr', 'add', '127.77.0.9/32', 'dev', 'pb');
  ip('-n', FRONT, 'link', 'set', 'pa', 'up');
  ip('-n', HOST, 'link', 'set', 'pb', 'up');
}

function deleteNamespaces(): void {
  for (const ns of [FRONT, HOST]) spawnSync('ip', ['netns', 'del', ns], { timeout: TIMEOUT });
}

/** The front-end's neighbour entries in the pool, as `ip neigh` shows them. */
const neighbours = () =>
  ip('-n', FRONT, 'neigh', 'show', 'dev', 'pa')
    .split('\n')
    .filter((line) => line.startsWith('127.77.'));

test('a pool probe holds exactly the free addresses that answer TCP or ARP; get_address skips them; a dry run sends and holds nothing', async (t) => {
  if (process.getuid?.() !== 0) return t.skip('needs root to make network namespaces (CI runs as root)');
  if (spawnSync('ip', ['-V']).status !== 0) return t.skip('needs ip (iproute2) for network namespaces');

  const sandbox = createCliSandbox({
    config: { pools: [{ name: 'loop', network: '127.77.0.0/24', probe: { port: PORT, next: 6, timeoutMs: 300 } }] },
  });
  let listener: ReturnType<typeof spawn> | undefined;
  try {
    makeNamespaces();
    // A listener inside the front-end's namespace, on 127.77.0.6 only; it says each connection.
    listener = spawn(
      'ip',
      [
        'netns',
        'exec',
        FRONT,
        nodeBinary('default'),
        '-e',
        `const s = require('node:net').createServer((c) => { console.log('connection'); c.end(); });
         s.listen(${PORT}, '127.77.0.6', () => console.log('listening'));`,
      ],
      { env: childEnv('default'), stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let heard = '';
    listener.stdout!.setEncoding('utf8');
    listener.stdout!.on('data', (chunk: string) => {
      heard += chunk;
    });
    // spawnSync blocks this process, so the listener's lines are read here, between steps.
    const hear = async (what: string, ms: number) => {
      for (const until = Date.now() + ms; !heard.includes(what) && Date.now() < until; ) await sleep(20);
      return heard.includes(what);
    };
    assert.ok(await hear('listening', TIMEOUT), 'the listener started');

    const ar = sandbox.register({ TYPE: 'IP4', IP: '127.77.0.4', SIZE: '8' });
    assert.equal(expectReply(sandbox.run('get_address', ar.getXml(1)), 'ADDRESS').get('IP'), '127.77.0.4');
    ar.noteLeased(0n);

    const sync = (...args: string[]) => {
      const run = spawnSync('ip', ['netns', 'exec', FRONT, sandbox.program, 'sync', ...args], {
        env: sandbox.env({ ONE_LOCATION: sandbox.oneLocation }),
        encoding: 'utf8',
        timeout: TIMEOUT,
        killSignal: 'SIGKILL',
      });
      assert.equal(run.status, 0, `sync ${args.join(' ')}: ${run.stdout}${run.stderr}`);
      return run.stdout;
    };
    const holds = () =>
      sandbox.json<{ holds: { address: string; pool: string; source: string; reason: string }[] }>(['hold', 'list'])
        .holds;

    sync('--dry-run');
    assert.deepEqual(holds(), [], 'a dry run holds nothing');
    assert.deepEqual(neighbours(), [], 'a dry run sent nothing: no neighbour was asked');
    assert.ok(!(await hear('connection', 500)), 'a dry run sent nothing: the listener saw no connection');

    const before = Date.now();
    const out = sync();
    assert.match(out, /Held 3 addresses seen in use outside the book/);
    assert.ok(await hear('connection', TIMEOUT), 'the listener was connected to');
    const held = holds();
    assert.deepEqual(
      held.map(({ address, pool, source }) => [address, pool, source]),
      [
        ['127.77.0.5', 'loop', 'probe'],
        ['127.77.0.6', 'loop', 'probe'],
        ['127.77.0.9', 'loop', 'probe'],
      ],
      'refused, accepted and ARP-only answer; .7, .8, .10 nobody answers; .4 is leased and never asked',
    );
    const [refused, accepted, arp] = held;
    assert.match(refused!.reason, new RegExp(`^answered TCP on port ${PORT} at \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z$`));
    assert.match(accepted!.reason, new RegExp(`^answered TCP on port ${PORT} at `));
    assert.match(arp!.reason, /^answered ARP at \d{4}-\d\d-\d\dT[\d:.]+Z$/);
    for (const { reason } of held) {
      const at = Date.parse(reason.slice(reason.lastIndexOf(' at ') + 4));
      assert.ok(at >= before - 1000 && at <= Date.now(), reason);
    }
    assert.ok(
      neighbours().some((line) => line.startsWith('127.77.0.9 ') && !line.includes('INCOMPLETE')),
      neighbours().join('\n'),
    );
    const shown = sandbox.cli(['show', '127.77.0.9']);
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(
      shown.stdout,
      /^127\.77\.0\.9 is free \(range r1, pool loop\); held, never handed out: answered ARP at \S+ \(probe, seen since \S+; nebula-ipam hold release 127\.77\.0\.9\)\n$/,
    );

    // oned's get_address skips the held ones: .7, .8, .10, .11 are what is left.
    const picked: string[] = [];
    for (let i = 0; i < 4; i++) {
      const address = expectReply(sandbox.run('get_address', ar.getXml(1)), 'ADDRESS').get('IP')!;
      ar.noteLeased(ar.indexOf(address));
      picked.push(address);
    }
    assert.deepEqual(picked, ['127.77.0.7', '127.77.0.8', '127.77.0.10', '127.77.0.11']);
  } finally {
    if (listener?.pid !== undefined && listener.exitCode === null) process.kill(listener.pid, 'SIGKILL');
    deleteNamespaces();
    sandbox.cleanup();
  }
});

test('a bad probe port is one stderr line naming the key and the value, exit 4; no targets and no probe is refused as before', () => {
  const bad = createCliSandbox({
    config: { pools: [{ name: 'loop', network: '127.77.0.0/24', probe: { port: 0 } }] },
    book: 'none',
  });
  try {
    expectCliFailure(bad.cli(['sync']), 4, ['pools[0].probe.port', 'from 1 to 65535, not 0']);
  } finally {
    bad.cleanup();
  }
  const none = createCliSandbox({ config: { pools: [{ name: 'loop', network: '127.77.0.0/24' }] } });
  try {
    expectCliFailure(none.cli(['sync']), 4, ['Cannot sync', 'names no targets and no pool probes']);
  } finally {
    none.cleanup();
  }
});
