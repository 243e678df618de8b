/**
 * The etcd backend's files and secrets (issue 16 items 3, TLS part, and 4), black-box through the
 * built bundle as separate processes: TLS files are read on the first https connection only,
 * without blocking, regular files only, capped; the key and a config holding a password or
 * naming a key are refused when group or others can read or write them. The https cases talk to
 * a fake gateway over TLS that asks for a client certificate (openssl makes a throwaway CA) and
 * passes requests on to a real etcd member.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { createCliSandbox, type CliSandbox } from '../../../support/cli-harness.ts';
import { expectReply } from '../../../support/driver-assert.ts';
import { OnedAr, registerXml } from '../../../support/driver-harness.ts';
import { startEtcdCluster, type EtcdCluster } from '../../../support/etcd-cluster.ts';
import { startFakeGateway, type FakeGateway } from '../../../support/fake-gateway.ts';
import { spawnAction, spawnCli, type ActionRun } from '../../../torture/spawn-action.ts';

/** A hung child is killed this long after its start: far past any answer here, well before the harness's own limit. */
const HANG_MS = 15_000;

let cluster: EtcdCluster;
/** Throwaway PKI (undefined when openssl is not installed). */
let pki:
  | { dir: string; ca: string; serverKey: string; serverCert: string; clientKey: string; clientCert: string }
  | undefined;
let tlsGateway: FakeGateway | undefined;

before(async () => {
  cluster = await startEtcdCluster(1);
  pki = makePki();
  if (pki) {
    const read = (file: string) => fs.readFileSync(file, 'utf8');
    tlsGateway = await startFakeGateway(cluster.endpoints[0], 'pass', {
      key: read(pki.serverKey),
      cert: read(pki.serverCert),
      ca: read(pki.ca),
    });
  }
});
after(async () => {
  await tlsGateway?.close();
  await cluster?.stop();
  if (pki) fs.rmSync(pki.dir, { recursive: true, force: true });
});

function makePki(): typeof pki {
  if (spawnSync('openssl', ['version']).status !== 0) return undefined;
  const dir = fs.mkdtempSync(path.join(fs.realpathSync('/tmp'), 'nebula-pki-'));
  const at = (name: string) => path.join(dir, name);
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  ssl(
    'req',
    '-x509',
    ...ec,
    '-keyout',
    at('ca.key'),
    '-out',
    at('ca.pem'),
    '-subj',
    '/CN=nebula-ipam test CA',
    '-days',
    '2',
  );
  fs.writeFileSync(at('server.ext'), 'subjectAltName=IP:127.0.0.1\n');
  for (const who of ['server', 'client']) {
    ssl('req', ...ec, '-keyout', at(`${who}.key`), '-out', at(`${who}.csr`), '-subj', `/CN=${who}`);
    ssl(
      'x509',
      '-req',
      '-in',
      at(`${who}.csr`),
      '-CA',
      at('ca.pem'),
      '-CAkey',
      at('ca.key'),
      '-CAcreateserial',
      '-out',
      at(`${who}.pem`),
      '-days',
      '2',
      ...(who === 'server' ? ['-extfile', at('server.ext')] : []),
    );
    fs.chmodSync(at(`${who}.key`), 0o600);
  }
  return {
    dir,
    ca: at('ca.pem'),
    serverKey: at('server.key'),
    serverCert: at('server.pem'),
    clientKey: at('client.key'),
    clientCert: at('client.pem'),
  };
}

const POOLS = [{ name: 'lab', network: '10.42.0.0/16', subnetPrefix: 24, gateway: 'first', default: true }];
let drivers = 0;

/**
 * A CLI sandbox on etcd, its config 0600. Its book is made by an init run as a child this process
 * does not block on (a fake gateway may answer from here); `book: 'none'` where nothing answers.
 */
