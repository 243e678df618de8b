/**
 * oned's template text, the only reply format (docs/oned-contract.md 3.1): `NAME = [ KEY = "value", ... ]`.
 * Values that oned's lexer would misread are refused here, so a reply is valid by construction.
 */
import { IpamError, shown } from '../errors.ts';

export type Pairs = readonly (readonly [string, string])[];

const KEY = /^[A-Za-z0-9_]+$/;

/** Why `value` cannot travel in a template, or undefined when it can. */
export function templateUnsafe(value: string): string | undefined {
  if (value.includes(']]>')) return 'contains "]]>", which breaks oned\'s XML';
  if (/[\u0000-\u001f\u007f]/.test(value)) return 'contains a line break or control character';
  // `\"` is the lexer's escaped quote: a value ending in `\` would run into the next attribute.
  if (value.endsWith('\\')) return 'ends with a backslash';
  return undefined;
}

export function formatVector(name: 'AR' | 'ADDRESS', pairs: Pairs): string {
  const seen = new Set<string>();
  const lines = pairs.map(([key, value]) => {
    if (!KEY.test(key) || seen.has(key.toUpperCase())) {
      throw new IpamError('internal', `Cannot write the ${name} reply: key ${shown(key)} is invalid or repeated`);
    }
    seen.add(key.toUpperCase());
    const unsafe = templateUnsafe(value);
    if (unsafe)
      throw new IpamError('bad-request', `Cannot write the ${name} reply: ${key} value ${shown(value)} ${unsafe}`);
    return `  ${key} = "${value.replaceAll('"', '\\"')}"`;
  });
  return `${name} = [\n${lines.join(',\n')}\n]\n`;
}
