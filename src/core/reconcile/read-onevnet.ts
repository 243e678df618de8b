/**
 * Reads the XML of `onevnet show -x` / `onevnet list -x` strictly: well-formed or refused, no
 * DOCTYPE (entities could expand or reach files), repeated elements always read as lists, and a
 * document that is not shaped like oned's is refused with the first thing that is wrong, never
 * half-used. Pure: the file is read by the command.
 */
import { XMLParser } from 'fast-xml-parser';
import { plainXmlProblem } from '../oned/plain-xml.ts';
import { IpamError, shown } from '../errors.ts';
import type { ArView, LeaseOwner, LeaseView, OnevnetDocument, VnetView } from './onevnet-document.ts';

type Element = Record<string, unknown>;

/** Elements that repeat, by their path; everything else may occur once. */
const LISTS = new Set([
  'VNET_POOL.VNET',
  'VNET_POOL.VNET.AR_POOL.AR',
  'VNET.AR_POOL.AR',
  'VNET_POOL.VNET.AR_POOL.AR.LEASES.LEASE',
  'VNET.AR_POOL.AR.LEASES.LEASE',
]);

export function readOnevnetXml(xml: string, source: string): OnevnetDocument {
  const fail = (why: string): never => {
    throw new IpamError('bad-request', `Cannot read ${source}: ${why}; nothing was changed`);
  };
  const problem = plainXmlProblem(xml);
  if (problem) fail(problem);
  let doc: unknown;
  try {
    doc = parser().parse(xml);
  } catch (error) {
    fail(`it is not acceptable XML (${(error as Error).message.replace(/\s+/g, ' ')})`);
  }

  const roots = isElement(doc) ? Object.keys(doc).filter((key) => !key.startsWith('?')) : [];
  const [root] = roots;
  if (roots.length !== 1 || (root !== 'VNET' && root !== 'VNET_POOL')) {
    return fail(
      `its root element is ${roots.length === 1 ? shown(root!) : `missing or not single (${roots.join(', ') || 'none'})`}, not VNET (onevnet show -x) or VNET_POOL (onevnet list -x)`,
    );
  }
  const top = (doc as Element)[root];
  if (root === 'VNET') return { root, vnets: [readVnet(asElement(top, 'VNET', fail), fail)] };
  if (top === '') return { root, vnets: [] };
  const pool = asElement(top, 'VNET_POOL', fail);
  const vnets =
    pool.VNET === undefined
      ? []
      : asList(pool.VNET, 'VNET_POOL.VNET', fail).map((v, i) =>
          readVnet(asElement(v, `VNET_POOL.VNET[${i}]`, fail), fail),
        );
  return { root, vnets };
}

function readVnet(vnet: Element, fail: (why: string) => never): VnetView {
  const id = asText(vnet.ID, 'a VNET ID', fail);
  if (!/^[0-9]+$/.test(id)) fail(`VNET ID ${shown(id)} is not a number`);
  const where = `VNET ${id}`;
  const name = vnet.NAME === undefined ? '' : asText(vnet.NAME, `${where} NAME`, fail);
  const parent =
    vnet.PARENT_NETWORK_ID === undefined ? '' : asText(vnet.PARENT_NETWORK_ID, `${where} PARENT_NETWORK_ID`, fail);
  if (vnet.AR_POOL === undefined)
    fail(`${where} has no AR_POOL (is this the output of onevnet show -x or onevnet list -x?)`);
  const arPool = vnet.AR_POOL === '' ? {} : asElement(vnet.AR_POOL, `${where} AR_POOL`, fail);
  const ars =
    arPool.AR === undefined
      ? []
      : asList(arPool.AR, `${where} AR_POOL`, fail).map((ar) => readAr(asElement(ar, `${where} AR`, fail), id, fail));
  const seen = new Set<string>();
  for (const ar of ars) {
    if (seen.has(ar.arId)) fail(`${where} has AR ${ar.arId} twice`);
    seen.add(ar.arId);
  }
  return { id, name, ...(parent === '' ? {} : { parentNetworkId: parent }), ars };
}

