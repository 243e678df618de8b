/**
 * A real etcd cluster for the tests: 3 members (by default) on 127.0.0.1, on ports of its own
 * (a free block of 6 above 24000, never etcd's 2379/2380), data and zap logs in a temp dir, each
 * member stopped by its process id. Elections are fast (heartbeat 50 ms, election 500 ms) so a
 * killed leader is replaced within about a second.
 *
 * etcd must be installed (`.ci/run` installs Debian's etcd-server); without it the tests that
 * need it fail with a message saying so, never skip.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

export interface EtcdMember {
  readonly name: string;
  readonly clientUrl: string;
  readonly peerUrl: string;
  readonly dataDir: string;
  readonly logFile: string;
  process: ChildProcess | undefined;
}

export interface EtcdCluster {
  readonly dir: string;
  readonly members: readonly EtcdMember[];
  /** Every member's client URL, first member first. */
  readonly endpoints: readonly string[];
  /** The index of the current leader (waits until there is one, up to 10 s). */
  leader(): Promise<number>;
  /** SIGKILL (or `signal`) one member and wait for it to be gone. */
  kill(index: number, signal?: NodeJS.Signals): Promise<void>;
  /** Starts a stopped member again on its data. */
  restart(index: number): Promise<void>;
  /** Every member up and a leader elected. */
  healthy(): Promise<void>;
  stop(): Promise<void>;
}

const living = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of living)
    if (child.pid)
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
});

export function etcdBinary(): string {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const binary = path.join(dir || '.', 'etcd');
    try {
      fs.accessSync(binary, fs.constants.X_OK);
      return binary;
    } catch {
      // Not in this directory.
    }
  }
  throw new Error(
    `etcd is not installed (not on PATH ${process.env.PATH}): the etcd backend tests need a real etcd; install Debian's etcd-server (apt-get install etcd-server), as .ci/run does`,
  );
}

export interface EtcdClusterOptions {
  /** `--quota-backend-bytes` of every member (etcd's default: 2 GiB). */
  readonly quotaBytes?: number;
}

export async function startEtcdCluster(size = 3, options: EtcdClusterOptions = {}): Promise<EtcdCluster> {
  const binary = etcdBinary();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nebula-etcd-'));
  const base = await freePortBlock(size * 2);
  const members: EtcdMember[] = Array.from({ length: size }, (_, i) => ({
    name: `m${i}`,
    clientUrl: `http://127.0.0.1:${base + 2 * i}`,
    peerUrl: `http://127.0.0.1:${base + 2 * i + 1}`,
    dataDir: path.join(dir, `m${i}`),
    logFile: path.join(dir, `m${i}.log`),
    process: undefined,
  }));
  const initialCluster = members.map((m) => `${m.name}=${m.peerUrl}`).join(',');

  const launch = (member: EtcdMember) => {
    const child = spawn(
      binary,
      [
        '--name',
        member.name,
        '--data-dir',
        member.dataDir,
        '--listen-client-urls',
        member.clientUrl,
        '--advertise-client-urls',
        member.clientUrl,
        '--listen-peer-urls',
        member.peerUrl,
        '--initial-advertise-peer-urls',
        member.peerUrl,
        '--initial-cluster',
        initialCluster,
        '--initial-cluster-state',
        'new',
        '--initial-cluster-token',
        path.basename(dir),
        '--heartbeat-interval',
        '50',
        '--election-timeout',
        '500',
        '--logger',
        'zap',
        '--log-outputs',
        member.logFile,
        ...(options.quotaBytes === undefined ? [] : ['--quota-backend-bytes', String(options.quotaBytes)]),
      ],
      { stdio: 'ignore', env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } },
    );
    living.add(child);
    child.on('exit', () => living.delete(child));
    member.process = child;
  };

  const waitGone = (child: ChildProcess) =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
    });

  const cluster: EtcdCluster = {
    dir,
    members,
    endpoints: members.map((m) => m.clientUrl),
    async leader() {
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline) {
        for (const [i, m] of members.entries()) {
          if (!m.process) continue;
          const status = (await post(m.clientUrl, '/v3/maintenance/status', {}).catch(() => undefined)) as
            | { leader?: string; header?: { member_id?: string } }
            | undefined;
          if (status?.leader && status.leader !== '0' && status.leader === status.header?.member_id) return i;
        }
        await sleep(50);
      }
      throw new Error(`etcd cluster in ${dir}: no leader within 10 s (see the members' logs there)`);
    },
    async kill(index, signal = 'SIGKILL') {
      const child = members[index]!.process;
      if (!child?.pid) return;
      process.kill(child.pid, signal);
      await waitGone(child);
      members[index]!.process = undefined;
    },
    async restart(index) {
      launch(members[index]!);
      await waitHealthy(members[index]!, dir);
    },
    async healthy() {
      for (const m of members) if (m.process) await waitHealthy(m, dir);
      await cluster.leader();
    },
    async stop() {
      for (let i = 0; i < members.length; i++) await cluster.kill(i, 'SIGTERM');
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  members.forEach(launch);
  try {
    await cluster.healthy();
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  return cluster;
}

async function waitHealthy(member: EtcdMember, dir: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (!member.process || member.process.exitCode !== null) {
      throw new Error(
        `etcd member ${member.name} exited at start; its log: ${member.logFile} (${tail(member.logFile)})`,
      );
    }
    const ok = await post(member.clientUrl, '/v3/kv/range', { key: Buffer.from('health').toString('base64') }).then(
      () => true,
      () => false,
    );
    if (ok) return;
    await sleep(50);
  }
  throw new Error(`etcd member ${member.name} in ${dir} not healthy within 15 s; its log: ${member.logFile}`);
}

function tail(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8').slice(-400);
  } catch {
    return 'no log';
  }
}

/** One gateway call for the harness itself (the product's client is what the tests test). */
export async function post(url: string, pathName: string, body: unknown, timeoutMs = 1_000): Promise<unknown> {
  const http = await import('node:http');
  return new Promise((resolve, reject) => {
    const request = http.request(
      new URL(pathName, url),
      { method: 'POST', headers: { 'content-type': 'application/json' }, timeout: timeoutMs },
      (response) => {
        const parts: Buffer[] = [];
        response.on('data', (p: Buffer) => parts.push(p));
        response.on('end', () => {
          const text = Buffer.concat(parts).toString('utf8');
          if (response.statusCode !== 200) return reject(new Error(`${pathName}: HTTP ${response.statusCode} ${text}`));
          try {
            resolve(JSON.parse(text));
          } catch (error) {
            reject(error);
          }
        });
      },
    );
    request.on('timeout', () => request.destroy(new Error('timeout')));
    request.on('error', reject);
    request.end(JSON.stringify(body));
  });
}

/** A block of `count` consecutive free ports on 127.0.0.1, picked at random above 24000. */
async function freePortBlock(count: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 24_000 + 10 * Math.floor(Math.random() * 3_000);
    let free = true;
    for (let port = base; port < base + count && free; port++) free = await portFree(port);
    if (free) return base;
  }
  throw new Error('no free block of ports for an etcd test cluster');
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
