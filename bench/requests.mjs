/**
 * oned's requests as oned sends them (docs/oned-contract.md 2): one line of base64, no trailing newline,
 * of `<IPAM_DRIVER_ACTION_DATA><AR>..</AR><ADDRESS>..</ADDRESS>`, AR values in CDATA.
 */

export const DRIVER_NAME = 'bench';
const PLACEHOLDER = '<ADDRESS><MAC/><IP/><IP6_GLOBAL/><IP6_ULA/><IP6/><SIZE/></ADDRESS>';

function payload(arXml, addressXml) {
  return Buffer.from(
    `<IPAM_DRIVER_ACTION_DATA><AR>${arXml}</AR>${addressXml}</IPAM_DRIVER_ACTION_DATA>`,
    'utf8',
  ).toString('base64');
}

/** AR attributes in byte-wise order of their names, then the computed elements, as oned writes them. */
function arXml(attributes, computed = {}, usedLeases) {
  const cdata = (name, value) => `<${name}><![CDATA[${value}]]></${name}>`;
  const names = Object.keys(attributes).sort();
  const tail = Object.entries(computed)
    .map(([k, v]) => cdata(k, v))
    .join('');
  return (
    names.map((n) => cdata(n, attributes[n])).join('') +
    tail +
    (usedLeases === undefined ? '' : `<USED_LEASES>${usedLeases}</USED_LEASES>`)
  );
}

export function registerRequest(attributes) {
  return payload(arXml({ IPAM_MAD: DRIVER_NAME, ...attributes }), PLACEHOLDER);
}

export function unregisterRequest(storedAr) {
  return payload(arXml(storedAr), PLACEHOLDER);
}

export function getRequest(storedAr, size = 1) {
  return payload(arXml(storedAr), `<ADDRESS><SIZE>${size}</SIZE></ADDRESS>`);
}

/**
 * allocate_address and free_address: the full address (MAC, IP or IP6), SIZE n.
 * @param {Record<string, string>} storedAr
 * @param {{ mac: string, ip?: string, ip6?: string }} address
 */
export function addressRequest(storedAr, { mac, ip, ip6 }, size = 1) {
  const parts = [
    `<MAC>${mac}</MAC>`,
    ip ? `<IP>${ip}</IP>` : '',
    ip6 ? `<IP6>${ip6}</IP6>` : '',
    `<SIZE>${size}</SIZE>`,
  ];
  return payload(arXml(storedAr), `<ADDRESS>${parts.join('')}</ADDRESS>`);
}

/**
 * The AR oned stores for a registered range and sends back on every later action.
 * @param {{ id?: string | undefined, type: string, ip?: bigint, ip6?: bigint, prefixLength?: number, mac: bigint, size: number | bigint, arId?: number }} range
 * @returns {Record<string, string>}
 */
export function storedAr({ id, type, ip, ip6, prefixLength, mac, size, arId = 0 }) {
  const ar = /** @type {Record<string, string>} */ ({
    AR_ID: String(arId),
    IPAM_MAD: DRIVER_NAME,
    MAC: formatMac(mac),
    NEBULA_IPAM_RANGE: id,
    NEXT_INDEX: '0',
    SHARED: 'NO',
    SIZE: String(size),
    TYPE: type,
  });
  if (ip !== undefined) ar.IP = formatIPv4(ip);
  if (ip6 !== undefined) Object.assign(ar, { IP6: formatIPv6(ip6), PREFIX_LENGTH: String(prefixLength) });
  return ar;
}

/** The `NAME = "value"` pairs of a template reply. */
/** @param {string} reply @param {string} key @returns {string | undefined} */
export function replyValue(reply, key) {
  return new RegExp(`\\b${key} = "([^"]*)"`).exec(reply)?.[1];
}

export function formatIPv4(n) {
  const v = BigInt(n);
  return [24n, 16n, 8n, 0n].map((s) => String((v >> s) & 255n)).join('.');
}

export function parseIPv4(text) {
  return text.split('.').reduce((acc, octet) => (acc << 8n) + BigInt(octet), 0n);
}

export function formatIPv6(n) {
  const groups = [];
  for (let s = 112n; s >= 0n; s -= 16n) groups.push(((BigInt(n) >> s) & 0xffffn).toString(16));
  return groups.join(':');
}

export function formatMac(n) {
  return BigInt(n)
    .toString(16)
    .padStart(12, '0')
    .replace(/(..)(?!$)/g, '$1:');
}
