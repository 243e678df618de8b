/**
 * The OpenNebula hooks that tell the book which VM holds an address (issue 18 item 6): one list,
 * from which both `install --hook` (through oned's XML-RPC API) and the README's `onehook
 * create` files come (test/unit/core/oned/hook-templates.test.ts fails when they differ). Add a
 * hook here and the README block and `install --hook` follow.
 *
 * What oned does with a template, read in OpenNebula's source (src/hm/Hook.cc, HookStateVM.cc,
 * HookAPI.cc of the 6.10 tree, "Copyright 2002-2024"): `one.hook.allocate` takes NAME and TYPE
 * out of the template (they become HOOK/NAME and HOOK/TYPE) and adds REMOTE; a state hook on a VM
 * has its ON turned into STATE and LCM_STATE (RUNNING is ACTIVE/RUNNING, DONE is DONE/LCM_INIT);
 * `one.hook.update` never reads ON, it requires STATE and LCM_STATE (and an API hook's CALL). So
 * a hook is compared with, and updated to, `storedAttributes`: what oned keeps. An API hook keeps
 * its CALL (HookAPI::parse_template erases and adds it back). Pure.
 */

/** One attribute of a hook template, `KEY = value`. */
export type HookAttribute = readonly [key: string, value: string];

export interface HookTemplate {
  /** NAME: how `install --hook` finds ours among the hooks (`one.hookpool.info`). */
  readonly name: string;
  /** TYPE: `state` (RESOURCE, ON) or `api` (CALL). */
  readonly type: 'state' | 'api';
  /** The other attributes as `onehook create` takes them, in the order the README shows. */
  readonly attributes: readonly HookAttribute[];
}

/** Where `install --bin /usr/local/bin` links the command the hooks run. */
export const DEFAULT_HOOK_COMMAND = '/usr/local/bin/nebula-ipam';

/**
 * The hooks, running `command` (an absolute path: oned's hook manager runs it as oneadmin with
 * no PATH of ours). `driver`, when given, picks the driver's book (`--driver NAME`), for a
 * front-end with more than one nebula-ipam driver.
 *
 * The argument goes on standard input, never on the command line: one argument holds at most
 * 128 KiB on Linux (MAX_ARG_STRLEN), and a long-lived VM's base64 XML (every history record, a
 * large CONTEXT) is more, so its run would fail with E2BIG and the VM go unrecorded. What the
 * hook manager does (src/hem/onehem-server.rb, `execute`, read in the 6.10 tree, "Copyright
 * 2002-2024"): with ARGUMENTS_STDIN it runs COMMAND as it stands (as a shell would: the words
 * are ours, `hook -` among them) and writes the expanded ARGUMENTS to its standard input; else
 * it appends them to COMMAND. Its test is `casecmp('yes')`: `yes` in any case, and, though the
 * code names `true` too, its `||` never reaches it, so `yes` it is.
 */
export function nebulaIpamHooks(command: string = DEFAULT_HOOK_COMMAND, driver?: string): HookTemplate[] {
  const hook = `${command} ${driver === undefined ? '' : `--driver ${driver} `}hook`;
  const vmState = (on: string): HookTemplate => ({
    name: `nebula-ipam-vm-${on.toLowerCase()}`,
    type: 'state',
    attributes: [
      ['COMMAND', `${hook} -`],
      ['ARGUMENTS', '$TEMPLATE'],
      ['ARGUMENTS_STDIN', 'yes'],
      ['RESOURCE', 'VM'],
      ['ON', on],
    ],
  });
  // State hooks do not fire on a rename: an API hook on the call does. Its $API does not name
  // the call (src/hem/onehem-server.rb passes CALL_INFO only), so COMMAND names it.
  const rename: HookTemplate = {
    name: 'nebula-ipam-vm-rename',
    type: 'api',
    attributes: [
      ['COMMAND', `${hook} --call one.vm.rename -`],
      ['ARGUMENTS', '$API'],
      ['ARGUMENTS_STDIN', 'yes'],
      ['CALL', 'one.vm.rename'],
    ],
  };
  return [vmState('RUNNING'), vmState('DONE'), rename];
}

/** ON of a VM state hook as oned stores it (HookStateVM::parse_template): [STATE, LCM_STATE]. */
const VM_ON: Readonly<Record<string, readonly [string, string]>> = {
  PROLOG: ['ACTIVE', 'PROLOG'],
  RUNNING: ['ACTIVE', 'RUNNING'],
  SHUTDOWN: ['ACTIVE', 'EPILOG'],
  STOP: ['STOPPED', 'LCM_INIT'],
  DONE: ['DONE', 'LCM_INIT'],
  UNKNOWN: ['ACTIVE', 'UNKNOWN'],
};

/** The attributes oned keeps in HOOK/TEMPLATE once the hook exists: ON as STATE and LCM_STATE. */
export function storedAttributes(hook: HookTemplate): HookAttribute[] {
  return hook.attributes.flatMap(([key, value]): HookAttribute[] => {
    const states = key === 'ON' ? VM_ON[value.toUpperCase()] : undefined;
    return states
      ? [
          ['STATE', states[0]],
          ['LCM_STATE', states[1]],
        ]
      : [[key, value]];
  });
}

/** The file `onehook create FILE` reads: NAME, TYPE, then the attributes, `=` aligned. */
export function hookTemplateText(hook: HookTemplate): string {
  return templateText([['NAME', hook.name], ['TYPE', hook.type], ...hook.attributes]);
}

/** The template `one.hook.update` replaces the hook's with (type 0, replace). */
export function hookUpdateText(hook: HookTemplate): string {
  return templateText(storedAttributes(hook));
}

/** OpenNebula's template syntax: a value with anything but a plain word in it is double-quoted. */
function templateText(attributes: readonly HookAttribute[]): string {
  const width = Math.max(...attributes.map(([key]) => key.length));
  return attributes
    .map(([key, value]) => `${key.padEnd(width)} = ${/^[A-Za-z0-9_./:-]+$/.test(value) ? value : quoted(value)}`)
    .join('\n');
}

function quoted(value: string): string {
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** What differs between ours and a hook oned holds (its TYPE and HOOK/TEMPLATE): the keys, empty when in step. */
export function hookDrift(
  hook: HookTemplate,
  held: { readonly type: string; readonly template: ReadonlyMap<string, string> },
): string[] {
  const drift = held.type.toLowerCase() === hook.type ? [] : ['TYPE'];
  for (const [key, value] of storedAttributes(hook)) if (held.template.get(key) !== value) drift.push(key);
  return drift;
}
