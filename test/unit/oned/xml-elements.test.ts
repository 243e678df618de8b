import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { xmlElements } from '../../../src/oned/xml-elements.ts';
import { REPO_ROOT } from '../../support/driver-harness.ts';
import '../../support/seed.ts';

/** What decodeRequest used to parse with: xmlElements must read every valid document the same way. */
const reference = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: true,
  processEntities: true,
  htmlEntities: false,
  textNodeName: '#text',
});

/** Plain data with trimmed text (decodeRequest trims every value), for comparing the two. */
function normal(value: unknown): unknown {
  if (typeof value === 'string') return value.trim();
  if (Array.isArray(value)) return value.map(normal);
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normal(v)]));
  return value;
}

function sameAsReference(xml: string): void {
  assert.equal(XMLValidator.validate(xml), true, xml);
  // The reference keeps the declaration as an element `?xml`; decodeRequest never looks at it.
  const { '?xml': _declaration, ...expected } = reference.parse(xml, true) as Record<string, unknown>;
  assert.deepEqual(normal(xmlElements(xml)), normal(expected), xml);
}

test('every oned sample reads as fast-xml-parser reads it', () => {
  const dir = path.join(REPO_ROOT, 'test', 'fixtures', 'oned');
  const samples = fs.readdirSync(dir).filter((name) => name.endsWith('.xml'));
  assert.ok(samples.length >= 5);
  for (const name of samples) sameAsReference(fs.readFileSync(path.join(dir, name), 'utf8').trim());
});

const NAME = fc.stringMatching(/^[A-Z][A-Z0-9_]{0,11}$/);
/** Text XML allows (no control characters but tab and newline), without CDATA's terminator. */
const TEXT = fc
  .string({ unit: 'binary', maxLength: 24 })
  .map((t) => t.replace(/[\u0000-\u0008\u000b-\u001f\ufffe\uffff\ud800-\udfff]/g, '').replaceAll(']]>', ''));
const escape = (t: string) =>
  t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
const SPACE = fc.constantFrom('', ' ', '\n', '\t ');

/** A leaf as oned writes one (CDATA, escaped text, empty, self-closing), sometimes with an attribute. */
const leaf = fc
  .tuple(NAME, TEXT, fc.constantFrom('cdata', 'text', 'two-cdata', 'empty', 'self'), fc.boolean(), SPACE)
  .map(([name, text, form, attribute, space]) => {
    const attr = attribute ? ` kind="a>b"` : '';
    switch (form) {
      case 'cdata':
        return `<${name}${attr}>${space}<![CDATA[${text}]]>${space}</${name}>`;
      case 'two-cdata':
        return `<${name}${attr}><![CDATA[${text}]]]]><![CDATA[>${text}]]></${name}>`;
      case 'text':
        return `<${name}${attr}>${escape(text)}</${name}>`;
      case 'empty':
        return `<${name}${attr}></${name}>`;
      default:
        return `<${name}${attr}/>`;
    }
  });
/** Elements inside a leaf, and repeated names, which decodeRequest refuses: they must read the same too. */
const element = fc.oneof(
  { weight: 6, arbitrary: leaf },
  {
    weight: 1,
    arbitrary: fc
      .tuple(NAME, fc.array(leaf, { maxLength: 3 }))
      .map(([name, inner]) => `<${name}>${inner.join('')}</${name}>`),
  },
);

test("any document of oned's shape reads as fast-xml-parser reads it", () => {
  fc.assert(
    fc.property(
      fc.array(element, { maxLength: 8 }),
      fc.array(element, { maxLength: 4 }),
      fc.boolean(),
      SPACE,
      (ar, address, declaration, space) => {
        const repeated = ar.length > 0 ? [...ar, ar[0]!] : ar;
        for (const inner of [ar, repeated]) {
          sameAsReference(
            `${declaration ? '<?xml version="1.0" encoding="UTF-8"?>' : ''}<IPAM_DRIVER_ACTION_DATA>${space}<AR>${inner.join(space)}</AR><ADDRESS>${address.join('')}</ADDRESS></IPAM_DRIVER_ACTION_DATA>`,
          );
        }
      },
    ),
    { numRuns: 500 },
  );
});

test('text beside elements, and names that are JavaScript object keys, read as plain data', () => {
  sameAsReference('<R><AR>junk<IP>1</IP>more</AR></R>');
  const elements = xmlElements('<R><__proto__>x</__proto__><constructor>y</constructor></R>');
  assert.deepEqual(Object.keys(elements.R as object), ['__proto__', 'constructor']);
  assert.equal(Object.getPrototypeOf({}).polluted, undefined);
});

test('references other than the five XML entities are refused, not guessed at', () => {
  assert.throws(() => xmlElements('<R><A>&nbsp;</A></R>'), /reference "&nbsp;"/);
  assert.throws(() => xmlElements('<R><A>&#65;</A></R>'), /reference/);
  assert.throws(() => xmlElements('<R><A>a & b</A></R>'), /reference/);
  assert.throws(() => xmlElements('<R><!-- c --><A/></R>'), /comment/);
  assert.equal((xmlElements('<R><A>&lt;&gt;&amp;&quot;&apos;</A></R>').R as { A: string }).A, '<>&"\'');
});
