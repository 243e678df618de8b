/**
 * oned's XML-RPC API as nebula-ipam speaks it (issue 18 items 5 and 6): a call's body, and the
 * answer read back. Pure text in, text out; the HTTP is oned/xmlrpc-client.ts's.
 *
 * Every oned method answers the same shape (OpenNebula's XML-RPC reference, OpenNebula/docs
 * source/integration_and_development/system_interfaces/api.rst, read for 6.x): one param, an
 * array of [success boolean, the result (a string: the XML body, or the error message; an int
 * for an allocate), an int error code (0x0100 authentication, 0x0200 authorization, 0x0400 no
 * such object, ...)]. An XML-RPC
 * `<fault>` (an unknown method, wrong parameter types) is a refusal too. oned's server
 * (xmlrpc-c) writes strings as `<string>` with `&lt; &gt; &amp;` and `&#x0d;` for a CR; an
 * untyped `<value>text</value>` is a string as the XML-RPC spec says.
 */
import { IpamError } from '../errors.ts';

export type XmlRpcParam = string | number | boolean;
export type XmlRpcValue = string | number | boolean | XmlRpcValue[] | { readonly [name: string]: XmlRpcValue };

/** The POST body of `method(params)`; strings escaped, so a session `user:pa<&>ss` arrives as written. */
export function encodeCall(method: string, params: readonly XmlRpcParam[]): string {
  const values = params.map((p) => `<param><value>${encodeValue(p)}</value></param>`).join('');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<methodCall><methodName>${escapeText(method)}</methodName><params>${values}</params></methodCall>\n`;
}

function encodeValue(value: XmlRpcParam): string {
  if (typeof value === 'boolean') return `<boolean>${value ? 1 : 0}</boolean>`;
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < -(2 ** 31) || value >= 2 ** 31)
      throw new RangeError(`XML-RPC i4 cannot hold ${value}`);
    return `<i4>${value}</i4>`;
  }
  return `<string>${escapeText(value)}</string>`;
}

/** `&`, `<`, `>` as entities, and CR as a reference (a raw CR would be read back as LF). */
export function escapeText(text: string): string {
  return text.replace(/[&<>\r]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&#13;'));
}

/** What a method gave: its result on success; a refusal as oned worded it (with its code). */
export type OnedAnswer =
  | { readonly ok: true; readonly result: XmlRpcValue }
  | { readonly ok: false; readonly message: string; readonly code: number; readonly fault?: true };

/**
 * Reads oned's answer to `method`; throws an IpamError ('store-io') for a body that is no
 * XML-RPC response of oned's shape, saying what was wrong.
 */
export function decodeAnswer(method: string, xml: string): OnedAnswer {
  try {
    return answerOf(parseDocument(xml));
  } catch (error) {
    throw notAnAnswer(method, (error as Error).message);
  }
}

function answerOf(response: Element): OnedAnswer {
  if (response.name !== 'methodResponse') throw new Error(`its root is <${response.name}>`);
  const [first] = response.children;
  if (first?.name === 'fault') {
    const fault = valueOf(only(first, 'value'));
    const { faultCode, faultString } = typeof fault === 'object' && !Array.isArray(fault) ? fault : {};
    return {
      ok: false,
      message: typeof faultString === 'string' ? faultString : 'an XML-RPC fault',
      code: typeof faultCode === 'number' ? faultCode : -1,
      fault: true,
    };
  }
  if (first?.name !== 'params') throw new Error('it has neither params nor a fault');
  const result = valueOf(only(only(first, 'param'), 'value'));
  if (!Array.isArray(result) || result.length < 2 || typeof result[0] !== 'boolean')
    throw new Error('it is not [success, result, code] as oned answers');
  const code = typeof result[2] === 'number' ? result[2] : 0;
  if (result[0]) return { ok: true, result: result[1]! };
  return { ok: false, message: typeof result[1] === 'string' ? result[1] : String(result[1]), code };
}

function notAnAnswer(method: string, why: string): IpamError {
  return new IpamError('store-io', `Cannot read oned's answer to ${method}: ${why}`, { reason: why });
}

// A small strict reader: XML-RPC has no attributes, no mixed content, and at most a prolog.

interface Element {
  readonly name: string;
  readonly children: Element[];
  text: string;
}

const NAME = /^[A-Za-z_][\w.-]*/;

