/**
 * The Kea edge: what `sync` needs from a Kea server, through its control agent. Two modes, as the
 * server allows (`list-commands`): reservations where it has the `host_cmds` hook (preferred: no
 * expiry, per-host options), else leases with `lease_cmds` (Debian 12's Kea 2.2), added with the
 * lifetime the caller gives and renewed by the next pass (`lease4-update`: Kea refuses to add a
 * lease that exists). Only entries carrying nebula-ipam's mark are ever changed or removed; each
 * change looks at what Kea holds at that address first, so a lease somebody else made there is a
 * conflict, never overwritten. A host whose network Kea has no subnet for is refused with a
 * `config` error naming the subnet (nothing is sent). Every command is bounded by `timeoutMs`.
 */
import { FAMILIES, type Family } from '../../core/address/family.ts';
import { parsePrefix, prefixInterval } from '../../core/address/prefix.ts';
import { IpamError } from '../../core/errors.ts';
import type { DhcpHost, ObservedDhcpEntry } from '../../core/sync/target-records.ts';
import {
  type ControlAgent,
  KEA_EMPTY,
  KEA_SUCCESS,
  type KeaAnswer,
  type KeaService,
  keaFailure,
  runCommand,
  sendCommand,
} from './control-agent.ts';
import { isOurs, type KeaLease, leaseArguments, leasesOf, observedLease } from './kea-leases.ts';
import { observedReservations, reservationArguments, reservationsOf } from './kea-reservations.ts';
import { type KeaSubnet, subnetFor, subnetsOfConfig } from './kea-subnets.ts';

export type KeaMode = 'leases' | 'reservations';

export interface KeaOptions {
  /** The control agent, e.g. `http://127.0.0.1:8000/`. */
  readonly url: string;
  /** Bound of each command, from connect to the whole answer. */
  readonly timeoutMs: number;
  /** The servers behind the agent: `dhcp4` for ipv4, `dhcp6` for ipv6 (default: ipv4 only). */
  readonly families?: readonly Family[];
  /** Written into our mark; entries marked by another owner are not ours (two front-ends). */
  readonly owner?: string;
  /** Leases per page of a read (tests make it small to read many pages). */
  readonly leasePage?: number;
}

export interface Kea {
  readonly url: string;
  /** Which mode the servers allow (asked once); `unsupported` if neither hook is loaded. */
  mode(): Promise<KeaMode>;
  /** Every subnet of the servers' configuration (asked again on every call). */
  subnets(): Promise<readonly KeaSubnet[]>;
  /** Every lease (lease mode) or reservation (reservation mode) the servers hold, ours or not. */
  read(): Promise<ObservedDhcpEntry[]>;
  /**
   * Makes Kea hand `host.address` to `host.mac`: adds it, or renews our entry already there
   * (`lifetimeSeconds` is the lease's; a reservation does not expire). `config` if Kea has no
   * subnet `host.subnet`; `conflict` if the address is held by an entry that is not ours.
   * `current`: what the caller's read() found at the address ('absent': nothing), which saves
   * asking Kea again (a lease put meanwhile makes Kea refuse the add: a `conflict`, not a loss).
   */
  put(host: DhcpHost, lifetimeSeconds: number, current?: ObservedDhcpEntry | 'absent'): Promise<void>;
  /**
   * Removes our entry at `entry.address`, if Kea still holds it as ours for the same MAC; an entry
   * that is not ours is refused (`conflict`) and left as it is; one already gone is fine.
   */
  remove(entry: ObservedDhcpEntry): Promise<void>;
}

const SERVICE: Readonly<Record<Family, KeaService>> = { ipv4: 'dhcp4', ipv6: 'dhcp6' };
const DIGIT: Readonly<Record<Family, '4' | '6'>> = { ipv4: '4', ipv6: '6' };

