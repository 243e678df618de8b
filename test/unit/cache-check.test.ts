/** The code cache's seal (src/boot/cache-check.ts): any damaged byte, a short file or no seal is refused. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as zlib from 'node:zlib';
import { cacheCheckFor, seal, unseal } from '../../src/boot/cache-check.ts';

// zlib.crc32 is Node >= 20.15 / 22.2 (and not in @types/node 18).
const zlibCrc32 = (zlib as { crc32?: (bytes: Buffer) => number }).crc32;
const crc32 = zlibCrc32 ?? (() => 0);

test('which Node checks a cache how', () => {
  assert.equal(cacheCheckFor('18.20.8'), 'v8');
  assert.equal(cacheCheckFor('20.14.0'), undefined);
  assert.equal(cacheCheckFor('20.15.0'), 'crc32');
  assert.equal(cacheCheckFor('21.7.3'), undefined);
  assert.equal(cacheCheckFor('22.1.0'), undefined);
  assert.equal(cacheCheckFor('22.2.0'), 'crc32');
  assert.equal(cacheCheckFor('24.22.3'), 'crc32');
});

test('a sealed cache reads back whole; every flipped byte, a cut and a missing seal are refused', { skip: typeof zlibCrc32 !== 'function' && 'zlib.crc32 needs Node >= 20.15' }, () => {
  const data = Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 7) & 0xff));
  const file = seal(data, crc32);
  assert.deepEqual(unseal(file, crc32), data);
  for (let i = 0; i < file.length; i++) {
    const damaged = Buffer.from(file);
    damaged[i]! ^= 0x01;
    assert.equal(unseal(damaged, crc32), undefined, `byte ${i}`);
  }
  assert.equal(unseal(file.subarray(0, file.length - 1), crc32), undefined);
  assert.equal(unseal(data, crc32), undefined, 'V8 data without the seal');
  assert.equal(unseal(Buffer.alloc(0), crc32), undefined);
});
