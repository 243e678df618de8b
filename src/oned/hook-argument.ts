/**
 * What OpenNebula's hook manager passes a hook (src/hem/onehem-server.rb, `arguments`): `$TEMPLATE`
 * is the resource's XML element and `$API` the call's `<CALL_INFO>` element, each
 * `Base64.strict_encode64`d. Decoded strictly, like oned's requests (request.ts); whitespace is
 * ignored so that a copy wrapped or indented by hand reads the same.
 */
import { IpamError, shown } from '../core/errors.ts';
import { plainXmlProblem } from '../core/oned/plain-xml.ts';
import { type XmlElements, xmlElements } from './xml-elements.ts';

/** The argument's XML elements; `what` names it in the one line a failure prints. */
export function hookXml(argument: string, what: string, passes: string): XmlElements {
  const text = argument.replace(/\s+/g, '');
  if (text === '' || text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text))
    throw hookError(what, `the argument is not base64 (starts ${shown(text.slice(0, 24))}); the hook passes ${passes}`);
  const xml = Buffer.from(text, 'base64').toString('utf8');
  const problem = plainXmlProblem(xml);
  if (problem) throw hookError(what, problem);
  try {
    return xmlElements(xml);
  } catch (error) {
    throw hookError(what, error instanceof Error ? error.message : String(error));
  }
}

export function hookError(what: string, why: string): IpamError {
  return new IpamError('bad-request', `Cannot read ${what}: ${why}`);
}
