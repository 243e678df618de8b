/**
 * oned's request: one line of base64 holding `<IPAM_DRIVER_ACTION_DATA><AR>..</AR><ADDRESS>..</ADDRESS>`
 * (docs/oned-contract.md 1 and 2). Decoded strictly; anything else is a bad request, never a guess.
 */
import { IpamError, shown } from '../core/errors.ts';
import { outsideCdata, plainXmlProblem } from '../core/oned/plain-xml.ts';
import { xmlElements } from './xml-elements.ts';
import type { Attributes, OnedRequest } from '../core/oned/attributes.ts';

export const MAX_REQUEST_BYTES = 1024 * 1024;

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const ATTRIBUTE_NAME = /^[A-Z0-9_]{1,128}$/;

export function decodeRequest(payload: string): OnedRequest {
  // oned sends one line; a request piped in by hand through `base64` comes wrapped at 76 columns.
  const text = payload.trim().replace(/\r?\n/g, '');
  if (text === '') throw bad('the request is empty (oned sends it base64-encoded on standard input)');
  if (text.length % 4 !== 0 || !BASE64.test(text))
    throw bad(`the request is not base64 (starts ${shown(text.slice(0, 24))})`);

  let xml: string;
  try {
    xml = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(text, 'base64'));
  } catch {
    throw bad('the decoded request is not UTF-8 text');
  }
  const problem = plainXmlProblem(xml);
  if (problem) throw bad(problem);
  // oned writes values in CDATA or as plain text, never as `&#..;`; a reader would have to
  // guess what a reference to a control character means, so a value would not be what was sent.
  if (/&#/.test(outsideCdata(xml))) throw bad('it holds a character reference (&#...;), which oned never writes');
  let doc: unknown;
  try {
    // Validated by fast-xml-parser above (plain-xml.ts); what its XMLParser would give, for much less.
    doc = xmlElements(xml);
  } catch (error) {
    throw bad(`the decoded request is not acceptable XML (${(error as Error).message.replace(/\s+/g, ' ')})`);
  }

  const root = isRecord(doc) ? doc.IPAM_DRIVER_ACTION_DATA : undefined;
  if (!isRecord(root)) throw bad('the request has no IPAM_DRIVER_ACTION_DATA element');
  const ar = root.AR;
  if (!isRecord(ar) || Object.keys(ar).length === 0) throw bad('the request has no AR, or an empty one');
  const address = root.ADDRESS;
  return { ar: attributes(ar, 'AR'), address: isRecord(address) ? attributes(address, 'ADDRESS') : new Map() };
}

function attributes(element: Record<string, unknown>, where: string): Attributes {
  const found = new Map<string, string>();
  for (const [name, value] of Object.entries(element)) {
    if (!ATTRIBUTE_NAME.test(name))
      throw bad(`${where} has an element named ${shown(name)}; attribute names are upper-case letters, digits and '_'`);
    if (Array.isArray(value)) throw bad(`${where} has ${name} more than once`);
    if (typeof value !== 'string') throw bad(`${where} attribute ${name} holds elements instead of a value`);
    found.set(name, value.trim());
  }
  return found;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function bad(why: string): IpamError {
  return new IpamError('bad-request', `Cannot read the request: ${why}`);
}
