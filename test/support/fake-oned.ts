/**
 * A fake oned XML-RPC endpoint for tests (node:http on 127.0.0.1, a free port): it answers with
 * the bytes oned's server (xmlrpc-c, xmlrpc_serialize.c) writes — `<?xml ...?>`, CRLF between
 * elements, strings as `<string>` with `&lt; &gt; &amp;` and `&#x0d;` — and records each call
 * (method and decoded params) so a test sees what nebula-ipam sent. The answer to a method is
 * the test's to set; the hook pool is kept as oned keeps it (Hook.cc: NAME and TYPE out of the
 * template, REMOTE added; HookStateVM.cc: ON becomes STATE and LCM_STATE; one.hook.update
 * replaces the template).
 *
 * Also `runCli`: the built bundle as a separate process without blocking this one (the fake
 * answers from this process, so spawnSync would deadlock).
 */
import { spawn } from 'node:child_process';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CliSandbox } from './cli-harness.ts';
import type { RunResult } from './driver-harness.ts';

export type FakeAnswer =
  | { readonly ok: string | number }
  | { readonly refused: string; readonly code: number }
  | { readonly fault: string; readonly code: number }
  | { readonly raw: string }
  | { readonly hang: true };

export interface FakeCall {
  readonly method: string;
  readonly params: readonly (string | number | boolean)[];
  readonly body: string;
}

export interface FakeHook {
  readonly id: number;
  readonly name: string;
  readonly type: string;
  /** HOOK/TEMPLATE as oned keeps it, in order. */
  template: [string, string][];
}

export interface FakeOned {
  readonly endpoint: string;
  readonly calls: FakeCall[];
  readonly hooks: FakeHook[];
  /** Sets the answer to `method`; a method with none set (and not a hook method) is an XML-RPC fault. */
  answer(method: string, answer: FakeAnswer): void;
  stop(): Promise<void>;
}

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '\r': '&#x0d;' };
const escape = (text: string) => text.replace(/[&<>\r]/g, (c) => ESCAPES[c]!);

/** A success or failure in oned's shape: [boolean, string or int, int], as xmlrpc-c writes it. */
export function onedResponse(success: boolean, result: string | number, code = 0): string {
  const value = typeof result === 'number' ? `<i4>${result}</i4>` : `<string>${escape(result)}</string>`;
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\r\n<methodResponse>\r\n<params>\r\n<param><value><array><data>\r\n' +
    `<value><boolean>${success ? 1 : 0}</boolean></value>\r\n<value>${value}</value>\r\n<value><i4>${code}</i4></value>\r\n` +
    '</data></array></value></param>\r\n</params>\r\n</methodResponse>\r\n'
  );
}

export function faultResponse(message: string, code: number): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\r\n<methodResponse>\r\n<fault>\r\n<value><struct>\r\n' +
    `<member><name>faultCode</name>\r\n<value><i4>${code}</i4></value></member>\r\n` +
    `<member><name>faultString</name>\r\n<value><string>${escape(message)}</string></value></member>\r\n` +
    '</struct></value>\r\n</fault>\r\n</methodResponse>\r\n'
  );
}

const unescape = (text: string) =>
  text.replace(/&(lt|gt|amp|quot|apos|#\d+|#x[0-9a-f]+);/gi, (_, name: string) =>
    name.startsWith('#x')
      ? String.fromCodePoint(Number.parseInt(name.slice(2), 16))
      : name.startsWith('#')
        ? String.fromCodePoint(Number(name.slice(1)))
        : ({ lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" } as Record<string, string>)[name]!,
  );

function decodeCall(body: string): FakeCall {
  const method = /<methodName>([^<]*)<\/methodName>/.exec(body)?.[1] ?? '';
  const params = [...body.matchAll(/<param>\s*<value>([\s\S]*?)<\/value>\s*<\/param>/g)].map(([, value]) => {
    const typed = /^<(string|i4|int|boolean)>([\s\S]*)<\/\1>$/.exec(value!.trim());
    if (!typed) return unescape(value!);
    if (typed[1] === 'string') return unescape(typed[2]!);
    if (typed[1] === 'boolean') return typed[2] === '1';
    return Number(typed[2]);
  });
  return { method: unescape(method), params, body };
}

/** OpenNebula's template text, as much as the hooks use: `KEY = value` or `KEY = "quoted"`, a line each. */
function parseTemplate(text: string): [string, string][] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const match = /^\s*([A-Z_]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|(\S*))\s*$/.exec(line);
      if (!match) throw new Error(`the fake cannot read the template line ${JSON.stringify(line)}`);
      return [match[1]!, match[2] === undefined ? match[3]! : match[2].replace(/\\(.)/g, '$1')];
    });
}

