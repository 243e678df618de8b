/**
 * The elements of an XML document that fast-xml-parser's validator has already found
 * well-formed, as plain objects: an element holding only text (and CDATA) is its text, one
 * holding elements is an object of them (a name met twice holds an array), text beside elements
 * is kept under `#text`, attributes, the declaration and processing instructions are left out.
 * That is what fast-xml-parser's XMLParser gives for decodeRequest's options
 * (test/unit/oned/xml-elements.test.ts compares the two), for a fraction of the cost: its parser and
 * the modules it loads (entity tables, sanitisers, path matchers) made up a fifth of every driver
 * action's time, and oned runs actions one at a time for the whole cloud.
 *
 * Strict where a guess would be needed: a character or entity reference other than the five XML
 * ones, a comment or a DOCTYPE is refused (oned writes none of them; decodeRequest refuses the
 * last two before validating).
 */

export type XmlValue = string | XmlElements | XmlValue[];
/** Child elements by name; no prototype, so a name like `__proto__` is only a name. */
export type XmlElements = { [name: string]: XmlValue };

const ENTITIES: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

interface Open {
  readonly name: string;
  readonly children: XmlElements;
  hasChildren: boolean;
  text: string;
}

/** The document's top-level elements; throws an Error saying why for what it will not read. */
export function xmlElements(xml: string): XmlElements {
  const top: Open = { name: '', children: Object.create(null) as XmlElements, hasChildren: false, text: '' };
  const stack: Open[] = [top];
  let at = 0;
  while (at < xml.length) {
    const lt = xml.indexOf('<', at);
    const current = stack[stack.length - 1]!;
    current.text += decodeText(xml.slice(at, lt < 0 ? xml.length : lt));
    if (lt < 0) break;
    if (xml.startsWith('<![CDATA[', lt)) {
      const end = xml.indexOf(']]>', lt + 9);
      if (end < 0) throw new Error('a CDATA section is not closed');
      current.text += xml.slice(lt + 9, end);
      at = end + 3;
    } else if (xml.startsWith('<?', lt)) {
      const end = xml.indexOf('?>', lt + 2);
      if (end < 0) throw new Error('a processing instruction is not closed');
      at = end + 2;
    } else if (xml.startsWith('<!', lt)) {
      throw new Error('it holds a comment or declaration');
    } else if (xml.startsWith('</', lt)) {
      const end = xml.indexOf('>', lt);
      const name = xml.slice(lt + 2, end).trim();
      const closed = stack.pop();
      if (!closed || closed === top || closed.name !== name) throw new Error(`</${name}> closes no open element`);
      add(stack[stack.length - 1]!, name, valueOf(closed));
      at = end + 1;
    } else {
      const end = tagEnd(xml, lt);
      const selfClosing = xml[end - 1] === '/';
      const name = /^[^\s/>]+/.exec(xml.slice(lt + 1, end))?.[0];
      if (!name) throw new Error('an element has no name');
      if (selfClosing) add(current, name, '');
      else stack.push({ name, children: Object.create(null) as XmlElements, hasChildren: false, text: '' });
      at = end + 1;
    }
  }
  if (stack.length !== 1) throw new Error(`<${stack[stack.length - 1]!.name}> is not closed`);
  return top.children;
}

function valueOf(element: Open): XmlValue {
  const text = element.text.trim();
  if (!element.hasChildren) return text;
  if (text !== '') add(element, '#text', text);
  return element.children;
}

function add(parent: Open, name: string, value: XmlValue): void {
  const earlier = parent.children[name];
  // Values are text or objects: an array can only be one made here for a repeated name.
  if (earlier === undefined) parent.children[name] = value;
  else if (Array.isArray(earlier)) earlier.push(value);
  else parent.children[name] = [earlier, value];
  if (name !== '#text') parent.hasChildren = true;
}

/** Where a start tag ends: its `>`, skipping any inside quoted attribute values. */
function tagEnd(xml: string, lt: number): number {
  let quote: string | undefined;
  for (let i = lt + 1; i < xml.length; i++) {
    const c = xml[i];
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '>') return i;
  }
  throw new Error('a start tag is not closed');
}

function decodeText(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&([^;&\s]*);?/g, (reference, name: string) => {
    const value = reference.endsWith(';') ? ENTITIES[name] : undefined;
    if (value === undefined)
      throw new Error(
        `it holds the reference ${JSON.stringify(reference.slice(0, 12))}; oned writes only &lt; &gt; &amp; &quot; &apos;`,
      );
    return value;
  });
}
