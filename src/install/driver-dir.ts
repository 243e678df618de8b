/**
 * Installing into oned's remotes tree, decided purely: given what is at each action's path,
 * what to create, keep or replace, and what is someone else's and must not be touched.
 * `inspect.ts` observes the directory; the commands carry the plan out.
 */
import { ACTION_NAMES } from '../core/actions/action.ts';
import { IpamError, shown } from '../core/errors.ts';
import { DRIVER_NAME } from '../config/paths.ts';

/** What is at a path of the driver directory. */
export type Entry =
  | { readonly kind: 'missing' }
  /** `ours`: it leads to a nebula-ipam bundle (or, dangling, to a file named like one). */
  | { readonly kind: 'link'; readonly target: string; readonly ours: boolean }
  | { readonly kind: 'file'; readonly ours: boolean }
  | { readonly kind: 'other' };

export type Step = 'create' | 'keep' | 'replace' | 'remove' | 'absent' | 'foreign';

export interface Planned {
  readonly name: string;
  readonly step: Step;
}

/** The copy `install --copy` puts beside the links, which then point at it by a relative name. */
export const COPY_NAME = 'nebula-ipam.cjs';

/** The IPAM_MAD the directory's name makes; oned's `-i` list is comma-separated, `internal` means no IPAM. */
export function checkDriverName(name: string): void {
  if (name === 'internal')
    throw new IpamError(
      'usage',
      'Cannot install as "internal": OpenNebula reserves that IPAM_MAD name for "no IPAM driver"; pick another directory name',
    );
  if (!DRIVER_NAME.test(name))
    throw new IpamError(
      'usage',
      `Cannot install as ${shown(name)}: the directory name becomes the IPAM_MAD and must be 1-64 letters, digits, '_', '.' or '-'`,
    );
}

/** For each action: make it a link to `target`; never touch what is not ours. */
export function planInstall(entries: ReadonlyMap<string, Entry>, target: string): Planned[] {
  return ACTION_NAMES.map((name) => {
    const entry = entries.get(name) ?? { kind: 'missing' };
    if (entry.kind === 'missing') return { name, step: 'create' };
    if (entry.kind === 'link' && entry.target === target) return { name, step: 'keep' };
    if ((entry.kind === 'link' || entry.kind === 'file') && entry.ours) return { name, step: 'replace' };
    return { name, step: 'foreign' };
  });
}

/** For each action: remove it when it is ours, leave anything else. */
export function planUninstall(entries: ReadonlyMap<string, Entry>): Planned[] {
  return ACTION_NAMES.map((name) => {
    const entry = entries.get(name) ?? { kind: 'missing' };
    if (entry.kind === 'missing') return { name, step: 'absent' };
    if ((entry.kind === 'link' || entry.kind === 'file') && entry.ours) return { name, step: 'remove' };
    return { name, step: 'foreign' };
  });
}

/** The exact line for /etc/one/oned.conf; a space after the comma silently drops the driver. */
export function onedConfLine(name: string): string {
  return `IPAM_MAD = [ EXECUTABLE = "one_ipam", ARGUMENTS = "-t 1 -i dummy,${name}" ]`;
}
