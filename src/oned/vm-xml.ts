/**
 * The VM an OpenNebula state hook passes (`ARGUMENTS = "hook $TEMPLATE"`: the VM's XML,
 * base64): its id, name, whether it is DONE (STATE 6), and its NICs' IP addresses. Decoded
 * strictly, like oned's requests (request.ts).
 */
import { familyOf, FAMILIES, type Family } from '../core/address/family.ts';
import { IpamError, shown } from '../core/errors.ts';
import { plainXmlProblem } from '../core/oned/plain-xml.ts';
import { xmlElements, type XmlValue } from './xml-elements.ts';

export interface HookVm {
  readonly id: number;
  readonly name: string;
  /** STATE 6 (DONE): the VM is gone, and so are its names. */
  readonly done: boolean;
  readonly addresses: readonly { readonly family: Family; readonly address: bigint }[];
}

const DONE = '6';
/** The NIC attributes holding addresses oned leased (IP6 is a static IPv6, the others SLAAC). */
const NIC_ADDRESSES = ['IP', 'IP6', 'IP6_GLOBAL', 'IP6_ULA'] as const;

export function decodeHookVm(argument: string): HookVm {
  const text = argument.trim();
  if (text === '' || text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text))
    throw bad(`the argument is not base64 (starts ${shown(text.slice(0, 24))}); the hook passes $TEMPLATE`);
  const xml = Buffer.from(text, 'base64').toString('utf8');
  const problem = plainXmlProblem(xml);
  if (problem) throw bad(problem);
  const vm = record(xmlElements(xml).VM);
  if (!vm) throw bad('it has no VM element (is the hook RESOURCE = VM?)');
  const id = textOf(vm.ID);
  const name = textOf(vm.NAME);
  if (id === undefined || !/^(0|[1-9][0-9]{0,9})$/.test(id)) throw bad(`its VM ID is ${shown(String(id))}`);
  if (name === undefined || name === '') throw bad('its VM has no NAME');
  const addresses: { family: Family; address: bigint }[] = [];
  const template = record(vm.TEMPLATE);
  for (const nic of listOf(template?.NIC)) {
    const attrs = record(nic);
    for (const key of NIC_ADDRESSES) {
      const ip = textOf(attrs?.[key]);
      const family = ip === undefined ? undefined : familyOf(ip);
      if (ip !== undefined && family) addresses.push({ family, address: FAMILIES[family].parse(ip)! });
    }
  }
  return { id: Number(id), name, done: textOf(vm.STATE) === DONE, addresses };
}

export function record(value: XmlValue | undefined): Record<string, XmlValue> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : undefined;
}

export function listOf(value: XmlValue | undefined): XmlValue[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

export function textOf(value: XmlValue | undefined): string | undefined {
  return typeof value === 'string' ? value.trim() : undefined;
}

function bad(why: string): IpamError {
  return new IpamError('bad-request', `Cannot read the VM the hook passed: ${why}`);
}
