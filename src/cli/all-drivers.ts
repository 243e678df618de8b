/**
 * `--all-drivers` (status, metrics): each nebula-ipam driver installed on this front-end, its
 * own config and book, one after the other. One driver's failure does not hide the others'
 * numbers: its line is said on stderr and its exit code returned once the rest are shown.
 */
import { defaultPaths } from '../config/paths.ts';
import { IpamError } from '../core/errors.ts';
import { failureOf } from '../core/failure.ts';
import { findInstalledDrivers } from '../install/find-drivers.ts';
import { usageError } from './command.ts';
import type { CliContext } from './context.ts';

export type Gathered<T> = { readonly driver: string } & ({ readonly value: T } | { readonly error: unknown });

/** `gather` for this command's driver, or with `all` for every installed one (failures kept). */
export async function gatherDrivers<T>(
  command: string,
  context: CliContext,
  all: boolean,
  gather: (context: CliContext) => Promise<T>,
): Promise<Gathered<T>[]> {
  if (!all) return [{ driver: context.driver, value: await gather(context) }];
  if (context.options.config !== undefined || context.options.store !== undefined)
    throw usageError(command, '--all-drivers reads each driver its own config and book: give no --config or --store');
  const remotes = defaultPaths(context.env).remotesIpam;
  const drivers = findInstalledDrivers(remotes);
  if (!drivers.length)
    throw new IpamError(
      'not-found',
      `Cannot run ${command} --all-drivers: no nebula-ipam driver is installed in ${remotes}`,
    );
  const gathered: Gathered<T>[] = [];
  for (const driver of drivers) {
    try {
      gathered.push({ driver, value: await gather(context.forDriver(driver)) });
    } catch (error) {
      gathered.push({ driver, error });
    }
  }
  return gathered;
}

/** Each failed driver's one line on stderr; the first one's exit code, or 0. */
export function reportFailures(context: CliContext, gathered: readonly Gathered<unknown>[]): number {
  let code = 0;
  for (const entry of gathered) {
    if (!('error' in entry)) continue;
    const failure = failureOf(entry.error);
    context.stderr(`Driver ${entry.driver}: ${failure.line}\n`);
    code ||= failure.code;
  }
  return code;
}
