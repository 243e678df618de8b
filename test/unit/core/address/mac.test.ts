import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { formatMac, MAC_MAX, parseMac } from '../../../../src/core/address/mac.ts';
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
