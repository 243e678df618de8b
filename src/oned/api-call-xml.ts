/**
 * The call an API hook passes (`ARGUMENTS = "$API"`): the `<CALL_INFO>` element of the hook
 * message oned publishes after each call (src/hm/HookAPI.cc, format_message, OpenNebula 5.10 to
 * 7.x), base64:
 *
 *   <CALL_INFO><RESULT>1</RESULT><PARAMETERS>
 *     <PARAMETER><POSITION>1</POSITION><TYPE>IN</TYPE><VALUE>****</VALUE></PARAMETER>   (the session, hidden)
 *     <PARAMETER><POSITION>2</POSITION><TYPE>IN</TYPE><VALUE>42</VALUE></PARAMETER> ...
 *     <PARAMETER><POSITION>1</POSITION><TYPE>OUT</TYPE><VALUE>true</VALUE></PARAMETER> ...
 *   </PARAMETERS><EXTRA>...</EXTRA></CALL_INFO>
 *
 * RESULT is the request's success flag written by `ostream <<` (1 or 0); OUT 1 is the XML-RPC
 * answer's first value (true or false, Request.cc make_parameter). IN positions count from 1:
 * position N is the call's (N-1)-th XML-RPC parameter. The message does not name the call (CALL
 * is outside CALL_INFO), so the hook's COMMAND names it (`hook --call`).
 */
import { shown } from '../core/errors.ts';
import { hookError, hookXml } from './hook-argument.ts';
import { listOf, record, textOf } from './xml-values.ts';

export interface HookApiCall {
  readonly success: boolean;
  /** IN parameters by position (1 = the session, shown as `****`). */
  readonly params: ReadonlyMap<number, string>;
}

const WHAT = 'the API call the hook passed';

export function decodeHookApiCall(argument: string): HookApiCall {
  const info = record(hookXml(argument, WHAT, '$API').CALL_INFO);
  if (!info) throw hookError(WHAT, 'it has no CALL_INFO element (is the hook TYPE = api, its ARGUMENTS "$API"?)');
  const result = textOf(info.RESULT);
  if (result !== '1' && result !== '0') throw hookError(WHAT, `its RESULT is ${shown(String(result))}, not 1 or 0`);
  const params = new Map<number, string>();
  let answered: string | undefined;
  for (const entry of listOf(record(info.PARAMETERS)?.PARAMETER)) {
    const p = record(entry);
    const position = textOf(p?.POSITION);
    const type = textOf(p?.TYPE);
    if (position === undefined || !/^[1-9][0-9]{0,2}$/.test(position))
      throw hookError(WHAT, `a PARAMETER has POSITION ${shown(String(position))}`);
    if (type !== 'IN' && type !== 'OUT')
      throw hookError(WHAT, `a PARAMETER has TYPE ${shown(String(type))}, not IN or OUT`);
    // oned writes values unescaped (ParamList::get_value_as_string): a template parameter holds
    // elements, not text, and is left out; the calls read here take none.
    const value = textOf(p?.VALUE);
    if (value === undefined) continue;
    if (type === 'IN') params.set(Number(position), value);
    else if (position === '1') answered = value;
  }
  const success = result === '1';
  if (answered !== undefined && answered !== String(success))
    throw hookError(WHAT, `its RESULT ${result} and its answer ${shown(answered)} disagree`);
  return { success, params };
}
