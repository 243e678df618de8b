/**
 * A real Kea for the tests: `kea-dhcp4` with the lease_cmds hook and `kea-ctrl-agent` in front of
 * it, from Debian's packages, everything in a temp dir: the memfile lease file (persisted, no
 * lease file cleanup), the control socket, the logs, and the PID and lock files (KEA_PIDFILE_DIR,
 * KEA_LOCKFILE_DIR: without them Kea writes under /run/kea and /var/lib/kea). DHCP on 127.0.0.1
 * with UDP sockets (loopback cannot take raw ones) on a free high port (`-p`), and its answers to
 * a relay sent to a second free port (`-P`, which the relayed test client on 127.0.0.2 binds);
 * the agent on 127.0.0.1 and a free high port. Ready when the log says the server started and
 * the agent forwards a command to it (bounded); stopped by PID, also when the test process dies.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { freeDnsPort, requireBinary, type ServerProcess, startProcess } from './dns-server-process.ts';
import type { DhcpServerAddress } from './dhcp-client.ts';
import { post } from './etcd-cluster.ts';

export interface KeaServerOptions {
  /** Kea's `subnet4` list, as in kea-dhcp4.conf. */
  readonly subnets: readonly Record<string, unknown>[];
  /** Kea's `client-classes` (e.g. a DROP class), if any. */
  readonly clientClasses?: readonly Record<string, unknown>[];
  /** Lifetime Kea gives on renewal (its `valid-lifetime`), seconds. */
  readonly validLifetime?: number;
}

export interface KeaServer {
  readonly dir: string;
  /** The control agent, e.g. http://127.0.0.1:24567/ */
  readonly agentUrl: string;
  /** Where the relayed test client sends and listens. */
  readonly dhcp: DhcpServerAddress;
  /** A command through the agent, by the harness's own plain HTTP (to plant leases). */
  command(command: string, args?: unknown): Promise<{ result: number; text: string; arguments?: unknown }>;
  readonly agent: ServerProcess;
  readonly dhcp4: ServerProcess;
  stop(): Promise<void>;
}

const KEA_DHCP4 = '/usr/sbin/kea-dhcp4';
const KEA_AGENT = '/usr/sbin/kea-ctrl-agent';

/** The lease_cmds hook of the installed Kea (its directory depends on the architecture). */
export function leaseCommandsHook(): string {
  const candidates = [
    '/usr/lib/kea/hooks',
    ...fs.readdirSync('/usr/lib').map((d) => path.join('/usr/lib', d, 'kea', 'hooks')),
  ];
  for (const dir of candidates) {
    const file = path.join(dir, 'libdhcp_lease_cmds.so');
    if (fs.existsSync(file)) return file;
  }
  throw new Error(
    "libdhcp_lease_cmds.so is missing (no /usr/lib/*/kea/hooks/ has it): the Kea tests need Debian's kea-common; run scripts/test-prerequisites.sh (as root)",
  );
}

export async function startKeaServer(options: KeaServerOptions): Promise<KeaServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nebula-kea-'));
  const ports = await freeKeaPorts();
  const socket = path.join(dir, 'dhcp4.sock');
  const logger = (name: string, file: string) => ({
    name,
    output_options: [{ output: path.join(dir, file) }],
    severity: 'INFO',
  });
  const dhcp4Config = {
    Dhcp4: {
      'interfaces-config': LOOPBACK_INTERFACES,
      'control-socket': { 'socket-type': 'unix', 'socket-name': socket },
      'lease-database': { type: 'memfile', persist: true, name: path.join(dir, 'leases4.csv'), 'lfc-interval': 0 },
      'hooks-libraries': [{ library: leaseCommandsHook() }],
      'valid-lifetime': options.validLifetime ?? 600,
      ...(options.clientClasses ? { 'client-classes': options.clientClasses } : {}),
      subnet4: options.subnets,
      loggers: [logger('kea-dhcp4', 'dhcp4.log')],
    },
  };
  const agentConfig = {
    'Control-agent': {
      'http-host': '127.0.0.1',
      'http-port': ports.agentPort,
      'control-sockets': { dhcp4: { 'socket-type': 'unix', 'socket-name': socket } },
      loggers: [logger('kea-ctrl-agent', 'agent.log')],
    },
  };
  return launchKea(dir, dhcp4Config, agentConfig, ports);
}

/** Where Kea listens on loopback: UDP sockets (loopback cannot take raw ones). */
export const LOOPBACK_INTERFACES = { interfaces: ['lo/127.0.0.1'], 'dhcp-socket-type': 'udp' } as const;