async function sandbox(backend: object, book: 'init' | 'none' = 'init'): Promise<CliSandbox> {
  const driver = `sec${++drivers}`;
  const s = createCliSandbox({
    driver,
    config: {
      backend: { type: 'etcd', prefix: `/nebula-ipam/secrets-${driver}`, timeoutMs: 1_000, ...backend },
      lockTimeoutMs: 5_000,
      pools: POOLS,
    },
    book: 'none',
  });
  fs.chmodSync(s.configPath!, 0o600);
  if (book === 'init') {
    const init = await spawnCli(s, ['init'], { killAfterMs: HANG_MS });
    assert.equal(init.code, 0, `init: ${init.stderr}`);
  }
  return s;
}

const result = (run: ActionRun) => ({ code: run.code ?? -1, stdout: run.stdout, stderr: run.stderr });

async function register(s: CliSandbox): Promise<OnedAr> {
  const run = await spawnAction(s, 'register_address_range', registerXml({ IPAM_MAD: s.driver, SIZE: '16' }), {
    requestId: '1',
    killAfterMs: HANG_MS,
  });
  assert.equal(run.killedByUs, false, `register_address_range hung: ${run.stderr}`);
  return new OnedAr(expectReply(result(run), 'AR'));
}

/** Exit `code`, nothing on stdout, one stderr line matching `line`; and it did not hang. */
function expectRefused(run: ActionRun, code: number, line: RegExp): void {
  assert.equal(run.killedByUs, false, `${run.action} hung until killed after ${HANG_MS} ms`);
  assert.equal(run.code, code, `${run.action} exited ${run.code}: ${run.stderr}`);
  assert.equal(run.stdout, '');
  assert.match(run.stderr, /^[^\n]+\n$/, 'one line');
  assert.match(run.stderr, line);
}

test('a FIFO at backend.tls.ca with http-only endpoints: never opened, every action and command works', async () => {
  const s = await sandbox({ endpoints: cluster.endpoints, tls: { ca: '/nonexistent-placeholder' } });
  try {
    const fifo = path.join(s.dir, 'ca.pem');
    execFileSync('mkfifo', [fifo]);
    const config = JSON.parse(fs.readFileSync(s.configPath!, 'utf8')) as { backend: { tls: { ca: string } } };
    config.backend.tls.ca = fifo;
    fs.writeFileSync(s.configPath!, JSON.stringify(config));
    const ar = await register(s);
    const got = await spawnAction(s, 'get_address', ar.getXml(1), { requestId: '2', killAfterMs: HANG_MS });
    assert.equal(got.killedByUs, false, 'get_address did not hang on the FIFO');
    assert.equal(got.code, 0, got.stderr);
    const status = await spawnCli(s, ['status'], { killAfterMs: HANG_MS });
    assert.equal(status.code, 0, status.stderr);
  } finally {
    s.cleanup();
  }
});

test('a FIFO, a directory or an oversized file at a TLS path of an https endpoint: refused at once with one line, exit 4', async () => {
  const s = await sandbox({ endpoints: ['https://127.0.0.1:9'] }, 'none');
  try {
    const fifo = path.join(s.dir, 'ca.fifo');
    execFileSync('mkfifo', [fifo]);
    const big = path.join(s.dir, 'big.pem');
    fs.writeFileSync(big, Buffer.alloc(2 * 1024 * 1024, 0x41));
    for (const [file, why] of [
      [fifo, /: it is a FIFO \(named pipe\), not a regular file/],
      [s.dir, /: it is a directory, not a regular file/],
      [big, /: it holds 2 MiB, more than the 1 MiB backend\.tls\.ca can be/],
    ] as const) {
      const config = JSON.parse(fs.readFileSync(s.configPath!, 'utf8')) as { backend: Record<string, unknown> };
      config.backend.tls = { ca: file };
      fs.writeFileSync(s.configPath!, JSON.stringify(config));
      const run = await spawnCli(s, ['status'], { killAfterMs: HANG_MS });
      expectRefused(
        run,
        4,
        new RegExp(
          `^Cannot (open|read) backend\\.tls\\.ca ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: it (is|holds) `,
        ),
      );
      assert.match(run.stderr, why);
    }
  } finally {
    s.cleanup();
  }
});

