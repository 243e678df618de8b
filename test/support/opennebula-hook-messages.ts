/**
 * What OpenNebula's hook manager passes `nebula-ipam hook`, byte for byte (issue 18 item 6):
 *
 * - a state hook's `$TEMPLATE`: `Base64.strict_encode64` of the `<VM>` element of the hook
 *   message (src/hem/onehem-server.rb `arguments`; the element is VirtualMachine::to_xml_extended:
 *   top-level fields in share/doc/xsd/vm.xsd's order, template values in CDATA, a template's
 *   attributes and a vector's members in name order, as oned's Template::to_xml writes its maps);
 * - an API hook's `$API`: the same encoding of the `<CALL_INFO>` element of src/hm/HookAPI.cc
 *   format_message: RESULT 1 or 0, IN parameters from position 1 (the session, written `****`),
 *   then the OUT values of Request.cc's success_response / failure_response, then EXTRA.
 *
 * The hook manager takes the element out of the message with Nokogiri, whose `to_s` may indent
 * it: `indented` renders the same XML the way libxml2's formatter does.
 */

export type Attrs = Readonly<Record<string, string>>;

export interface FixtureVm {
  readonly id: number;
  readonly name: string;
  /** VirtualMachine::VmState: 3 ACTIVE, 6 DONE, 8 POWEROFF. */
  readonly state: number;
  /** VirtualMachine::LcmState: 3 RUNNING, 0 LCM_INIT. */
  readonly lcmState?: number;
  readonly nics?: readonly Attrs[];
  readonly aliases?: readonly Attrs[];
  /** PCI devices; those with TYPE NIC are network interfaces. */
  readonly pcis?: readonly Attrs[];
}

const cdata = (value: string) => `<![CDATA[${value}]]>`;

function vector(name: string, attrs: Attrs): string {
  const members = Object.keys(attrs)
    .sort()
    .map((key) => `<${key}>${cdata(attrs[key]!)}</${key}>`)
    .join('');
  return `<${name}>${members}</${name}>`;
}

/** A VM's `<VM>` element as the state hook's message carries it. */
export function vmXml(vm: FixtureVm): string {
  const template = [
    `<AUTOMATIC_REQUIREMENTS>${cdata('!(PUBLIC_CLOUD = YES) & !(PIN_POLICY = PINNED)')}</AUTOMATIC_REQUIREMENTS>`,
    vector('CONTEXT', { DISK_ID: '1', ETH0_IP: vm.nics?.[0]?.IP ?? '', NETWORK: 'YES', TARGET: 'hda' }),
    `<CPU>${cdata('1')}</CPU>`,
    vector('DISK', { DATASTORE: 'default', DISK_ID: '0', IMAGE: 'debian12', IMAGE_ID: '0', TARGET: 'vda' }),
    vector('GRAPHICS', { LISTEN: '0.0.0.0', PORT: String(5900 + vm.id), TYPE: 'VNC' }),
    `<MEMORY>${cdata('768')}</MEMORY>`,
    ...(vm.nics ?? []).map((nic) => vector('NIC', nic)),
    ...(vm.aliases ?? []).map((alias) => vector('NIC_ALIAS', alias)),
    vector('OS', { ARCH: 'x86_64', UUID: '8a7c1f2e-5b1d-4c0e-9a6f-3d2b1c0e9f8a' }),
    ...(vm.pcis ?? []).map((pci) => vector('PCI', pci)),
    `<TEMPLATE_ID>${cdata('0')}</TEMPLATE_ID>`,
    `<TM_MAD_SYSTEM>${cdata('ssh')}</TM_MAD_SYSTEM>`,
    `<VMID>${cdata(String(vm.id))}</VMID>`,
  ].join('');
  return (
    `<VM><ID>${vm.id}</ID><UID>0</UID><GID>0</GID><UNAME>oneadmin</UNAME><GNAME>oneadmin</GNAME>` +
    `<NAME>${vm.name}</NAME><PERMISSIONS><OWNER_U>1</OWNER_U><OWNER_M>1</OWNER_M><OWNER_A>0</OWNER_A>` +
    '<GROUP_U>0</GROUP_U><GROUP_M>0</GROUP_M><GROUP_A>0</GROUP_A><OTHER_U>0</OTHER_U><OTHER_M>0</OTHER_M>' +
    `<OTHER_A>0</OTHER_A></PERMISSIONS><LAST_POLL>0</LAST_POLL><STATE>${vm.state}</STATE>` +
    `<LCM_STATE>${vm.lcmState ?? (vm.state === 3 ? 3 : 0)}</LCM_STATE><PREV_STATE>3</PREV_STATE>` +
    '<PREV_LCM_STATE>2</PREV_LCM_STATE><RESCHED>0</RESCHED><STIME>1733580000</STIME><ETIME>0</ETIME>' +
    `<DEPLOY_ID>one-${vm.id}</DEPLOY_ID><MONITORING/><SCHED_ACTIONS/><TEMPLATE>${template}</TEMPLATE>` +
    `<USER_TEMPLATE><LOGO>${cdata('images/logos/debian.png')}</LOGO></USER_TEMPLATE>` +
    `<HISTORY_RECORDS><HISTORY><OID>${vm.id}</OID><SEQ>0</SEQ><HOSTNAME>kvm1</HOSTNAME><HID>0</HID>` +
    '<CID>0</CID><STIME>1733580001</STIME><ETIME>0</ETIME><VM_MAD>kvm</VM_MAD><TM_MAD>ssh</TM_MAD>' +
    '<DS_ID>0</DS_ID><PSTIME>1733580001</PSTIME><PETIME>1733580009</PETIME><RSTIME>1733580009</RSTIME>' +
    '<RETIME>0</RETIME><ESTIME>0</ESTIME><EETIME>0</EETIME><ACTION>0</ACTION><UID>-1</UID><GID>-1</GID>' +
    '<REQUEST_ID>-1</REQUEST_ID></HISTORY></HISTORY_RECORDS></VM>'
  );
}

