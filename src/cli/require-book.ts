/**
 * A command that only reads the lease book must not show an empty, healthy cloud when it looks
 * in the wrong place (a driver installed as `nebula`, the CLI reading the `nebula-ipam` book):
 * an absent book is a failure naming the path and the setting that chose it.
 */
import { IpamError } from '../errors.ts';
import type { LeaseStore } from '../store/store.ts';
import type { CliContext } from './context.ts';
import { announceLongRead } from './long-read.ts';

export async function requireBook(context: CliContext, store: LeaseStore = context.store()): Promise<void> {
  if (await store.exists()) {
    announceLongRead(store.description.location, 'the lease book', context.stderr);
    return;
  }
  const location = store.description.location;
  throw new IpamError('not-found', `Cannot read the lease book: no lease book at ${location}; ${whichSetting(context)} (oned writes the book when it registers its first range)`);
}

/** Which setting put the book there, as the question the operator should ask. */
export function whichSetting(context: CliContext): string {
  if (context.options.store !== undefined) return 'is --store right?';
  const fromEnv = context.env.NEBULA_IPAM_STORE;
  if (fromEnv !== undefined && fromEnv !== '') return 'is NEBULA_IPAM_STORE right?';
  if (context.config().store !== undefined) return `is "store" in ${context.config().source} right?`;
  if (context.options.driverFoundIn !== undefined) return `is --driver right? (driver "${context.driver}" was picked as the one installed in ${context.options.driverFoundIn})`;
  return `is --driver right? (driver "${context.driver}")`;
}