test('https with a client certificate: the files are read and used; a key group or others can read is refused with the chmod', async (t) => {
  if (!pki || !tlsGateway) return t.skip('openssl is not installed: no certificates to test https with');
  const key = path.join(pki.dir, 'client-copy.key');
  fs.copyFileSync(pki.clientKey, key);
  fs.chmodSync(key, 0o600);
  const s = await sandbox({ endpoints: [tlsGateway.url], tls: { ca: pki.ca, cert: pki.clientCert, key } });
  try {
    const ar = await register(s);
    const got = await spawnAction(s, 'get_address', ar.getXml(1), { requestId: '3', killAfterMs: HANG_MS });
    assert.equal(got.code, 0, `get_address over https with a client certificate: ${got.stderr}`);
    for (const mode of [0o640, 0o604, 0o620]) {
      fs.chmodSync(key, mode);
      const run = await spawnAction(s, 'get_address', ar.getXml(1), { requestId: '4', killAfterMs: HANG_MS });
      expectRefused(
        run,
        4,
        new RegExp(
          `^Cannot read backend\\.tls\\.key ${key}: it is a private key but its mode is 0${mode.toString(8)}, so group or others can (read|write) it; nothing was changed, run: chmod 600 ${key}\\n$`,
        ),
      );
    }
  } finally {
    s.cleanup();
  }
});

test('a config holding backend.password that group or others can write (0622) is refused before anything is sent; 0600 is fine', async () => {
  const recorder = await startFakeGateway(undefined);
  const s = await sandbox({ endpoints: [recorder.url], user: 'nebula', password: 'secret-of-nebula' }, 'none');
  try {
    for (const mode of [0o622, 0o602, 0o640, 0o604]) {
      fs.chmodSync(s.configPath!, mode);
      for (const run of [
        await spawnCli(s, ['status'], { killAfterMs: HANG_MS }),
        await spawnAction(s, 'register_address_range', registerXml({ IPAM_MAD: s.driver, SIZE: '16' }), {
          requestId: '5',
          killAfterMs: HANG_MS,
        }),
      ]) {
        expectRefused(
          run,
          4,
          new RegExp(
            `^Cannot load config ${s.configPath}: it holds backend\\.password but its mode is 0${mode.toString(8)}, so group or others can [a-z ]+ it; nothing was changed, run: chmod 600 ${s.configPath}\\n$`,
          ),
        );
      }
    }
    assert.equal(recorder.received.length, 0, 'nothing, the password least of all, was sent anywhere');
    fs.chmodSync(s.configPath!, 0o600);
    await spawnCli(s, ['status'], { killAfterMs: HANG_MS });
    assert.ok(
      recorder.received.some((r) => r.path === '/v3/auth/authenticate'),
      'at 0600 the config is used',
    );
  } finally {
    await recorder.close();
    s.cleanup();
  }
});

test('a config naming backend.tls.key that group or others can read or write is refused, with the chmod', async () => {
  const s = await sandbox({
    endpoints: cluster.endpoints,
    tls: { cert: '/etc/nebula-ipam/client.pem', key: '/etc/nebula-ipam/client.key' },
  });
  try {
    for (const mode of [0o644, 0o660, 0o606]) {
      fs.chmodSync(s.configPath!, mode);
      expectRefused(
        await spawnCli(s, ['status'], { killAfterMs: HANG_MS }),
        4,
        /^Cannot load config [^\n]*: it holds backend\.tls\.key but its mode is 0[0-7]{3}, [^\n]*run: chmod 600 /,
      );
    }
  } finally {
    s.cleanup();
  }
});
