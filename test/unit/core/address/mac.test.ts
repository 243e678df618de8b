import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { formatMac, MAC_MAX, parseMac } from '../../../../src/core/address/mac.ts';
import { oneEdit } from '../../../support/one-edit.ts';
import '../../../support/seed.ts';

test("a MAC in OpenNebula's form is read as a 48-bit number", () => {
  assert.equal(parseMac('02:00:0a:00:00:0a'), 0x02000a00000an);
  assert.equal(parseMac('02:00:0A:00:00:0A'), 0x02000a00000an, 'upper case too');
  assert.equal(parseMac('ff:ff:ff:ff:ff:ff'), MAC_MAX);
});

test('other spellings and bad digits are refused', () => {
  for (const text of [
    '02-00-0a-00-00-0a',
    '0200.0a00.000a',
    '2:0:a:0:0:a',
    '02:00:0a:00:00',
    '02:00:0a:00:00:0a:ff',
    '02:00:0a:00:00:0g',
    '',
    ' 02:00:0a:00:00:0a',
  ]) {
    assert.equal(parseMac(text), undefined, JSON.stringify(text));
  }
});

test('formatting pads every byte and round-trips', () => {
  assert.equal(formatMac(1n), '00:00:00:00:00:01');
  assert.equal(formatMac(MAC_MAX), 'ff:ff:ff:ff:ff:ff');
  fc.assert(
    fc.property(fc.bigInt({ min: 0n, max: MAC_MAX }), (value) => parseMac(formatMac(value)) === value),
    { numRuns: 1000 },
  );
});

test('the digit-by-digit reader accepts exactly xx:xx:xx:xx:xx:xx', () => {
  const strict = /^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}$/;
  const written = fc
    .tuple(fc.bigInt({ min: 0n, max: MAC_MAX }), fc.boolean())
    .map(([value, upper]) => (upper ? formatMac(value).toUpperCase() : formatMac(value)));
  // Near misses: one character put in, taken out or changed, from the hex digits and their
  // neighbours in ASCII ('/', ':', '@', 'G', '`', 'g'), and free strings of them.
  const unit = fc.constantFrom('0', '9', 'a', 'f', 'A', 'F', '/', ':', '@', 'G', '`', 'g', '-');
  const edited = oneEdit(written, unit);
  const free = fc.string({ unit, minLength: 15, maxLength: 18 });
  let accepted = 0;
  fc.assert(
    fc.property(fc.oneof(written, edited, free), (text) => {
      const parsed = parseMac(text);
      if (parsed !== undefined) accepted++;
      const same = parsed === undefined || formatMac(parsed) === text.toLowerCase();
      return (parsed !== undefined) === strict.test(text) && same;
    }),
    { numRuns: 6000 },
  );
  // The property says nothing if nearly every case is refused.
  assert.ok(accepted > 1000, `only ${accepted} of 6000 cases were MACs`);
});
