/**
 * A hook run as OpenNebula's hook manager makes it (src/hem/onehem-server.rb of the 6.10 tree,
 * "Copyright 2002-2024": `arguments` and `execute`; src/mad/ruby/CommandManager.rb, LocalCommand):
 * ARGUMENTS split on spaces, `$TEMPLATE` and `$API` replaced by their base64, joined by spaces
 * and stripped; a relative COMMAND gets the hooks' directory in front; with ARGUMENTS_STDIN
 * (`casecmp('yes')`: its `|| casecmp('true')` is never reached) COMMAND runs as it stands and
 * the expanded ARGUMENTS are written to its standard input, with no newline, then closed; else
 * they are appended to COMMAND. The command string runs through `/bin/sh -c` (Ruby's spawn of
 * one string does that when it holds a shell character, and execs its words directly
 * otherwise; both pass an argument over 128 KiB to execve, which refuses it with E2BIG).
 */
import { spawn } from 'node:child_process';

export interface HookEvent {
  /** `$TEMPLATE` of a state hook: the resource's XML, base64. */
  readonly template?: string;
  /** `$API` of an API hook: the CALL_INFO element, base64. */
  readonly api?: string;
}

export type HookRun =
  | { readonly code: number; readonly stdout: string; readonly stderr: string; readonly stdin: string | undefined }
  | { readonly spawnError: string };

/** `attributes`: the hook's TEMPLATE as oned holds it (COMMAND, ARGUMENTS, ARGUMENTS_STDIN, ...). */
export function runAsHookManager(
  attributes: ReadonlyMap<string, string>,
  event: HookEvent,
  env: NodeJS.ProcessEnv,
  hookPath = '/var/lib/one/remotes/hooks',
): Promise<HookRun> {
  const params = (attributes.get('ARGUMENTS') ?? '')
    .split(' ')
    .map((arg) => (arg === '$API' ? (event.api ?? '') : arg === '$TEMPLATE' ? (event.template ?? '') : arg))
    .join(' ')
    .trim();
  let command = attributes.get('COMMAND') ?? '';
  if (!command.startsWith('/')) command = `${hookPath}/${command}`;
  const asStdin = attributes.get('ARGUMENTS_STDIN')?.toLowerCase() === 'yes';
  if (!asStdin && params !== '') command = `${command} ${params}`;
  const stdin = asStdin ? params : undefined;
  return new Promise((resolve) => {
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn('/bin/sh', ['-c', command], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    } catch (error) {
      // E2BIG is thrown at once (node's spawn emits only ENOENT, EACCES and the like as events).
      resolve({ spawnError: (error as NodeJS.ErrnoException).code ?? String(error) });
      return;
    }
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (part: Buffer) => (stdout += part.toString('utf8')));
    child.stderr!.on('data', (part: Buffer) => (stderr += part.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ spawnError: error.code ?? error.message });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal === 'SIGKILL' ? 137 : 128), stdout, stderr, stdin });
    });
    // A hook that exits before reading all of it (a usage error) closes the pipe: not this test's failure.
    child.stdin!.on('error', () => {});
    child.stdin!.end(stdin ?? '');
  });
}
