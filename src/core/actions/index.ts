/** The five driver actions, by the name oned runs them under. */
import type { Action, ActionName } from './action.ts';
import type { Config } from '../config/config.ts';
import type { OnedRequest } from '../oned/attributes.ts';
import { refuseSharedAr } from '../oned/ar-checks.ts';
import { allocateAddress } from './allocate_address.ts';
import { freeAddress } from './free_address.ts';
import { getAddress, refuseWithoutIPv4 } from './get_address.ts';
import { registerAddressRange } from './register_address_range.ts';
import { unregisterAddressRange } from './unregister_address_range.ts';

export const ACTIONS: Readonly<Record<ActionName, Action>> = {
  register_address_range: registerAddressRange,
  unregister_address_range: unregisterAddressRange,
  allocate_address: allocateAddress,
  get_address: getAddress,
  free_address: freeAddress,
};

/** Checks that need only the request and the config, run before the store's lock so a refusal never waits for it. */
export const PRECHECKS: Readonly<Partial<Record<ActionName, (request: OnedRequest, config: Config) => void>>> = {
  get_address: refuseWithoutIPv4,
  register_address_range: ({ ar }, config) => refuseSharedAr(ar, config.onedVersion),
};
