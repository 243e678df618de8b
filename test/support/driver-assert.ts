/**
 * What every driver run must look like from oned's side (docs/oned-contract.md 1 and 3), as assertions:
 * a success prints one valid vector (or nothing) and no stderr; a failure exits non-zero with one
 * line on stderr that oned will show as the error message, and nothing on stdout.
 */
import assert from 'node:assert/strict';
import { ONED_LOG_LINE, parseTemplateReply, type RunResult } from './driver-harness.ts';

/** Exit 0, stdout a valid `name = [ ... ]` vector, stderr empty; returns the attributes. */
export function expectReply(result: RunResult, name: 'AR' | 'ADDRESS'): ReadonlyMap<string, string> {
  assert.equal(result.code, 0, `expected exit 0, got ${result.code}; stderr: ${result.stderr}`);
  assert.equal(result.stderr, '', 'a success writes nothing on stderr');
  return parseTemplateReply(result.stdout, name).attrs;
}

/** Exit 0 with nothing on stdout (allocate, free, unregister: only the status counts). */
export function expectQuietSuccess(result: RunResult): void {
  assert.equal(result.code, 0, `expected exit 0, got ${result.code}; stderr: ${result.stderr}`);
  assert.equal(result.stdout, '', 'nothing on stdout');
  assert.equal(result.stderr, '', 'nothing on stderr');
}

/**
 * A failure as oned needs it: the given exit code, empty stdout, exactly one stderr line that is
 * not a log line (oned would file it in oned.log and show an empty message), naming each of
 * `mentions`. Returns the line.
 */
export function expectFailure(result: RunResult, code: number, mentions: readonly string[] = []): string {
  assert.equal(
    result.code,
    code,
    `expected exit ${code}, got ${result.code}; stdout: ${result.stdout} stderr: ${result.stderr}`,
  );
  assert.equal(result.stdout, '', 'a failure prints nothing on stdout');
  const lines = result.stderr.split('\n');
  assert.equal(lines.at(-1), '', 'stderr ends with a newline');
  assert.equal(lines.length, 2, `exactly one stderr line, got ${JSON.stringify(result.stderr)}`);
  const line = lines[0]!;
  assert.ok(line.trim().length > 0, 'the line says something');
  assert.doesNotMatch(line.trim(), ONED_LOG_LINE, 'oned would take this line for a log line, not the error message');
  for (const text of mentions) assert.ok(line.includes(text), `the message names ${JSON.stringify(text)}: ${line}`);
  return line;
}
