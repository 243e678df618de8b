import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { formatVector, templateUnsafe } from '../../../../src/core/oned/template.ts';
import { parseTemplateReply } from '../../../support/driver-harness.ts';
import { expectIpamError } from '../../../support/expect-ipam-error.ts';
import '../../../support/seed.ts';

test('a vector is NAME = [ on one line, quoted values, no trailing comma', () => {
  const text = formatVector('ADDRESS', [
    ['IP', '10.0.0.12'],
    ['SIZE', '1'],
  ]);
  assert.equal(text, 'ADDRESS = [\n  IP = "10.0.0.12",\n  SIZE = "1"\n]\n');
  assert.doesNotMatch(text, /,\s*\]/);
  assert.deepEqual(parseTemplateReply(text, 'ADDRESS').pairs, [
    ['IP', '10.0.0.12'],
    ['SIZE', '1'],
  ]);
});

test('a double quote travels as \\" and reads back as itself', () => {
  const text = formatVector('AR', [
    ['DESCRIPTION', 'the "blue" net'],
    ['PATH', 'a\\b'],
  ]);
  assert.ok(text.includes('DESCRIPTION = "the \\"blue\\" net"'));
  assert.deepEqual(parseTemplateReply(text, 'AR').pairs, [
    ['DESCRIPTION', 'the "blue" net'],
    ['PATH', 'a\\b'],
  ]);
});

test('values oned would misread are refused, naming the key', () => {
  expectIpamError(() => formatVector('AR', [['X_NOTE', 'a]]>b']]), 'bad-request', ['X_NOTE', ']]>']);
  expectIpamError(() => formatVector('AR', [['X_NOTE', 'ends with \\']]), 'bad-request', ['X_NOTE', 'backslash']);
  expectIpamError(() => formatVector('AR', [['X_NOTE', 'two\nlines']]), 'bad-request', ['X_NOTE', 'line break']);
  expectIpamError(() => formatVector('AR', [['X_NOTE', 'tab\there']]), 'bad-request', ['X_NOTE']);
  assert.equal(templateUnsafe('plain value, with <xml> & "quotes"'), undefined);
});

test('a key may appear once (oned would keep the first silently) and must be a template key', () => {
  expectIpamError(
    () =>
      formatVector('AR', [
        ['IP', '10.0.0.1'],
        ['ip', '10.0.0.2'],
      ]),
    'internal',
    ['ip'],
  );
  expectIpamError(() => formatVector('AR', [['BAD-KEY', 'x']]), 'internal', ['BAD-KEY']);
  expectIpamError(() => formatVector('AR', [['', 'x']]), 'internal');
});

test("any safe values round-trip through oned's grammar", () => {
  const safe = fc.string({ maxLength: 30 }).filter((v) => templateUnsafe(v) === undefined);
  fc.assert(
    fc.property(
      fc.uniqueArray(fc.tuple(fc.stringMatching(/^[A-Z][A-Z0-9_]{0,10}$/), safe), {
        minLength: 1,
        maxLength: 8,
        selector: ([k]) => k,
      }),
      (pairs) => {
        assert.deepEqual(parseTemplateReply(formatVector('AR', pairs), 'AR').pairs, pairs);
      },
    ),
    { numRuns: 300 },
  );
});
