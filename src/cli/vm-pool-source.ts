/**
 * Where sync reads oned's VM pool for the guest agents' addresses (issue 18 item 5): oned's
 * XML-RPC API (`one.vmpool.infoextended`, through the config's `oned`), a file another host
 * writes (`observe.oned.fromFile`, or `sync --vms FILE`), or standard input (`sync --vms -`,
 * read once). Each pass reads it anew; a failure is that pass's one line, never a target's.
 */
import type { Config } from '../core/config/config.ts';
import type { GuestReport } from '../core/sync/guest-holds.ts';
import { readGuestReports } from '../oned/vm-pool-xml.ts';
import { callOned, onedClient } from '../oned/xmlrpc-client.ts';
import { loadOnevnetText } from './load-onevnet-text.ts';

export type GuestSource = () => Promise<readonly GuestReport[]>;

/**
 * `one.vmpool.infoextended(session, filter, start, end, state)`, read in OpenNebula's
 * src/rm/RequestManagerPoolInfoFilter.cc (6.x, "Copyright 2002-2023"; VirtualMachinePoolInfo,
 * signature "A:siiiis", the last string optional since 5.8): -2 every user's VMs, -1/-1 every
 * ID, state -1 every VM but DONE ones (a DONE VM holds no address). The scheduler calls it so.
 */
const VMPOOL_INFO_EXTENDED = ['one.vmpool.infoextended', [-2, -1, -1, -1]] as const;

/**
 * `vms`: `sync --vms`'s value, over the config's `observe.oned`; undefined when neither asks.
 * `reuse` (sync --follow): oned's pool is asked at most once per `ms` and the last answer used
 * meanwhile, since a follow pass runs within a second of every change to the book and
 * `one.vmpool.infoextended` makes oned build every VM's full body.
 */
export function guestSource(
  config: Config,
  vms: string | undefined,
  reuse?: { readonly ms: number; readonly now: () => number },
): GuestSource | undefined {
  if (vms === '-') {
    const { text } = loadOnevnetText('-', '--vms');
    return async () => readGuestReports(text, '--vms - (standard input)');
  }
  if (vms !== undefined) {
    // Read now, before any pass: a file the operator named that is not there is the command's
    // one line (exit 5), not a pass's "oned could not be read". Later passes (--follow) read it anew.
    let first: string | undefined = loadOnevnetText(vms, '--vms').text;
    return async () => {
      const text = first ?? loadOnevnetText(vms, '--vms').text;
      first = undefined;
      return readGuestReports(text, vms);
    };
  }
  const observe = config.observe?.oned;
  if (!observe) return undefined;
  const file = observe.fromFile;
  if (file !== undefined)
    return async () => readGuestReports(loadOnevnetText(file, 'observe.oned.fromFile').text, file);
  const connection = config.oned!;
  let last: { readonly at: number; readonly reports: readonly GuestReport[] } | undefined;
  return async () => {
    if (reuse && last && reuse.now() - last.at < reuse.ms) return last.reports;
    const [method, params] = VMPOOL_INFO_EXTENDED;
    const pool = await callOned(onedClient(connection), method, params);
    const reports = readGuestReports(String(pool), `${method} of oned at ${connection.endpoint}`);
    last = { at: reuse?.now() ?? 0, reports };
    return reports;
  };
}
