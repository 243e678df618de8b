/** Name patterns: placeholders filled per address; a value not known leaves the address without a name. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  addressLabel,
  fillNamePattern,
  labelText,
  parseNamePattern,
  patternProblem,
} from '../../../../src/core/dns/name-pattern.ts';

const pattern = (text: string) => {
  const parsed = parseNamePattern(text);
  assert.ok(parsed.ok, text);
  return parsed.pattern;
};

test('addresses become labels: dots and colons as hyphens, never a hyphen at either end', () => {
  assert.equal(addressLabel('10.0.0.5'), '10-0-0-5');
  assert.equal(addressLabel('2001:db8::5'), '2001-db8--5');
  assert.equal(addressLabel('::1'), '0--1');
  assert.equal(addressLabel('fe80::'), 'fe80--0');
});

test('free text becomes a label: lower case, other characters as one hyphen', () => {
  assert.equal(labelText('Alice Web'), 'alice-web');
  assert.equal(labelText('  db_01 (prod) '), 'db-01-prod');
  assert.equal(labelText('___'), '');
});

test('a pattern is filled, or says which placeholder had no value', () => {
  assert.deepEqual(fillNamePattern(pattern('vm-{ip}'), { ip: '10-0-0-5' }), { ok: true, name: 'vm-10-0-0-5' });
  assert.deepEqual(fillNamePattern(pattern('{vm}.{owner}'), { vm: 'web1', owner: 'alice' }), {
    ok: true,
    name: 'web1.alice',
  });
  assert.deepEqual(fillNamePattern(pattern('{vm}-{range}'), { range: 'r3' }), { ok: false, missing: 'vm' });
  assert.deepEqual(fillNamePattern(pattern('{owner}'), { owner: '' }), { ok: false, missing: 'owner' });
});

test('patternProblem judges the widest name a pattern can make', () => {
  assert.equal(patternProblem(pattern('vm-{ip}'), 'ipv6', 'cloud.example.com'), undefined);
  assert.match(
    patternProblem(pattern(`${'a'.repeat(30)}-{ip}`), 'ipv6', 'cloud.example.com') ?? '',
    /label of 70 characters/,
  );
  assert.match(
    patternProblem(
      pattern('{ip}'),
      'ipv4',
      `${'z'.repeat(60)}.${'z'.repeat(60)}.${'z'.repeat(60)}.${'z'.repeat(60)}`,
    ) ?? '',
    /more than DNS allows \(253\)/,
  );
});
