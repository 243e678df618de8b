/** How full the book's storage is (etcd's database against its quota), as status prints it. */
import type { StoreSpace } from '../../store/store.ts';

export function spaceLine(space: StoreSpace): string {
  const used = mib(space.usedBytes);
  const inUse = space.inUseBytes === undefined ? '' : `, ${mib(space.inUseBytes)} in use`;
  if (space.quotaBytes === undefined || space.quotaBytes <= 0) return `Storage ${used}${inUse}\n`;
  const share = ((100 * space.usedBytes) / space.quotaBytes).toFixed(1);
  return `Storage ${used} of the ${mib(space.quotaBytes)} quota (${share}%)${inUse}\n`;
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
