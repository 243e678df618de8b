/**
 * What nebula-ipam needs from oned.conf, read from OpenNebula's template syntax: `NAME = value`
 * and `NAME = [ KEY = value, ... ]`, values quoted ("..." with \" escapes) or bare, `#` comments
 * to the end of the line outside quotes, any layout of whitespace and newlines. Only two things
 * are taken: the ARGUMENTS of each IPAM_MAD block and every VNET_RESTRICTED_ATTR value. What does
 * not parse is skipped token by token, so one odd line elsewhere (oned.conf is long and edited by
 * hand) never hides the lines that matter. Pure: text in, facts out.
 */

export interface OnedConf {
  /** The ARGUMENTS of each `IPAM_MAD = [ ... ]`, in order (oned uses the last). */
  readonly ipamMadArguments: readonly string[];
  /** Every `VNET_RESTRICTED_ATTR` value, as written. */
  readonly vnetRestricted: readonly string[];
}

type Token = { readonly kind: 'word' | 'string'; readonly text: string } | { readonly kind: '=' | '[' | ']' | ',' };

export function parseOnedConf(text: string): OnedConf {
  const tokens = tokenize(text);
  const ipamMadArguments: string[] = [];
  const vnetRestricted: string[] = [];
  for (let i = 0; i + 2 < tokens.length; i++) {
    const name = tokens[i]!;
    if (name.kind !== 'word' || tokens[i + 1]!.kind !== '=') continue;
    const key = name.text.toUpperCase();
    const value = tokens[i + 2]!;
    if (key === 'VNET_RESTRICTED_ATTR' && (value.kind === 'string' || value.kind === 'word'))
      vnetRestricted.push(value.text);
    if (key === 'IPAM_MAD' && value.kind === '[') {
      const end = findClose(tokens, i + 3);
      const args = vectorValue(tokens.slice(i + 3, end), 'ARGUMENTS');
      ipamMadArguments.push(args ?? '');
      i = end;
    }
  }
  return { ipamMadArguments, vnetRestricted };
}

/**
 * The IPAM_MAD names one_ipam enables from its ARGUMENTS, split as the shell that starts it
 * splits them: `-i dummy, nebula` hands `-i` the word `dummy,` (so only dummy) and leaves
 * `nebula` as a stray word, which is why a space after the comma disables the driver silently.
 */
export function ipamDriverList(args: string): {
  readonly drivers: readonly string[];
  readonly stray: readonly string[];
  readonly list?: string;
} {
  const words = args.trim().split(/\s+/).filter(Boolean);
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    const inline = /^(?:-i|--ipam-types=?)(.*)$/.exec(word);
    if (!inline) continue;
    const list = inline[1] !== '' ? inline[1]! : words[i + 1];
    if (list === undefined) return { drivers: [], stray: [] };
    const after = words.slice(inline[1] !== '' ? i + 1 : i + 2);
    // Words after the list up to the next option are what a space after a comma cut off.
    const stray: string[] = [];
    for (const w of after) {
      if (w.startsWith('-')) break;
      stray.push(...w.split(',').filter(Boolean));
    }
    return { drivers: list.split(',').filter(Boolean), stray, list };
  }
  return { drivers: [], stray: [] };
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '#') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (/\s/.test(c)) {
      i++;
    } else if (c === '=' || c === '[' || c === ']' || c === ',') {
      tokens.push({ kind: c });
      i++;
    } else if (c === '"') {
      let value = '';
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === '\\' && i + 1 < text.length) i++;
        value += text[i];
        i++;
      }
      i++;
      tokens.push({ kind: 'string', text: value });
    } else {
      let word = '';
      while (i < text.length && !/[\s=[\],#"]/.test(text[i]!)) word += text[i++];
      tokens.push({ kind: 'word', text: word });
    }
  }
  return tokens;
}

function findClose(tokens: readonly Token[], from: number): number {
  for (let j = from; j < tokens.length; j++) if (tokens[j]!.kind === ']') return j;
  return tokens.length;
}

function vectorValue(tokens: readonly Token[], key: string): string | undefined {
  let found: string | undefined;
  for (let j = 0; j < tokens.length; j++) {
    const name = tokens[j]!;
    const value = tokens[j + 2];
    if (
      name.kind === 'word' &&
      name.text.toUpperCase() === key &&
      tokens[j + 1]?.kind === '=' &&
      value &&
      (value.kind === 'string' || value.kind === 'word')
    )
      found = value.text;
  }
  return found;
}
