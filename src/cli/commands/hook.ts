/**
 * `nebula-ipam hook`: OpenNebula hooks recording VM names in the book (issue 18 item 6). A state
 * hook passes the VM ($TEMPLATE); state hooks do not fire on a rename, so an API hook on
 * one.vm.rename passes the call ($API), which does not name the call: `--call` does.
 */
import { EXIT_CODES } from '../../core/exit-codes.ts';
import { type IpamError, shown } from '../../core/errors.ts';
import { vmAddressText } from '../../core/book/vms.ts';
import { recordVm, renameVm } from '../../core/operator/record-vm.ts';
import { decodeHookApiCall } from '../../oned/api-call-xml.ts';
import { hookError } from '../../oned/hook-argument.ts';
import { decodeHookVm } from '../../oned/vm-xml.ts';
import { applyChange } from '../apply-change.ts';
import { readStandardInput, STANDARD_INPUT } from '../read-standard-input.ts';
import { parseCommandArgs, usageError, type Command } from '../command.ts';
import type { CliContext } from '../context.ts';
import { exitCodeHelp, WRITES_BOOK } from '../exit-code-help.ts';

/** The API calls the hook follows. one.vm.rename(session, id, name): IN 2 is the VM, IN 3 its new name. */
const RENAME = 'one.vm.rename';

/**
 * A VM's base64 XML with ten thousand history records is well under 10 MiB; far more is not what the
 * hook manager passes, and is refused before it fills the memory.
 */
const MAX_ARGUMENT_BYTES = 64 * 1024 * 1024;

function argumentTooBig(): IpamError {
  return hookError(
    `the hook's argument on ${STANDARD_INPUT}`,
    `it is larger than ${MAX_ARGUMENT_BYTES / 1024 / 1024} MiB, more than a VM's or a call's base64 XML ($TEMPLATE, $API); nothing was changed`,
  );
}

export const hookCommand: Command = {
  name: 'hook',
  summary: 'OpenNebula hooks: record the VM id and name of each leased NIC address, follow renames',
  usage: `Usage: nebula-ipam hook BASE64_VM_XML | -
       nebula-ipam hook --call one.vm.rename BASE64_CALL_INFO | -

Run by OpenNebula's hook manager. A state hook passes the VM ($TEMPLATE): each address of its
NIC, NIC_ALIAS and PCI (TYPE NIC) interfaces (IP, IP6, IP6_GLOBAL, IP6_ULA; the MAC when there
is no IP) that the book leased for that interface gets the VM's id and name; addresses of
interfaces it no longer has lose theirs, and a VM in DONE state loses them all. An API hook on
one.vm.rename passes the call ($API): a rename that succeeded renames the VM's entries. The
\`onehook create\` templates are in the README (VM names). \`-\` reads the argument from
standard input, as the hooks install --hook makes pass it (ARGUMENTS_STDIN = yes; a VM's XML
can be more than the 128 KiB one argument holds), up to ${MAX_ARGUMENT_BYTES / 1024 / 1024} MiB.

  --call CALL   the API call the hook is for (its CALL): only one.vm.rename

${exitCodeHelp([[0, 'recorded, or nothing to record'], [2, 'bad option or unknown call'], [3, 'the argument is not a VM template or call of OpenNebula'], [6, 'the lease book stayed locked'], ...WRITES_BOOK])}`,
  async run(args, context) {
    const { values, positionals } = parseCommandArgs(
      'hook',
      args,
      { call: { type: 'string' } },
      { min: 1, max: 1, names: argumentName(args) },
    );
    if (values.call !== undefined && values.call !== RENAME)
      throw usageError('hook', `--call ${shown(values.call)} is not followed; nebula-ipam follows ${RENAME} only`);
    // `-`: the hook manager writes the expanded ARGUMENTS on standard input (ARGUMENTS_STDIN =
    // yes; the hooks install --hook makes), for a VM whose XML is more than one argument may
    // hold (Linux: 128 KiB). It is the base64 alone, with no newline after it.
    const argument = positionals[0] === '-' ? readStandardInput(MAX_ARGUMENT_BYTES, argumentTooBig) : positionals[0]!;
    return values.call === undefined ? stateHook(argument, context) : renameHook(argument, context);
  },
};

/** What the missing positional is called, by the form in use. */
function argumentName(args: readonly string[]): string {
  return args.includes('--call') || args.some((a) => a.startsWith('--call='))
    ? 'BASE64_CALL_INFO ($API)'
    : 'BASE64_VM_XML ($TEMPLATE)';
}

async function stateHook(argument: string, context: CliContext): Promise<number> {
  const vm = decodeHookVm(argument);
  const match = await applyChange(context, 'vm', (book, config) => recordVm(book, config, vm));
  if (vm.done) {
    context.stdout(`VM ${vm.id} ${vm.name} is DONE: its addresses are forgotten\n`);
    return EXIT_CODES.ok;
  }
  const recorded = match.entries.map(vmAddressText).join(' ') || 'no leased address';
  const skipped = match.skipped.length
    ? ` (not recorded: ${match.skipped.map((s) => `${s.address} ${s.why}`).join('; ')})`
    : '';
  context.stdout(`VM ${vm.id} ${vm.name}: ${recorded}${skipped}\n`);
  return EXIT_CODES.ok;
}

async function renameHook(argument: string, context: CliContext): Promise<number> {
  const call = decodeHookApiCall(argument);
  const what = `the ${RENAME} call the hook passed`;
  if (call.params.size !== 3 || !call.params.has(2) || !call.params.has(3))
    throw hookError(
      what,
      `it has ${call.params.size} IN parameter(s), not ${RENAME}'s 3 (is the hook's CALL ${RENAME}?)`,
    );
  const id = call.params.get(2)!;
  const name = call.params.get(3)!;
  if (!/^(0|[1-9][0-9]{0,9})$/.test(id)) throw hookError(what, `its VM id (IN 2) is ${shown(id)}`);
  if (name === '') throw hookError(what, `its new name (IN 3) for VM ${id} is empty`);
  if (!call.success) {
    context.stdout(`${RENAME} of VM ${id} to ${name} failed in OpenNebula: nothing changed\n`);
    return EXIT_CODES.ok;
  }
  const renamed = await applyChange(context, 'vm-rename', (book) => renameVm(book, Number(id), name));
  context.stdout(`VM ${id} renamed ${name}: ${renamed} address(es)\n`);
  return EXIT_CODES.ok;
}