export interface KeaPorts {
  /** Kea's DHCP port (`-p`). */
  readonly port: number;
  /** Where it sends answers to a relay (`-P`): the relayed test client binds it. */
  readonly clientPort: number;
  /** The control agent's http-port. */
  readonly agentPort: number;
}

/** Three distinct free ports above 24000. */
export async function freeKeaPorts(): Promise<KeaPorts> {
  const taken: number[] = [];
  for (let i = 0; i < 3; i++) {
    let port = await freeDnsPort();
    for (let retry = 0; retry < 20 && taken.includes(port); retry++) port = await freeDnsPort();
    taken.push(port);
  }
  return { port: taken[0]!, clientPort: taken[1]!, agentPort: taken[2]! };
}

/**
 * kea-dhcp4 and kea-ctrl-agent with these configs (written to `dir` as kea-dhcp4.conf and
 * kea-ctrl-agent.conf; the agent's `http-port` is `ports.agentPort`), their PID and lock files
 * in `dir`; ready when the server says it started and the agent forwards status-get to it.
 */
export async function launchKea(
  dir: string,
  dhcp4Config: object,
  agentConfig: object,
  ports: KeaPorts,
): Promise<KeaServer> {
  const dhcpBinary = requireBinary(KEA_DHCP4, 'kea-dhcp4-server');
  const agentBinary = requireBinary(KEA_AGENT, 'kea-ctrl-agent');
  fs.writeFileSync(path.join(dir, 'kea-dhcp4.conf'), JSON.stringify(dhcp4Config, null, 2));
  fs.writeFileSync(path.join(dir, 'kea-ctrl-agent.conf'), JSON.stringify(agentConfig, null, 2));
  // `env` execs Kea in place (same PID), with the PID and lock files kept in the temp dir.
  const keaEnv = [`KEA_PIDFILE_DIR=${dir}`, `KEA_LOCKFILE_DIR=${dir}`];
  const dhcp4 = startProcess(
    '/usr/bin/env',
    [
      ...keaEnv,
      dhcpBinary,
      '-c',
      path.join(dir, 'kea-dhcp4.conf'),
      '-p',
      String(ports.port),
      '-P',
      String(ports.clientPort),
    ],
    dir,
  );
  const agent = startProcess(
    '/usr/bin/env',
    [...keaEnv, agentBinary, '-c', path.join(dir, 'kea-ctrl-agent.conf')],
    dir,
  );
  const agentUrl = `http://127.0.0.1:${ports.agentPort}/`;
  const server: KeaServer = {
    dir,
    agentUrl,
    dhcp: { address: '127.0.0.1', port: ports.port, clientPort: ports.clientPort },
    command: (command, args) => forward(agentUrl, command, args),
    agent,
    dhcp4,
    async stop() {
      await agent.stop();
      await dhcp4.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await waitReady(server);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return server;
}

async function waitReady(server: KeaServer): Promise<void> {
  const deadline = Date.now() + 15_000;
  const log = path.join(server.dir, 'dhcp4.log');
  for (let round = 0; Date.now() < deadline; round++) {
    for (const [name, process] of [
      ['kea-dhcp4', server.dhcp4],
      ['kea-ctrl-agent', server.agent],
    ] as const) {
      if (process.child.exitCode !== null)
        throw new Error(
          `${name} exited at start (${process.child.exitCode}): ${process.output().slice(-600)} ${tail(log)}`,
        );
    }
    // Its log file when the config names one, else its stdout (Kea's default output).
    const started = (fs.existsSync(log) ? fs.readFileSync(log, 'utf8') : server.dhcp4.output()).includes(
      'DHCP4_STARTED',
    );
    const answered =
      started &&
      (await server.command('status-get').then(
        (a) => a.result === 0,
        () => false,
      ));
    if (answered) return;
    await new Promise((resolve) => setTimeout(resolve, round < 20 ? 25 : 100));
  }
  throw new Error(
    `Kea in ${server.dir} not ready within 15 s: ${tail(log)} ${tail(path.join(server.dir, 'agent.log'))} ${server.dhcp4.output().slice(-600)} ${server.agent.output().slice(-600)}`,
  );
}

function tail(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8').slice(-600);
  } catch {
    return `(no ${path.basename(file)})`;
  }
}

async function forward(
  url: string,
  command: string,
  args?: unknown,
): Promise<{ result: number; text: string; arguments?: unknown }> {
  const answers = (await post(
    url,
    '/',
    { command, service: ['dhcp4'], ...(args === undefined ? {} : { arguments: args }) },
    2_000,
  )) as { result: number; text: string; arguments?: unknown }[];
  return answers[0]!;
}
