/**
 * oned.conf judged for one driver (issue 19 Why 7): is the driver in one_ipam's `-i` list, as
 * one_ipam will read it, and is the AR attribute that binds an AR to its range restricted. Pure:
 * the parsed file in, findings out; install's next steps come from the same findings.
 */
import { fail, ok, warn, type Finding } from './finding.ts';
import { ipamDriverList, type OnedConf } from './oned-conf.ts';

export const RESTRICTED_ATTR = 'AR/NEBULA_IPAM_RANGE';

/** The line that enables `name`, keeping the names already enabled. */
export function ipamMadLine(enabled: readonly string[], name: string): string {
  const names = enabled.length === 0 ? ['dummy'] : enabled;
  return `IPAM_MAD = [ EXECUTABLE = "one_ipam", ARGUMENTS = "-t 1 -i ${[...names.filter((n) => n !== name), name].join(',')}" ]`;
}

export function onedConfFindings(file: string, conf: OnedConf, name: string): Finding[] {
  return [ipamMadFinding(file, conf, name), restrictedFinding(file, conf)];
}

function ipamMadFinding(file: string, conf: OnedConf, name: string): Finding {
  const check = 'oned.ipam-mad';
  const args = conf.ipamMadArguments.at(-1);
  if (args === undefined)
    return fail(check, file, 'has no IPAM_MAD block, so oned runs no IPAM driver', `add: ${ipamMadLine([], name)}`);
  const { drivers, stray, list } = ipamDriverList(args);
  if (drivers.includes(name)) return ok(check, file, `IPAM_MAD -i ${list} enables "${name}"`);
  const fixed = ipamMadLine([...drivers, ...stray.filter((s) => s !== name)], name);
  if (stray.includes(name)) {
    return fail(
      check,
      file,
      `IPAM_MAD ARGUMENTS "${args}" has a space after a comma: one_ipam reads -i ${list} and enables only ${drivers.join(', ') || 'nothing'}, not "${name}"`,
      `change it to: ${fixed}`,
    );
  }
  return fail(
    check,
    file,
    `IPAM_MAD -i ${list ?? '(none)'} does not enable "${name}": every action fails with an empty message`,
    `change it to: ${fixed}`,
  );
}

function restrictedFinding(file: string, conf: OnedConf): Finding {
  const check = 'oned.restricted-attr';
  if (conf.vnetRestricted.some((v) => v.trim().toUpperCase() === RESTRICTED_ATTR))
    return ok(check, file, `VNET_RESTRICTED_ATTR lists ${RESTRICTED_ATTR}`);
  return warn(
    check,
    file,
    `VNET_RESTRICTED_ATTR does not list ${RESTRICTED_ATTR}: any user who can update an AR can change which range it is bound to`,
    `add: VNET_RESTRICTED_ATTR = "${RESTRICTED_ATTR}"`,
  );
}
