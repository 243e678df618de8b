/**
 * The LeaseStore contract, held by the in-memory fake and the file store alike, so that code
 * tested against the fake behaves the same against the disk: a change's result comes back, a
 * change that returns no book writes nothing, every write bumps the generation by one.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import type { Book } from '../../src/book/book.ts';
import { FileStore } from '../../src/store/file-store.ts';
import { MemoryStore } from '../../src/store/memory-store.ts';
import type { LeaseStore } from '../../src/store/store.ts';

const withRange = (book: Book): Book => ({
  ...book,
  nextRangeId: book.nextRangeId + 1,
  ranges: [...book.ranges, { id: `r${book.nextRangeId}`, type: 'IP4', size: 10n, ip: 0x0a00000an, createdAt: '2026-11-28T00:00:00.000Z', leases: [] }],
});

const stores: [string, () => { store: LeaseStore; done: () => void }][] = [
  ['MemoryStore', () => ({ store: new MemoryStore(), done: () => undefined })],
  ['FileStore', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nebula-store-'));
    return { store: new FileStore(path.join(dir, 'book', 'leases.json'), { lockTimeoutMs: 1_000 }), done: () => fs.rmSync(dir, { recursive: true, force: true }) };
  }],
];

for (const [name, make] of stores) {
  test(`${name}: results come back, no book means no write, each write is one generation`, async () => {
    const { store, done } = make();
    try {
      assert.equal((await store.read()).generation, 0, 'a new store is the empty book');
      assert.equal(await store.update((book) => ({ book: withRange(book), result: 'added' })), 'added');
      const once = await store.read();
      assert.deepEqual([once.generation, once.ranges.map((r) => r.id), once.nextRangeId], [1, ['r1'], 2]);

      assert.equal(await store.update((book) => ({ result: book.ranges.length })), 1, 'the change sees the stored book');
      assert.equal((await store.read()).generation, 1, 'a change without a book writes nothing');

      await store.update((book) => ({ book: withRange(book), result: undefined }));
      const twice = await store.read();
      assert.deepEqual([twice.generation, twice.ranges.map((r) => r.id)], [2, ['r1', 'r2']]);
    } finally {
      done();
    }
  });
}
