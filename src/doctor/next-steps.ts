/**
 * install's "Next steps", from the same checks as doctor (issue 19 Why 7): a step already done
 * (oned.conf enables the driver, VNET_RESTRICTED_ATTR is there, a config exists) is not advised,
 * and the book named is the one the config in place picks.
 */
import type { Finding } from './finding.ts';

export interface StepFacts {
  readonly name: string;
  readonly onedConf: string;
  /** oned.conf's findings; undefined when it could not be read (then both lines are advised). */
  readonly onedFindings?: readonly Finding[];
  readonly enableLine: string;
  readonly config: string;
  /** install wrote a starter config (no pools) because none was there. */
  readonly configWritten: boolean;
  readonly book: string;
  /** install made the book now (empty); otherwise the one there was kept. */
  readonly bookCreated: boolean;
  /** "(BINDIR/nebula-ipam)" or the hint to get one. */
  readonly command: string;
  readonly invocation: string;
}

export function nextSteps(facts: StepFacts): string {
  const byCheck = (check: string) => facts.onedFindings?.find((f) => f.check === check);
  const mad = byCheck('oned.ipam-mad');
  const restricted = byCheck('oned.restricted-attr');
  const steps: string[] = [];
  if (mad?.level === 'ok') {
    steps.push(`${facts.onedConf} already enables the driver (${mad.message}).`);
  } else if (mad) {
    steps.push(`In ${facts.onedConf}, enable the driver: ${mad.message}; ${mad.fix ?? ''}`);
  } else {
    steps.push(
      `In ${facts.onedConf}, enable the driver (no space after the comma; keep any other\n     names already in the -i list):\n       ${facts.enableLine}`,
    );
  }
  if (restricted?.level !== 'ok')
    steps.push(`Protect the range id in ${facts.onedConf}:\n       VNET_RESTRICTED_ATTR = "AR/NEBULA_IPAM_RANGE"`);
  const book = facts.bookCreated
    ? `${facts.book}\n     (created now, empty; readable by oneadmin only)`
    : `${facts.book} (kept as it was)`;
  steps.push(
    facts.configWritten
      ? `Describe the pools in ${facts.config}\n     (written now as a starter with no pools; without pools only explicit ranges work).\n     The lease book is ${book}.`
      : `The config ${facts.config} is there; the lease book is\n     ${book}.`,
  );
  if (mad?.level !== 'ok' || restricted?.level !== 'ok') steps.push('Restart oned (systemctl restart opennebula).');
  steps.push(`Use it: IPAM_MAD = "${facts.name}" in an AR, or on the virtual network for all its ARs.`);
  steps.push('With HA, install on every front-end and keep the books in etcd (README: High availability).');
  steps.push(`Look at it from the command line (${facts.command}):\n       ${facts.invocation}`);
  steps.push(`Check the whole front-end: nebula-ipam --driver ${facts.name} doctor`);
  return `Next steps:\n${steps.map((s, i) => `  ${i + 1}. ${s}`).join('\n')}\n`;
}
