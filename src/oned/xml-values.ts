/** Reading the values xmlElements gives (xml-elements.ts): an element's children, a repeated element as a list, an element's text. */
import type { XmlValue } from './xml-elements.ts';

export function record(value: XmlValue | undefined): Record<string, XmlValue> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : undefined;
}

export function listOf(value: XmlValue | undefined): XmlValue[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

export function textOf(value: XmlValue | undefined): string | undefined {
  return typeof value === 'string' ? value.trim() : undefined;
}
