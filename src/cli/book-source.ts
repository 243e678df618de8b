/**
 * Where a read-only command reads the book: the store itself, or with `--serializable` one
 * etcd member's own copy (quorum lost: the disaster copy), with the line saying how old it may be.
 */
import type { StoreCopy } from '../store/store-health.ts';
import type { LeaseStore } from '../store/store.ts';
import { usageError } from './command.ts';
import type { CliContext } from './context.ts';

export interface BookSource {
  readonly store: LeaseStore;
  /** Set with --serializable. */
  readonly copy?: StoreCopy;
}

export async function bookSource(command: string, context: CliContext, serializable: boolean): Promise<BookSource> {
  const store = context.store();
  if (!serializable) return { store };
  if (!store.oneCopy)
    throw usageError(
      command,
      `--serializable reads one etcd member's copy, and the lease book ${store.description.location} is a file`,
    );
  const copy = await store.oneCopy();
  return { store: copy.store, copy };
}