function parseDocument(xml: string): Element {
  const root: Element = { name: '', children: [], text: '' };
  const stack: Element[] = [root];
  let at = 0;
  const body = xml.replace(/^\uFEFF/, '');
  while (at < body.length) {
    const lt = body.indexOf('<', at);
    const text = body.slice(at, lt < 0 ? body.length : lt);
    stack[stack.length - 1]!.text += decodeReferences(text);
    if (lt < 0) break;
    if (body.startsWith('<?', lt)) {
      const end = body.indexOf('?>', lt);
      if (end < 0 || stack.length > 1) throw new Error('a processing instruction is misplaced');
      at = end + 2;
      continue;
    }
    if (body.startsWith('<![CDATA[', lt)) {
      const end = body.indexOf(']]>', lt);
      if (end < 0) throw new Error('a CDATA section is not closed');
      stack[stack.length - 1]!.text += body.slice(lt + 9, end);
      at = end + 3;
      continue;
    }
    if (body.startsWith('<!', lt)) throw new Error('it holds a comment or declaration');
    const end = body.indexOf('>', lt);
    if (end < 0) throw new Error('a tag is not closed');
    const tag = body.slice(lt + 1, end);
    if (tag.startsWith('/')) {
      const closed = stack.pop()!;
      if (stack.length === 0 || closed.name !== tag.slice(1).trim())
        throw new Error(`</${tag.slice(1).trim()}> closes no open element`);
    } else {
      const selfClosing = tag.endsWith('/');
      const name = NAME.exec(tag)?.[0];
      if (!name || tag.slice(name.length, selfClosing ? -1 : undefined).trim() !== '')
        throw new Error(`<${tag.slice(0, 24)}> is not an XML-RPC tag`);
      const element: Element = { name, children: [], text: '' };
      stack[stack.length - 1]!.children.push(element);
      if (stack.length === 1 && root.children.length > 1) throw new Error('it has more than one root element');
      if (!selfClosing) stack.push(element);
    }
    at = end + 1;
  }
  if (stack.length !== 1) throw new Error(`<${stack[stack.length - 1]!.name}> is not closed`);
  if (root.children.length !== 1) throw new Error(root.children.length ? 'it has more than one root' : 'it is empty');
  if (root.text.trim() !== '') throw new Error('it has text outside its root element');
  return root.children[0]!;
}

const ENTITIES: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeReferences(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&([^;&\s]*);?/g, (reference, name: string) => {
    const value = !reference.endsWith(';')
      ? undefined
      : name.startsWith('#x')
        ? codePoint(Number.parseInt(name.slice(2), 16))
        : name.startsWith('#')
          ? codePoint(Number.parseInt(name.slice(1), 10))
          : ENTITIES[name];
    if (value === undefined) throw new Error(`it holds the reference ${JSON.stringify(reference.slice(0, 12))}`);
    return value;
  });
}

function codePoint(n: number): string | undefined {
  return Number.isInteger(n) && n > 0 && n <= 0x10ffff ? String.fromCodePoint(n) : undefined;
}

function only(parent: Element, name: string): Element {
  const found = parent.children.filter((c) => c.name === name);
  if (found.length !== 1) throw new Error(`<${parent.name}> holds ${found.length} <${name}>`);
  return found[0]!;
}

/** One `<value>`: typed (`<string>`, `<i4>`/`<int>`, `<boolean>`, `<array>`, `<struct>`) or bare text. */
function valueOf(value: Element): XmlRpcValue {
  const [typed, ...more] = value.children;
  if (!typed) return value.text;
  if (more.length) throw new Error('<value> holds more than one value');
  const text = typed.text;
  switch (typed.name) {
    case 'string':
      return text;
    case 'i4':
    case 'int':
    case 'i8': {
      if (!/^\s*[+-]?\d{1,19}\s*$/.test(text)) throw new Error(`<${typed.name}> holds ${JSON.stringify(text)}`);
      return Number(text);
    }
    case 'boolean':
      if (text.trim() !== '0' && text.trim() !== '1') throw new Error(`<boolean> holds ${JSON.stringify(text)}`);
      return text.trim() === '1';
    case 'array':
      return only(typed, 'data').children.map((v) => {
        if (v.name !== 'value') throw new Error(`<data> holds <${v.name}>`);
        return valueOf(v);
      });
    case 'struct': {
      const members: Record<string, XmlRpcValue> = Object.create(null);
      for (const member of typed.children) members[only(member, 'name').text] = valueOf(only(member, 'value'));
      return members;
    }
    default:
      throw new Error(`<value> holds <${typed.name}>`);
  }
}
