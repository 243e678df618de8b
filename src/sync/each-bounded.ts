/**
 * Many network requests, a few at a time: what the Kea writes (apply-dhcp.ts) and the probe's
 * connects (probe.ts) share, so a target or a segment is never sent more than `limit` at once.
 */

/** `run(0)` .. `run(count - 1)`, at most `limit` at once, none started once `stop()` says so. */
export async function eachBounded(
  count: number,
  limit: number,
  stop: () => boolean,
  run: (index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count && !stop()) await run(next++);
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, worker));
}