export function openKea(options: KeaOptions): Kea {
  const agent: ControlAgent = { url: options.url, timeoutMs: options.timeoutMs };
  const families = options.families ?? ['ipv4'];
  const owner = options.owner;
  let mode: Promise<KeaMode> | undefined;
  let known: readonly KeaSubnet[] | undefined;

  const subnets = async () => {
    const all: KeaSubnet[] = [];
    for (const family of families) {
      const answer = await runCommand(agent, SERVICE[family], 'config-get', undefined, { refusal: 'store-io' });
      all.push(...subnetsOfConfig(family, answer.arguments));
    }
    known = all;
    return all;
  };

  /** The subnet for the host's network; the configuration is asked again once before refusing. */
  const subnetOf = async (host: DhcpHost, command: string) => {
    const found =
      subnetFor(known ?? (await subnets()), host.family, host.subnet) ??
      subnetFor(await subnets(), host.family, host.subnet);
    if (found) return found;
    const has = known!.filter((s) => s.family === host.family).map((s) => s.subnet);
    throw keaFailure(
      'config',
      agent,
      SERVICE[host.family],
      command,
      `Kea has no subnet ${host.subnet} for ${host.mac} (${host.address}); it has ${has.length ? has.join(', ') : 'none'}`,
    );
  };

  /** The subnet holding `address` (reservation commands name one). */
  const subnetHolding = async (family: Family, address: string) => {
    const value = FAMILIES[family].parse(address);
    const inside = (list: readonly KeaSubnet[]) =>
      list.find((s) => {
        const parsed = parsePrefix(s.subnet);
        if (!parsed.ok || s.family !== family || value === undefined) return false;
        const span = prefixInterval(parsed.prefix);
        return value >= span.first && value <= span.last;
      });
    return inside(known ?? (await subnets())) ?? inside(await subnets());
  };

  const leases = {
    async read(family: Family): Promise<ObservedDhcpEntry[]> {
      return (await readLeases(agent, SERVICE[family], DIGIT[family], options.leasePage ?? LEASE_PAGE)).map((lease) =>
        observedLease(family, lease, owner),
      );
    },
    async put(host: DhcpHost, lifetimeSeconds: number, current?: ObservedDhcpEntry | 'absent') {
      const service = SERVICE[host.family];
      const add = `lease${DIGIT[host.family]}-add`;
      const subnet = await subnetOf(host, add);
      const held =
        current === 'absent'
          ? undefined
          : current
            ? { ours: current.ours, mac: current.mac }
            : await heldLease(host.family, host.address).then(
                (lease) => lease && { ours: isOurs(lease['user-context'], owner), mac: lease['hw-address'] },
              );
      if (held && !held.ours) {
        throw keaFailure(
          'conflict',
          agent,
          service,
          add,
          `${host.address} is held by a lease nebula-ipam did not make (MAC ${held.mac ?? 'none'}); left as it is`,
        );
      }
      const command = held ? `lease${DIGIT[host.family]}-update` : add;
      await runCommand(agent, service, command, leaseArguments(host, subnet.id, lifetimeSeconds, owner), {
        refusal: 'conflict',
      });
    },
    async remove(entry: ObservedDhcpEntry) {
      const command = `lease${DIGIT[entry.family]}-del`;
      const held = await heldLease(entry.family, entry.address);
      if (!held) return;
      refuseForeign(entry, command, held['user-context'], held['hw-address']);
      await runCommand(
        agent,
        SERVICE[entry.family],
        command,
        { 'ip-address': entry.address },
        { emptyIsFine: true, refusal: 'conflict' },
      );
    },
  };

  /** The lease Kea holds at `address`, if any. */
  const heldLease = async (family: Family, address: string) => {
    const answer = await runCommand(
      agent,
      SERVICE[family],
      `lease${DIGIT[family]}-get`,
      { 'ip-address': address },
      { emptyIsFine: true, refusal: 'store-io' },
    );
    return answer.result === KEA_SUCCESS ? leasesOf(answer.arguments)[0] : undefined;
  };

  const reservations = {
    async read(family: Family): Promise<ObservedDhcpEntry[]> {
      const found: ObservedDhcpEntry[] = [];
      for (const subnet of (known ?? (await subnets())).filter((s) => s.family === family)) {
        const answer = await runCommand(
          agent,
          SERVICE[family],
          'reservation-get-all',
          { 'subnet-id': subnet.id },
          { emptyIsFine: true, refusal: 'store-io' },
        );
        for (const reservation of reservationsOf(answer.arguments))
          found.push(...observedReservations(family, reservation, owner));
      }
      return found;
    },
    async put(host: DhcpHost) {
      const subnet = await subnetOf(host, 'reservation-add');
      const held = await heldReservation(host.family, subnet.id, host.address);
      if (held && !isOurs(held['user-context'], owner)) {
        throw keaFailure(
          'conflict',
          agent,
          SERVICE[host.family],
          'reservation-add',
          `${host.address} is reserved by a reservation nebula-ipam did not make (MAC ${held['hw-address'] ?? 'none'}); left as it is`,
        );
      }
      // host_cmds has no update: ours is replaced (its MAC, name or options may have changed).
      if (held)
        await runCommand(
          agent,
          SERVICE[host.family],
          'reservation-del',
          { 'subnet-id': subnet.id, 'ip-address': host.address },
          { emptyIsFine: true, refusal: 'conflict' },
        );
      await runCommand(agent, SERVICE[host.family], 'reservation-add', reservationArguments(host, subnet.id, owner), {
        refusal: 'conflict',
      });
    },
    async remove(entry: ObservedDhcpEntry) {
      const subnet = await subnetHolding(entry.family, entry.address);
      if (!subnet) return;
      const held = await heldReservation(entry.family, subnet.id, entry.address);
      if (!held) return;
      refuseForeign(entry, 'reservation-del', held['user-context'], held['hw-address']);
      await runCommand(
        agent,
        SERVICE[entry.family],
        'reservation-del',
        { 'subnet-id': subnet.id, 'ip-address': entry.address },
        { emptyIsFine: true, refusal: 'conflict' },
      );
    },
  };

  const heldReservation = async (family: Family, subnetId: number, address: string) => {
    const answer = await runCommand(
      agent,
      SERVICE[family],
      'reservation-get',
      { 'subnet-id': subnetId, 'ip-address': address },
      { emptyIsFine: true, refusal: 'store-io' },
    );
    return answer.result === KEA_SUCCESS ? reservationsOf(answer.arguments)[0] : undefined;
  };

  /** An entry is removed only while Kea still holds it as ours, for the MAC the caller saw. */
  const refuseForeign = (entry: ObservedDhcpEntry, command: string, userContext: unknown, mac: string | undefined) => {
    const sameMac = entry.mac === undefined || mac?.toLowerCase() === entry.mac;
    if (entry.ours && isOurs(userContext, owner) && sameMac) return;
    throw keaFailure(
      'conflict',
      agent,
      SERVICE[entry.family],
      command,
      `${entry.address} is held by an entry nebula-ipam did not make (MAC ${mac ?? 'none'}); left as it is`,
    );
  };

  const edge = () => kea.mode().then((m) => (m === 'leases' ? leases : reservations));
  const kea: Kea = {
    url: options.url,
    mode() {
      mode ??= findMode(agent, families);
      // A failed look-up is asked again next time (the agent may be back).
      mode.catch(() => {
        mode = undefined;
      });
      return mode;
    },
    subnets,
    async read() {
      const use = await edge();
      const all: ObservedDhcpEntry[] = [];
      for (const family of families) all.push(...(await use.read(family)));
      return all;
    },
    async put(host, lifetimeSeconds, current) {
      if (!families.includes(host.family))
        throw new IpamError(
          'config',
          `Cannot put the DHCP entry of ${host.mac} (${host.address}) on Kea at ${options.url}: it is not configured for ${host.family}`,
          { subject: options.url },
        );
      const use = await edge();
      await (use === leases ? leases.put(host, lifetimeSeconds, current) : reservations.put(host));
    },
    async remove(entry) {
      await (await edge()).remove(entry);
    },
  };
  return kea;
}

