/**
 * The probe's edge (a pool's `probe`, issue 18 item 5): before an address can be handed out,
 * ask whether something already answers on it. It spawns nothing and needs no privilege: Node
 * has no raw sockets (so no ICMP echo), and the bundle runs no program (README). Instead, for
 * each candidate (core/sync/probe-candidates.ts) one TCP connect to the pool's port: any answer,
 * accepted or refused, finds a host (core/sync/probe-answers.ts). A connect to an address on the
 * front-end's own segment makes the kernel ask ARP first, so afterwards the IPv4 neighbour table
 * (`/proc/net/arp`, Linux; elsewhere no such file, and only TCP counts) also shows the hosts
 * that answered ARP but drop TCP. At most CONCURRENCY connects at once; none starts after
 * BUDGET_MS, and each is given up after its pool's timeoutMs (at most 10 s), so a pass waits at
 * most BUDGET_MS plus one timeout. Candidates not reached wait for the next pass. Only `sync`
 * (not --dry-run) calls this; driver actions never do.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import { performance } from 'node:perf_hooks';
import { formatIPv4 } from '../core/address/ipv4.ts';
import type { Book } from '../core/book/book.ts';
import type { Config } from '../core/config/config.ts';
import { answeredTcp, completeNeighbours, type ConnectOutcome, type ProbeAnswer } from '../core/sync/probe-answers.ts';
import { type ProbeCandidate, probeCandidates } from '../core/sync/probe-candidates.ts';
import { eachBounded } from './each-bounded.ts';

const CONCURRENCY = 16;
const BUDGET_MS = 15_000;
const NEIGHBOUR_TABLE = '/proc/net/arp';

/** The free addresses of probing pools that answered; undefined when no pool probes or none is free. */
export async function probeFreeAddresses(
  book: Book,
  config: Config,
  now: () => number,
): Promise<ProbeAnswer[] | undefined> {
  const candidates = probeCandidates(book, config);
  if (candidates.length === 0) return undefined;
  const answers: ProbeAnswer[] = [];
  const unanswered: ProbeCandidate[] = [];
  // The budget runs on the monotonic clock; `now` (the CLI's, which tests may set) only stamps answers.
  const stopAt = performance.now() + BUDGET_MS;
  await eachBounded(
    candidates.length,
    CONCURRENCY,
    () => performance.now() >= stopAt,
    async (i) => {
      const candidate = candidates[i]!;
      if (answeredTcp(await connect(candidate)))
        answers.push({
          address: candidate.address,
          pool: candidate.pool,
          by: { kind: 'tcp', port: candidate.port },
          at: new Date(now()).toISOString(),
        });
      else unanswered.push(candidate);
    },
  );

  if (unanswered.length > 0) {
    const neighbours = completeNeighbours(readNeighbourTable());
    const at = new Date(now()).toISOString();
    for (const { address, pool } of unanswered)
      if (neighbours.has(address)) answers.push({ address, pool, by: { kind: 'arp' }, at });
  }
  return answers.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
}

function connect({ address, port, timeoutMs }: ProbeCandidate): Promise<ConnectOutcome> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: formatIPv4(address), port, family: 4 });
    let settled = false;
    const done = (outcome: ConnectOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(() => done({ kind: 'timeout' }), timeoutMs);
    socket.once('connect', () => done({ kind: 'connected' }));
    socket.on('error', (error: NodeJS.ErrnoException) => done({ kind: 'error', code: error.code ?? 'unknown' }));
  });
}

/** The table's text, or none where it cannot be read (not Linux): then only TCP answers count. */
function readNeighbourTable(): string {
  try {
    return fs.readFileSync(NEIGHBOUR_TABLE, 'latin1');
  } catch {
    return '';
  }
}
