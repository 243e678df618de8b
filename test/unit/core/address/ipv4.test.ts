import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { formatIPv4, IPV4_MAX, parseIPv4 } from '../../../../src/core/address/ipv4.ts';
import { oneEdit } from '../../../support/one-edit.ts';
import '../../../support/seed.ts';

test('a dotted quad is read as the number a person means', () => {
  assert.equal(parseIPv4('10.0.0.1'), 0x0a000001n);
  assert.equal(parseIPv4('0.0.0.0'), 0n);
  assert.equal(parseIPv4('255.255.255.255'), IPV4_MAX);
  assert.equal(parseIPv4('192.168.100.200'), 0xc0a864c8n);
});

test('forms that inet_aton reads differently from a person are refused', () => {
  for (const text of [
    '010.0.0.1', // octal to inet_aton: 8.0.0.1
    '10.0.0.01',
    '0x0a.0.0.1', // hex
    '0x0a000001',
    '10.1', // short form: 10.0.0.1 to inet_aton
    '10.0.1',
    '167772161', // one number
    '::ffff:10.0.0.1', // IPv4-mapped IPv6
    '256.0.0.1',
    '10.0.0.256',
    '10.0.0.1.5',
    '10..0.1',
    ' 10.0.0.1',
    '10.0.0.1 ',
    '10.0.0.1\n',
    '+10.0.0.1',
    '-1.0.0.0',
    '1e1.0.0.1',
    '١٠.0.0.1', // non-ASCII digits
    '',
  ]) {
    assert.equal(parseIPv4(text), undefined, JSON.stringify(text));
  }
});

test('formatting writes the strict form, edges included', () => {
  assert.equal(formatIPv4(0n), '0.0.0.0');
  assert.equal(formatIPv4(IPV4_MAX), '255.255.255.255');
  assert.equal(formatIPv4(0x0a140003n), '10.20.0.3');
});

test('format and parse are inverse over the whole space', () => {
  fc.assert(
    fc.property(fc.bigInt({ min: 0n, max: IPV4_MAX }), (value) => parseIPv4(formatIPv4(value)) === value),
    { numRuns: 2000 },
  );
});

test('the digit-by-digit reader accepts exactly the strict dotted quads', () => {
  const octet = '(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])';
  const strict = new RegExp(`^${octet}\\.${octet}\\.${octet}\\.${octet}$`);
  const written = fc.bigInt({ min: 0n, max: IPV4_MAX }).map(formatIPv4);
  // Near misses: a written address with one character put in, taken out or changed (a leading
  // zero, 256, a fifth part, a stray space), and free strings of the same alphabet.
  const unit = fc.constantFrom('0', '1', '2', '5', '6', '9', '.', ' ', 'a', 'x');
  const edited = oneEdit(written, unit);
  const free = fc.string({ unit, maxLength: 17 });
  let accepted = 0;
  fc.assert(
    fc.property(fc.oneof(written, edited, free), (text) => {
      const parsed = parseIPv4(text);
      if (parsed !== undefined) accepted++;
      return (parsed !== undefined) === strict.test(text) && (parsed === undefined || formatIPv4(parsed) === text);
    }),
    { numRuns: 6000 },
  );
  // The property says nothing if nearly every case is refused.
  assert.ok(accepted > 1000, `only ${accepted} of 6000 cases were dotted quads`);
});