/** A NIC as oned fills it from the network (VirtualNetwork::nic_attribute), with these addresses. */
export function nicAttrs(nicId: number, addresses: Attrs): Attrs {
  return {
    AR_ID: '0',
    BRIDGE: 'br0',
    BRIDGE_TYPE: 'linux',
    CLUSTER_ID: '0',
    MODEL: 'virtio',
    NAME: `NIC${nicId}`,
    NETWORK: 'lan',
    NETWORK_ID: '0',
    NETWORK_UNAME: 'oneadmin',
    NIC_ID: String(nicId),
    SECURITY_GROUPS: '0',
    TARGET: `one-7-${nicId}`,
    VN_MAD: 'bridge',
    ...addresses,
  };
}

/** A NIC_ALIAS of NIC `parent` (VirtualMachineNics::get_network_leases sets PARENT_ID, ALIAS_ID, NIC_ID). */
export function aliasAttrs(nicId: number, parent: number, aliasId: number, addresses: Attrs): Attrs {
  return {
    ALIAS_ID: String(aliasId),
    AR_ID: '0',
    BRIDGE: 'br0',
    CLUSTER_ID: '0',
    NAME: `NIC${parent}_ALIAS${aliasId}`,
    NETWORK: 'lan',
    NETWORK_ID: '0',
    NIC_ID: String(nicId),
    PARENT: `NIC${parent}`,
    PARENT_ID: String(parent),
    ...addresses,
  };
}

/** A passed-through PCI device; with `addresses` it is a NIC (TYPE NIC), else a GPU. */
export function pciAttrs(nicId: number, addresses?: Attrs): Attrs {
  return {
    ADDRESS: '0000:3b:00.1',
    BUS: '3b',
    CLASS: addresses ? '0200' : '0300',
    DEVICE: addresses ? '1572' : '1eb8',
    DOMAIN: '0000',
    FUNCTION: '1',
    PCI_ID: '0',
    SHORT_ADDRESS: '3b:00.1',
    SLOT: '00',
    VENDOR: addresses ? '8086' : '10de',
    VM_BUS: '0x01',
    ...(addresses
      ? { AR_ID: '0', NETWORK: 'sriov', NETWORK_ID: '1', NIC_ID: String(nicId), TYPE: 'NIC', ...addresses }
      : { TYPE: 'PCI' }),
  };
}

/** one.vm.rename's `<CALL_INFO>`: IN (session, id, name), then OUT (success, id or message, error code). */
export function renameCallInfoXml(id: number | string, name: string, success = true): string {
  const param = (position: number, type: 'IN' | 'OUT', value: string) =>
    `<PARAMETER><POSITION>${position}</POSITION><TYPE>${type}</TYPE><VALUE>${value}</VALUE></PARAMETER>`;
  const out = success
    ? param(1, 'OUT', 'true') + param(2, 'OUT', String(id)) + param(3, 'OUT', '0')
    : param(1, 'OUT', 'false') +
      param(2, 'OUT', `[one.vm.rename] VM cannot be renamed to ${name} because it collides with VM 9`) +
      param(3, 'OUT', '2048') +
      param(4, 'OUT', String(id));
  return (
    `<CALL_INFO><RESULT>${success ? 1 : 0}</RESULT><PARAMETERS>` +
    `${param(1, 'IN', '****')}${param(2, 'IN', String(id))}${param(3, 'IN', name)}${out}` +
    '</PARAMETERS><EXTRA></EXTRA></CALL_INFO>'
  );
}

/** Ruby's `Base64.strict_encode64`: one line, no newline. */
export function hookArgument(xml: string): string {
  return Buffer.from(xml, 'utf8').toString('base64');
}

/** The XML as libxml2's formatter indents it (Nokogiri `to_s` of an element): an element per line, two spaces a level. */
export function indented(xml: string): string {
  let depth = 0;
  const lines: string[] = [];
  const tokens = xml.match(/<!\[CDATA\[[\s\S]*?\]\]>|<[^>]+>|[^<]+/g) ?? [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (token.startsWith('</')) {
      depth--;
      lines.push(`${'  '.repeat(depth)}${token}`);
    } else if (token.startsWith('<') && !token.startsWith('<![CDATA[') && !token.endsWith('/>')) {
      const text = tokens[i + 1];
      const close = tokens[i + 2];
      if (text !== undefined && !text.startsWith('<') && close?.startsWith('</')) {
        lines.push(`${'  '.repeat(depth)}${token}${text}${close}`);
        i += 2;
      } else if (text?.startsWith('<![CDATA[') && close?.startsWith('</')) {
        lines.push(`${'  '.repeat(depth)}${token}${text}${close}`);
        i += 2;
      } else {
        lines.push(`${'  '.repeat(depth)}${token}`);
        depth++;
      }
    } else lines.push(`${'  '.repeat(depth)}${token}`);
  }
  return lines.join('\n');
}

/** Base64 wrapped at 60 columns and indented, as a hand-copied or `base64`-wrapped argument looks. */
export function wrapped(argument: string): string {
  return `\n    ${argument.match(/.{1,60}/g)!.join('\n    ')}\n`;
}
