/**
 * Which driver's books the CLI works on when `--driver` is not given: the one nebula-ipam
 * driver installed on this front-end, if there is exactly one. Pure: `find-drivers.ts` looks.
 */
import { DEFAULT_DRIVER_NAME } from '../config/paths.ts';
import { IpamError } from '../core/errors.ts';

export type DriverChoice =
  | { readonly how: 'given'; readonly name: string }
  | { readonly how: 'found'; readonly name: string; readonly remotes: string }
  | { readonly how: 'default'; readonly name: string };

/** `allDrivers`: the command takes --all-drivers (status, metrics), which the message then offers. */
export function pickDriver(
  given: string | undefined,
  installed: readonly string[],
  remotes: string,
  allDrivers = false,
): DriverChoice {
  if (given !== undefined) return { how: 'given', name: given };
  if (installed.length === 1) return { how: 'found', name: installed[0]!, remotes };
  if (installed.length > 1) {
    throw new IpamError(
      'usage',
      `Cannot pick the lease book: nebula-ipam is installed as ${installed.map((n) => JSON.stringify(n)).join(', ')} in ${remotes}; say which with --driver (e.g. nebula-ipam --driver ${installed[0]} status)${allDrivers ? ', or --all-drivers for every one' : ''}`,
    );
  }
  return { how: 'default', name: DEFAULT_DRIVER_NAME };
}
