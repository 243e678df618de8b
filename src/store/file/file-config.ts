/** The file backend's part of the config: `"backend": {"type": "file"}` and nothing else (the path is the top-level "store"). */
export function parseFileBackend(
  o: Record<string, unknown>,
  fail: (key: string, why: string) => never,
): { type: 'file' } {
  for (const key of Object.keys(o))
    if (key !== 'type') fail(`backend.${key}`, 'is not a key of the file backend (its path is the top-level "store")');
  return { type: 'file' };
}