const VM_ON: Record<string, [string, string]> = { RUNNING: ['ACTIVE', 'RUNNING'], DONE: ['DONE', 'LCM_INIT'] };

function hookPoolXml(hooks: readonly FakeHook[]): string {
  const body = hooks
    .map(
      (h) =>
        `<HOOK><ID>${h.id}</ID><NAME>${h.name}</NAME><TYPE>${h.type}</TYPE><TEMPLATE>${h.template
          .map(([k, v]) => `<${k}><![CDATA[${v}]]></${k}>`)
          .join('')}</TEMPLATE><HOOKLOG/></HOOK>`,
    )
    .join('');
  return `<HOOK_POOL>${body}</HOOK_POOL>`;
}

export async function startFakeOned(): Promise<FakeOned> {
  const answers = new Map<string, FakeAnswer>();
  const calls: FakeCall[] = [];
  const hooks: FakeHook[] = [];
  const hanging = new Set<http.ServerResponse>();
  const hookAnswer = (call: FakeCall): string | undefined => {
    if (call.method === 'one.hookpool.info') return onedResponse(true, hookPoolXml(hooks));
    if (call.method === 'one.hook.allocate') {
      const template = parseTemplate(String(call.params[1]));
      const get = (key: string) => template.find(([k]) => k === key)?.[1] ?? '';
      const name = get('NAME');
      if (hooks.some((h) => h.name === name))
        return onedResponse(false, `[one.hook.allocate] NAME is already taken by HOOK ${name}.`, 0x0800);
      const kept = template.flatMap(([k, v]): [string, string][] =>
        k === 'NAME' || k === 'TYPE'
          ? []
          : k === 'ON'
            ? [
                ['STATE', VM_ON[v]![0]],
                ['LCM_STATE', VM_ON[v]![1]],
              ]
            : [[k, v]],
      );
      const id = hooks.length === 0 ? 0 : Math.max(...hooks.map((h) => h.id)) + 1;
      hooks.push({ id, name, type: get('TYPE'), template: [...kept, ['REMOTE', 'NO']] });
      return onedResponse(true, id);
    }
    if (call.method === 'one.hook.update') {
      const hook = hooks.find((h) => h.id === call.params[1]);
      if (!hook) return onedResponse(false, `[one.hook.update] Error getting HOOK [${call.params[1]}].`, 0x0400);
      const template = parseTemplate(String(call.params[2]));
      // As oned's parse_template: a state hook needs STATE and LCM_STATE (not ON), an API hook its CALL.
      if (hook.type === 'api' && !template.some(([k]) => k === 'CALL'))
        return onedResponse(false, "[one.hook.update] The CALL attribute is not defined or it's invalid.", 0x0800);
      if (hook.type !== 'api' && (!template.some(([k]) => k === 'STATE') || !template.some(([k]) => k === 'LCM_STATE')))
        return onedResponse(false, "[one.hook.update] The STATE attribute is not defined or it's invalid.", 0x0800);
      hook.template = [...template, ['REMOTE', 'NO']];
      return onedResponse(true, hook.id);
    }
    return undefined;
  };
  const server = http.createServer((request, response) => {
    const parts: Buffer[] = [];
    request.on('data', (part: Buffer) => parts.push(part));
    request.on('end', () => {
      const call = decodeCall(Buffer.concat(parts).toString('utf8'));
      calls.push(call);
      const given = answers.get(call.method);
      if (given && 'hang' in given) {
        hanging.add(response);
        return;
      }
      const text = !given
        ? (hookAnswer(call) ?? faultResponse(`Unknown method ${call.method}`, -506))
        : 'ok' in given
          ? onedResponse(true, given.ok)
          : 'refused' in given
            ? onedResponse(false, given.refused, given.code)
            : 'fault' in given
              ? faultResponse(given.fault, given.code)
              : given.raw;
      response.writeHead(200, { 'Content-Type': 'text/xml; charset=utf-8' });
      response.end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}/RPC2`,
    calls,
    hooks,
    answer: (method, answer) => answers.set(method, answer),
    stop: async () => {
      for (const response of hanging) response.destroy();
      server.closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** `nebula-ipam <args>` of the sandbox, as cli() runs it but without blocking this process; killed after 60 s. */
export function runCli(
  sandbox: CliSandbox,
  args: readonly string[],
  options: { readonly env?: Readonly<Record<string, string>>; readonly stdin?: string } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(sandbox.program, [...args], {
      cwd: sandbox.dir,
      env: sandbox.env({ ...options.env }),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (part: Buffer) => (stdout += part.toString('utf8')));
    child.stderr.on('data', (part: Buffer) => (stderr += part.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal === 'SIGKILL' ? 137 : 128), stdout, stderr });
    });
    child.stdin.end(options.stdin ?? '');
  });
}
