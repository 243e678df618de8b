/**
 * What oned's XML (a request, or what `onevnet -x` prints) must be before it is read at all:
 * free of declarations outside CDATA sections (a DOCTYPE can define entities: billion laughs,
 * external files; oned writes none) and well-formed by fast-xml-parser's validator. Values in
 * CDATA may hold any text, `<!` included.
 */
import { XMLValidator } from 'fast-xml-parser';

/** Why `xml` is refused, or undefined when it may be read. Comments are left to the reader. */
export function plainXmlProblem(xml: string): string | undefined {
  if (/<!(?!--)/.test(outsideCdata(xml))) return 'it holds a DOCTYPE or other declaration, which oned never writes';
  const valid = XMLValidator.validate(xml);
  if (valid !== true)
    return `it is not well-formed XML (line ${valid.err.line}: ${valid.err.msg.replace(/\s+/g, ' ')})`;
  return undefined;
}

/** The text with every CDATA section taken out: where markup and references can be. */
export function outsideCdata(xml: string): string {
  return xml.replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, '');
}
