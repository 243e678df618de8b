/**
 * The per-pool pattern that names a lease's address, e.g. `vm-{ip}` or `{vm}.{owner}`: the
 * placeholders, checked at config load (an unknown one, or a pattern whose result can never be
 * a host name, is refused there) and filled per address, where a value that is not known (no VM
 * recorded, no owner, no MAC) leaves the address without a name rather than with a wrong one.
 */
import { didYouMean } from '../did-you-mean.ts';
import { hostNameProblem } from './dns-name.ts';

export const PLACEHOLDERS = ['ip', 'mac', 'range', 'vm', 'owner'] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];

/** What fills each placeholder for one address; absent: not known for it. */
export type NameValues = Partial<Record<Placeholder, string>>;

/** A pattern split into literal text and placeholders. */
export type NamePattern = readonly (string | { readonly placeholder: Placeholder })[];

const PIECE = /\{([^{}]*)\}/g;

/** The pattern's parts, or why it is not one (an unknown or unclosed placeholder). */
export function parseNamePattern(text: string): { ok: true; pattern: NamePattern } | { ok: false; why: string } {
  const parts: (string | { placeholder: Placeholder })[] = [];
  let at = 0;
  for (const match of text.matchAll(PIECE)) {
    if (match.index > at) parts.push(text.slice(at, match.index));
    const name = match[1]!;
    if (!(PLACEHOLDERS as readonly string[]).includes(name)) {
      return {
        ok: false,
        why: `has the placeholder {${name}}, which is not one of ${PLACEHOLDERS.map((p) => `{${p}}`).join(', ')}${didYouMean(name, PLACEHOLDERS, (s) => `{${s}}`)}`,
      };
    }
    parts.push({ placeholder: name as Placeholder });
    at = match.index + match[0].length;
  }
  if (at < text.length) parts.push(text.slice(at));
  const literal = parts.filter((p) => typeof p === 'string').join('');
  if (/[{}]/.test(literal)) return { ok: false, why: "has a '{' or '}' that does not enclose a placeholder" };
  if (!parts.some((p) => typeof p !== 'string'))
    return { ok: false, why: 'has no placeholder, so every address would get the same name' };
  return { ok: true, pattern: parts };
}

/** A value as a label's worth of LDH text: lower case, every other character a hyphen, no hyphen at the ends. */
export function labelText(value: string): string {
  return value
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** `10.0.0.5` is `10-0-0-5`; `2001:db8::5` is `2001-db8--5` (RFC 5952 text, colons as hyphens). */
export function addressLabel(address: string): string {
  const dashed = address.replaceAll('.', '-').replaceAll(':', '-');
  // "::1" would start a label with a hyphen: a leading or trailing zero run is written as 0.
  return dashed.replace(/^-/, '0-').replace(/-$/, '-0');
}

/** The pattern's placeholders, each once, in order. */
export function placeholdersOf(pattern: NamePattern): Placeholder[] {
  return [...new Set(pattern.flatMap((p) => (typeof p === 'string' ? [] : [p.placeholder])))];
}

/** The relative name for these values, or which placeholder had no value. */
export function fillNamePattern(
  pattern: NamePattern,
  values: NameValues,
): { ok: true; name: string } | { ok: false; missing: Placeholder } {
  let name = '';
  for (const part of pattern) {
    if (typeof part === 'string') {
      name += part;
      continue;
    }
    const value = values[part.placeholder];
    if (value === undefined || value === '') return { ok: false, missing: part.placeholder };
    name += value;
  }
  return { ok: true, name: name.toLowerCase() };
}

/**
 * Why the pattern can never make a host name in `zone`, or undefined: filled with the longest
 * value each placeholder can take in the pool's family (and a one-letter vm and owner), the name
 * must be a host name (the zone itself may hold underscores, so it is checked apart).
 */
export function patternProblem(pattern: NamePattern, family: 'ipv4' | 'ipv6', zone: string): string | undefined {
  const widest: NameValues = {
    ip: family === 'ipv4' ? '255-255-255-255' : 'ffff-ffff-ffff-ffff-ffff-ffff-ffff-ffff',
    mac: 'ff-ff-ff-ff-ff-ff',
    range: 'r4294967295',
    vm: 'a',
    owner: 'a',
  };
  const filled = fillNamePattern(pattern, widest);
  if (!filled.ok) return undefined;
  const shown = filled.name
    .replaceAll('255-255-255-255', '{ip}')
    .replaceAll('ffff-ffff-ffff-ffff-ffff-ffff-ffff-ffff', '{ip}');
  const problem = hostNameProblem(filled.name);
  if (problem !== undefined) return `makes names that are not host names: ${JSON.stringify(shown)} ${problem}`;
  const full = `${filled.name}.${zone}`;
  if (full.length > 253)
    return `makes names of up to ${full.length} characters with the zone, more than DNS allows (253)`;
  return undefined;
}
