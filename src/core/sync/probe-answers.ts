/**
 * What the probe's observations mean (issue 18 item 5), apart from the sockets that make them
 * (src/sync/probe.ts). A TCP connect that gets any answer (accepted, or refused: the host sent
 * a RST) finds the address in use; silence (a timeout) or "no route" from our own kernel
 * (EHOSTUNREACH, ENETUNREACH: also what ARP that went unanswered gives) says nothing. A complete
 * entry of the kernel's IPv4 neighbour table finds a host that answered ARP, even one that drops
 * TCP. Anything else (a local error such as EMFILE) says nothing about the host either. An
 * answer becomes a hold; nothing is ever freed for want of one. Pure.
 */
import { parseIPv4 } from '../address/ipv4.ts';
import type { SyncHold, SyncPlan } from './sync-plan.ts';

/** How one connect ended: connected, timed out, or the socket error's code. */
export type ConnectOutcome =
  | { readonly kind: 'connected' }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'error'; readonly code: string };

/** The codes that mean the host itself answered (RST to the SYN, or to the connection). */
const ANSWER_CODES: ReadonlySet<string> = new Set(['ECONNREFUSED', 'ECONNRESET']);

export function answeredTcp(outcome: ConnectOutcome): boolean {
  return outcome.kind === 'connected' || (outcome.kind === 'error' && ANSWER_CODES.has(outcome.code));
}

/** ATF_COM (linux/if_arp.h): the entry has a link-layer address, so the host answered ARP. */
const ATF_COM = 0x2;

/**
 * The addresses of complete entries in `/proc/net/arp`'s text: a header line, then per entry
 * `IP address, HW type, Flags (hex), HW address, Mask, Device`. Lines that are not such an entry
 * are skipped: the table is the kernel's, read as a hint.
 */
export function completeNeighbours(text: string): Set<bigint> {
  const complete = new Set<bigint>();
  for (const line of text.split('\n').slice(1)) {
    const [ipText, , flagsText, hwAddress] = line.trim().split(/\s+/);
    if (ipText === undefined || flagsText === undefined || !/^0x[0-9a-f]+$/i.test(flagsText)) continue;
    const address = parseIPv4(ipText);
    // A complete entry with the all-zero address is no answer (some drivers leave one).
    if (address === undefined || (Number.parseInt(flagsText, 16) & ATF_COM) === 0 || hwAddress === '00:00:00:00:00:00')
      continue;
    complete.add(address);
  }
  return complete;
}

/** A candidate that answered, how, and when (ISO). */
export interface ProbeAnswer {
  readonly address: bigint;
  readonly pool: string;
  readonly by: { readonly kind: 'tcp'; readonly port: number } | { readonly kind: 'arp' };
  readonly at: string;
}

export function probeHolds(answers: readonly ProbeAnswer[], seenAt: string): SyncHold[] {
  return answers.map(({ address, pool, by, at }) => ({
    family: 'ipv4',
    address,
    pool,
    source: 'probe',
    reason: by.kind === 'tcp' ? `answered TCP on port ${by.port} at ${at}` : `answered ARP at ${at}`,
    seenAt,
  }));
}

/**
 * The plan with the probe's answers held too, after its own holds (a DNS record or a Kea lease
 * seen on the same address is the better reason). The probe answers after the pass applied its
 * records, so that candidates that stay silent never delay one; `now` stamps them as `plan` does.
 */
export function withProbeHolds(planned: SyncPlan, answers: readonly ProbeAnswer[], now: number): SyncPlan {
  const seen = new Set(planned.holds.map((h) => `${h.family}/${h.address}`));
  const more = probeHolds(answers, new Date(now).toISOString()).filter((h) => !seen.has(`ipv4/${h.address}`));
  return more.length === 0 ? planned : { ...planned, holds: [...planned.holds, ...more] };
}
