/** Reading the values xmlElements gives (xml-elements.ts): an element's children, a repeated element as a list, an element's text. */
import { plainXmlProblem } from '../core/oned/plain-xml.ts';
import { type XmlElements, type XmlValue, xmlElements } from './xml-elements.ts';

/** The top elements of a document of oned's (a pool's XML), or `bad(why)` thrown for one not read: not plain, or not well-formed. */
export function onedDocument(xml: string, bad: (why: string) => Error): XmlElements {
  const problem = plainXmlProblem(xml);
  if (problem) throw bad(problem);
  try {
    return xmlElements(xml);
  } catch (error) {
    throw bad((error as Error).message);
  }
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
