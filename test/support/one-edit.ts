/**
 * Near misses for property tests of strict readers and decoders: a text with one character put
 * in, taken out or changed, at any position.
 */
import fc from 'fast-check';

type Edit = { readonly at: number; readonly kind: 'insert' | 'delete' | 'replace'; readonly char: string };

/** Edits at any position (taken modulo the text's length) with characters from `unit`. */
export function edits(unit: fc.Arbitrary<string>): fc.Arbitrary<Edit> {
  return fc.record({ at: fc.nat(), kind: fc.constantFrom('insert', 'delete', 'replace'), char: unit });
}

/** `text` with `edit` made within its first `reach` characters (all of it by default). */
export function applyEdit(text: string, { at, kind, char }: Edit, reach = text.length + 1): string {
  const i = at % reach;
  if (kind === 'insert') return text.slice(0, i) + char + text.slice(i);
  return text.slice(0, i) + (kind === 'replace' ? char : '') + text.slice(i + 1);
}

/** Texts of `written` with one edit each. */
export function oneEdit(written: fc.Arbitrary<string>, unit: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.tuple(written, edits(unit)).map(([text, edit]) => applyEdit(text, edit));
}
