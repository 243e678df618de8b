/**
 * Which OpenNebula the driver answers, where oned's behaviour differs by release and the request
 * cannot tell (docs/oned-contract.md 1, 4). A register request is the AR as the user wrote it, so
 * nothing in it names the release; the config's `onedVersion` does. Unset means "7.2 or later",
 * the safe side: there a SHARED=YES AR is refused by oned after the reply (and leaks), while on
 * older releases refusing it only costs the operator a config line.
 */

export interface OnedVersion {
  readonly major: number;
  readonly minor: number;
}

const VERSION = /^([5-9])\.([0-9]{1,2})$/;

/** `"6.6"`, `"7.0"`, ...; undefined when the text is not a release from 5.2 on. */
export function parseOnedVersion(text: string): OnedVersion | undefined {
  const match = VERSION.exec(text);
  if (!match) return undefined;
  const version = { major: Number(match[1]), minor: Number(match[2]) };
  return atLeast(version, 5, 2) ? version : undefined;
}

export function formatOnedVersion(version: OnedVersion): string {
  return `${version.major}.${version.minor}`;
}

function atLeast(version: OnedVersion, major: number, minor: number): boolean {
  return version.major > major || (version.major === major && version.minor >= minor);
}

/**
 * 7.2 and later refuse a SHARED=YES AR with an external IPAM after the driver answered
 * ("Shared ARs cannot use an external IPAM"); 6.6 to 7.0 (and 5.x) keep SHARED as a plain
 * attribute. Unknown: assume the refusal.
 */
export function refusesSharedAr(version: OnedVersion | undefined): boolean {
  return version === undefined || atLeast(version, 7, 2);
}

/**
 * OpenNebula 5 reads a failed action's message only between the `ERROR MESSAGE --8<------` and
 * `ERROR MESSAGE ------>8--` lines of stderr (CommandManager.rb `get_error_message`); 6.6 and
 * later show the whole of stderr instead, markers included (docs/oned-contract.md 1).
 */
export function readsErrorMarkers(version: OnedVersion | undefined): boolean {
  return version !== undefined && version.major === 5;
}