function readAr(ar: Element, vnetId: string, fail: (why: string) => never): ArView {
  const arId = asText(ar.AR_ID, `an AR_ID in VNET ${vnetId}`, fail);
  const where = `VNET ${vnetId} AR ${arId}`;
  const attributes = new Map<string, string>();
  for (const [name, value] of Object.entries(ar)) {
    if (name === 'LEASES') continue;
    if (Array.isArray(value)) fail(`${where} has ${name} more than once`);
    // Nested elements are no AR attribute oned passes to a driver; they do not concern us.
    if (typeof value === 'string') attributes.set(name, value.trim());
  }
  if (ar.LEASES === undefined) return { vnetId, arId, attributes };
  const leases = ar.LEASES === '' ? [] : readLeases(asElement(ar.LEASES, `${where} LEASES`, fail), where, fail);
  return { vnetId, arId, attributes, leases };
}

function readLeases(leases: Element, where: string, fail: (why: string) => never): LeaseView[] {
  if (leases.LEASE === undefined) return [];
  return asList(leases.LEASE, `${where} LEASES`, fail).map((raw, i) => {
    const lease = asElement(raw, `${where} LEASE ${i + 1}`, fail);
    const field = (name: string): string | undefined => {
      const value = lease[name];
      if (value === undefined) return undefined;
      const text = asText(value, `${where} LEASE ${i + 1} ${name}`, fail).trim();
      return text === '' ? undefined : text;
    };
    const view: { -readonly [K in keyof LeaseView]: LeaseView[K] } = {
      owner: ownerOf(field('VM'), field('VNET'), field('VROUTER')),
    };
    const mac = field('MAC');
    const ip = field('IP');
    const ip6 = field('IP6');
    const ip6Global = field('IP6_GLOBAL');
    const ip6Ula = field('IP6_ULA');
    if (mac !== undefined) view.mac = mac;
    if (ip !== undefined) view.ip = ip;
    if (ip6 !== undefined) view.ip6 = ip6;
    if (ip6Global !== undefined) view.ip6Global = ip6Global;
    if (ip6Ula !== undefined) view.ip6Ula = ip6Ula;
    return view;
  });
}

function ownerOf(vm: string | undefined, vnet: string | undefined, vrouter: string | undefined): LeaseOwner {
  if (vm === '-1') return { kind: 'hold' };
  if (vm !== undefined) return { kind: 'vm', id: vm };
  if (vnet !== undefined) return { kind: 'reservation', vnet };
  if (vrouter !== undefined) return { kind: 'vrouter', id: vrouter };
  return { kind: 'unknown' };
}

function asElement(value: unknown, what: string, fail: (why: string) => never): Element {
  if (isElement(value)) return value;
  return fail(`${what} ${Array.isArray(value) ? 'occurs more than once' : 'holds text where elements were expected'}`);
}

function asList(value: unknown, what: string, fail: (why: string) => never): unknown[] {
  return Array.isArray(value) ? value : fail(`${what} is not a list`);
}

function asText(value: unknown, what: string, fail: (why: string) => never): string {
  if (typeof value === 'string') return value.trim();
  if (value === undefined) return fail(`${what} is missing`);
  return fail(`${what} ${Array.isArray(value) ? 'occurs more than once' : 'holds elements instead of a value'}`);
}

function isElement(value: unknown): value is Element {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

let cached: XMLParser | undefined;
function parser(): XMLParser {
  cached ??= new XMLParser({
    ignoreAttributes: true,
    parseTagValue: false,
    trimValues: true,
    processEntities: true,
    htmlEntities: false,
    ignoreDeclaration: true,
    textNodeName: '#text',
    jPath: true,
    isArray: (_name: string, jPath: unknown) => typeof jPath === 'string' && LISTS.has(jPath),
  });
  return cached;
}
