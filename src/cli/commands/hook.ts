/** `nebula-ipam hook`: an OpenNebula state hook recording VM names in the book (issue 18 item 6). */
import { FAMILIES } from '../../core/address/family.ts';
import { EXIT_CODES } from '../../core/exit-codes.ts';
import { recordVm } from '../../core/operator/record-vm.ts';
import { decodeHookVm } from '../../oned/vm-xml.ts';
import { applyChange } from '../apply-change.ts';
import { parseCommandArgs, type Command } from '../command.ts';
import { exitCodeHelp, WRITES_BOOK } from '../exit-code-help.ts';

export const hookCommand: Command = {
  name: 'hook',
  summary: 'OpenNebula state hook: record the VM id and name of each leased NIC address',
  usage: `Usage: nebula-ipam hook BASE64_VM_XML

Run by OpenNebula's hook manager with the VM's XML ($TEMPLATE, base64). Each NIC address
(IP, IP6, IP6_GLOBAL, IP6_ULA) the book has leased gets the VM's id and name; a VM in DONE
state loses them. Install it with the two \`onehook create\` templates in the README (VM names).

${exitCodeHelp([[0, 'recorded'], [2, 'bad option'], [3, 'the argument is not a VM template'], [6, 'the lease book stayed locked'], ...WRITES_BOOK])}`,
  async run(args, context) {
    const { positionals } = parseCommandArgs('hook', args, {}, { min: 1, max: 1, names: 'BASE64_VM_XML' });
    const vm = decodeHookVm(positionals[0]!);
    const recorded = await applyChange(context, 'vm', (book, config) => recordVm(book, config, vm));
    const addresses = recorded.map((a) => FAMILIES[a.family].format(a.address)).join(' ') || 'no leased address';
    context.stdout(`VM ${vm.id} ${vm.name}${vm.done ? ' (DONE)' : ''}: ${addresses}\n`);
    return EXIT_CODES.ok;
  },
};
