/**
 * Domain names on the wire (RFC 1035 3.1, 4.1.4). In our shapes a name is lower-case, fully
 * qualified, without the final dot (the root is ""), in presentation form: a dot inside a label,
 * a backslash and bytes outside printable ASCII are escaped (`\.`, `\\`, `\DDD`), so decoding
 * and encoding give back the same bytes. Decoding follows compression pointers; encoding never
 * compresses (our messages are small, and TSIG wants key and algorithm names uncompressed).
 */
import { MalformedMessage } from './malformed.ts';

const MAX_NAME_BYTES = 255;
const MAX_LABEL_BYTES = 63;

/** The labels of `name` as bytes, unescaped. Throws a RangeError for a name DNS cannot carry. */
export function nameLabels(name: string): Buffer[] {
  const labels: Buffer[] = [];
  if (name === '' || name === '.') return labels;
  const text = name.endsWith('.') && !name.endsWith('\\.') ? name.slice(0, -1) : name;
  // Most names have no escapes: split on the dots (the per-character walk below is 10 times slower).
  if (!text.includes('\\')) return text.split('.').map((part) => label(Buffer.from(part, 'utf8'), name));
  let current: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (char === '.') {
      labels.push(label(current, name));
      current = [];
    } else if (char === '\\') {
      const digits = text.slice(i + 1, i + 4);
      if (/^[0-9]{3}$/.test(digits)) {
        const value = Number(digits);
        if (value > 255) throw new RangeError(`the escape \\${digits} in ${JSON.stringify(name)} is not a byte`);
        current.push(value);
        i += 3;
      } else if (i + 1 < text.length) {
        current.push(...Buffer.from(text[++i]!, 'utf8'));
      } else throw new RangeError(`${JSON.stringify(name)} ends in a lone backslash`);
    } else current.push(...Buffer.from(char, 'utf8'));
  }
  labels.push(label(current, name));
  return labels;
}

function label(bytes: readonly number[] | Buffer, name: string): Buffer {
  if (bytes.length === 0) throw new RangeError(`${JSON.stringify(name)} has an empty label`);
  if (bytes.length > MAX_LABEL_BYTES)
    throw new RangeError(`${JSON.stringify(name)} has a label longer than ${MAX_LABEL_BYTES} bytes`);
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes);
}

/** `name` in wire form, uncompressed. Letters are kept as given (TSIG's canonical form lower-cases first). */
export function encodeName(name: string): Buffer {
  const parts: Buffer[] = [];
  for (const bytes of checkedLabels(name)) parts.push(Buffer.from([bytes.length]), bytes);
  parts.push(Buffer.from([0]));
  return Buffer.concat(parts);
}

/** nameLabels, refusing a name longer than 255 bytes on the wire. */
export function checkedLabels(name: string): Buffer[] {
  const labels = nameLabels(name);
  const length = labels.reduce((sum, bytes) => sum + 1 + bytes.length, 1);
  if (length > MAX_NAME_BYTES)
    throw new RangeError(`${JSON.stringify(name)} is longer than ${MAX_NAME_BYTES} bytes on the wire`);
  return labels;
}

/** RFC 8945 4.3.3's canonical form (RFC 4034 6.2): uncompressed and lower-case. */
export function canonicalName(name: string): Buffer {
  return encodeName(name.toLowerCase());
}

export interface DecodedName {
  readonly name: string;
  /** Where the bytes after the name start (after the pointer, if it ended in one). */
  readonly end: number;
}

/** Reads the name at `offset` of `message`, following pointers (bounded: each must point back). */
export function decodeName(message: Uint8Array, offset: number): DecodedName {
  const labels: string[] = [];
  let position = offset;
  let end: number | undefined;
  let total = 1;
  for (;;) {
    if (position >= message.length) throw new MalformedMessage(`a name at byte ${offset} runs past the end`);
    const length = message[position]!;
    if (length === 0) {
      end ??= position + 1;
      break;
    }
    if ((length & 0xc0) === 0xc0) {
      if (position + 1 >= message.length) throw new MalformedMessage(`a name pointer at byte ${position} is cut short`);
      const target = ((length & 0x3f) << 8) | message[position + 1]!;
      // Only backward pointers: that bounds the walk without counting hops, and loops are impossible.
      if (target >= position)
        throw new MalformedMessage(`a name pointer at byte ${position} points forward, to ${target}`);
      end ??= position + 2;
      position = target;
      continue;
    }
    if ((length & 0xc0) !== 0)
      throw new MalformedMessage(`a label at byte ${position} has the reserved type ${length >> 6}`);
    const start = position + 1;
    if (start + length > message.length) throw new MalformedMessage(`a label at byte ${position} runs past the end`);
    total += length + 1;
    if (total > MAX_NAME_BYTES)
      throw new MalformedMessage(`a name at byte ${offset} is longer than ${MAX_NAME_BYTES} bytes`);
    labels.push(presentLabel(message.subarray(start, start + length)));
    position = start + length;
  }
  return { name: labels.join('.'), end };
}

/** A label as text: ASCII letters lower-cased, dots, backslashes and unprintable bytes escaped. */
function presentLabel(bytes: Uint8Array): string {
  let text = '';
  for (const byte of bytes) {
    if (byte >= 0x41 && byte <= 0x5a) text += String.fromCharCode(byte + 0x20);
    else if (byte === 0x2e || byte === 0x5c) text += `\\${String.fromCharCode(byte)}`;
    else if (byte > 0x20 && byte < 0x7f) text += String.fromCharCode(byte);
    else text += `\\${String(byte).padStart(3, '0')}`;
  }
  return text;
}