const LEASE_COMMANDS = ['add', 'update', 'del', 'get', 'get-all'];

/**
 * Leases per `lease4-get-page`: Kea builds, and its agent relays, one answer of 10 000 leases
 * slower than twenty of 500 (measured on Kea 2.2: about 1.1 s against 0.7 s).
 */
const LEASE_PAGE = 500;
/** A bound on the pages of one read: 50 million leases, far more than a server holds. */
const MOST_PAGES = 100_000;

/**
 * Every lease of the server, page by page in address order (`from` the last address of the
 * previous page); by `lease4-get-all` where the server has no paging. A lease added or removed
 * meanwhile may be seen or not, as with one answer: the next pass reads again.
 */
async function readLeases(
  agent: ControlAgent,
  service: KeaService,
  digit: '4' | '6',
  limit: number,
): Promise<KeaLease[]> {
  const command = `lease${digit}-get-page`;
  const all: KeaLease[] = [];
  let from = 'start';
  for (let page = 0; page < MOST_PAGES; page++) {
    let answer: KeaAnswer;
    try {
      answer = await runCommand(agent, service, command, { from, limit }, { emptyIsFine: true, refusal: 'store-io' });
    } catch (error) {
      if (page === 0 && error instanceof IpamError && error.kind === 'unsupported') break;
      throw error;
    }
    const leases = leasesOf(answer.arguments);
    all.push(...leases);
    if (leases.length < limit) return all;
    from = leases[leases.length - 1]!['ip-address'];
  }
  if (all.length > 0)
    throw keaFailure('store-io', agent, service, command, `the leases did not end within ${MOST_PAGES} pages`);
  const answer = await runCommand(agent, service, `lease${digit}-get-all`, undefined, {
    emptyIsFine: true,
    refusal: 'store-io',
  });
  return leasesOf(answer.arguments);
}
const RESERVATION_COMMANDS = ['reservation-add', 'reservation-del', 'reservation-get', 'reservation-get-all'];

async function findMode(agent: ControlAgent, families: readonly Family[]): Promise<KeaMode> {
  let reservations = true;
  for (const family of families) {
    const service = SERVICE[family];
    const answer = await sendCommand(agent, service, 'list-commands');
    if (answer.result !== KEA_SUCCESS && answer.result !== KEA_EMPTY)
      throw keaFailure(
        'store-io',
        agent,
        service,
        'list-commands',
        `Kea says (result ${answer.result}): ${answer.text}`,
      );
    const commands = new Set(
      Array.isArray(answer.arguments) ? answer.arguments.filter((c): c is string => typeof c === 'string') : [],
    );
    const leaseCommands = LEASE_COMMANDS.map((c) => `lease${DIGIT[family]}-${c}`);
    const hasReservations = RESERVATION_COMMANDS.every((c) => commands.has(c));
    if (!hasReservations && !leaseCommands.every((c) => commands.has(c))) {
      throw keaFailure(
        'unsupported',
        agent,
        service,
        'list-commands',
        `the server has neither host_cmds (${RESERVATION_COMMANDS.join(', ')}) nor lease_cmds (${leaseCommands.join(', ')}); load libdhcp_lease_cmds.so or libdhcp_host_cmds.so in its hooks-libraries`,
      );
    }
    reservations &&= hasReservations;
  }
  return reservations ? 'reservations' : 'leases';
}
