/**
 * The ICMP probe (a pool's `probe`): the system `ping` (iputils: `-c 1 -W 1 -n`), since Node has
 * no raw sockets and Debian's ping needs no privilege (ICMP datagram sockets, or its file
 * capability). Chosen over reading the neighbour table (`ip neigh`, /proc/net/arp): that table
 * only knows hosts the front-end already talked to, and only on its own segment; asking is what
 * finds a host nobody told the book about. A host that drops ICMP is not found. At most
 * CONCURRENCY pings at once, each killed after PING_KILL_MS, so a pass waits at most
 * ceil(candidates / CONCURRENCY) * PING_KILL_MS. Never on a driver action's path.
 */
import { execFile } from 'node:child_process';
import { FAMILIES } from '../core/address/family.ts';
import { IpamError } from '../core/errors.ts';
import type { ProbeAnswer, ProbeCandidate } from '../core/sync/probe-candidates.ts';

const CONCURRENCY = 8;
const PING_KILL_MS = 3000;

type Outcome = 'answered' | 'silent' | 'missing';

function ping(address: string): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile(
      'ping',
      ['-c', '1', '-W', '1', '-n', address],
      { timeout: PING_KILL_MS, killSignal: 'SIGKILL' },
      (error) => {
        if (!error) resolve('answered');
        else resolve((error as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : 'silent');
      },
    );
  });
}

/** The candidates that answered, each stamped when it did. */
export async function probeIcmp(candidates: readonly ProbeCandidate[], now: () => number): Promise<ProbeAnswer[]> {
  const answers: ProbeAnswer[] = [];
  let missing = false;
  let next = 0;
  const worker = async () => {
    while (next < candidates.length && !missing) {
      const candidate = candidates[next++]!;
      const outcome = await ping(FAMILIES[candidate.family].format(candidate.address));
      if (outcome === 'missing') missing = true;
      else if (outcome === 'answered') answers.push({ ...candidate, at: new Date(now()).toISOString() });
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, candidates.length) }, worker));
  if (missing)
    throw new IpamError(
      'store-io',
      `Cannot probe the next free addresses: ping is not on PATH (install iputils-ping, or remove the pools' "probe")`,
    );
  return answers;
}
