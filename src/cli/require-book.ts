/**
 * A command must not show an empty, healthy cloud, nor write into a new book, when it looks in
 * the wrong place (a driver installed as `nebula`, the CLI reading the `nebula-ipam` book; a
 * typo in --store): an absent book is a failure naming the place and the setting that chose it
 * (store/missing-book.ts). The stores refuse it too; checking first keeps a command from doing
 * anything else (reading an import file, asking etcd twice) before it fails.
 */
import { missingBook } from '../store/missing-book.ts';
import type { LeaseStore } from '../store/store.ts';
import type { CliContext } from './context.ts';
import { announceBigRead } from './long-read.ts';

/** `store`: the one the command reads (status --serializable: one member's copy). */
export async function requireBook(context: CliContext, store: LeaseStore = context.store()): Promise<void> {
  if (!(await store.exists())) throw missingBook(store.description);
  announceBigRead(store.description.location, store.sizeOnDisk?.(), 'the lease book', context.stderr);
}
