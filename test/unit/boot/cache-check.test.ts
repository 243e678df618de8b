/** The code cache's seal (src/boot/cache-check.ts): any damaged byte, a cut, or no seal is refused. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { seal, unseal } from '../../../src/boot/cache-check.ts';

test('a sealed cache reads back whole; every flipped byte, a cut, an extension and a missing seal are refused', () => {
  const data = Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 7) & 0xff));
  const file = seal(data);
  assert.deepEqual(unseal(file), data);
  for (let i = 0; i < file.length; i++) {
    const damaged = Buffer.from(file);
    damaged[i]! ^= 0x01;
    assert.equal(unseal(damaged), undefined, `byte ${i}`);
  }
  assert.equal(unseal(file.subarray(0, file.length - 1)), undefined);
  assert.equal(unseal(Buffer.concat([file, Buffer.from([0])])), undefined);
  assert.equal(unseal(data), undefined, 'V8 data without the seal');
  assert.equal(unseal(Buffer.alloc(0)), undefined);
  assert.equal(unseal(seal(Buffer.alloc(0))), undefined, 'an empty cache is no cache');
});
