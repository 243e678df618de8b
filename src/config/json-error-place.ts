/**
 * Where a JSON text first goes wrong, as an operator edits it: line, column and what was
 * expected there. `JSON.parse` says only a byte offset in an engine-specific message (and no
 * code here parses an error message), so this walks the grammar itself (RFC 8259). Pure; called
 * only once `JSON.parse` has refused the text, so speed does not matter.
 */

export interface JsonErrorPlace {
  /** 1-based, as editors count. */
  readonly line: number;
  readonly column: number;
  readonly expected: string;
}

class Stop {
  constructor(
    readonly at: number,
    readonly expected: string,
  ) {}
}

export function jsonErrorPlace(text: string): JsonErrorPlace | undefined {
  let i = 0;
  const fail = (expected: string): never => {
    throw new Stop(i, expected);
  };
  const space = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const literal = (word: string) => {
    if (text.startsWith(word, i)) i += word.length;
    else fail('a value');
  };
  const string = () => {
    i++;
    for (;;) {
      if (i >= text.length) fail("a closing '\"'");
      const c = text[i]!;
      if (c === '"') return void i++;
      if (c < ' ') fail('no control character inside a string (write \\n, \\t)');
      if (c === '\\') {
        i++;
        if (text[i] === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) fail('4 hex digits after \\u');
          i += 5;
        } else if (text[i] !== undefined && '"\\/bfnrt'.includes(text[i]!)) i++;
        else fail('an escape (\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u)');
      } else i++;
    }
  };
  const number = () => {
    const match = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(text.slice(i));
    if (!match) fail('a value');
    i += match![0].length;
  };
  const value = (depth: number): void => {
    if (depth > 1000) fail('less nesting');
    space();
    const c = text[i];
    if (c === '{') {
      i++;
      space();
      if (text[i] === '}') return void i++;
      for (;;) {
        space();
        if (text[i] !== '"') fail('a key in double quotes');
        string();
        space();
        if (text[i] !== ':') fail('":" after the key');
        i++;
        value(depth + 1);
        space();
        if (text[i] === ',') i++;
        else if (text[i] === '}') return void i++;
        else fail('"," or "}" after a value');
      }
    }
    if (c === '[') {
      i++;
      space();
      if (text[i] === ']') return void i++;
      for (;;) {
        value(depth + 1);
        space();
        if (text[i] === ',') i++;
        else if (text[i] === ']') return void i++;
        else fail('"," or "]" after a value');
      }
    }
    if (c === '"') {
      string();
      return;
    }
    if (c === 't') {
      literal('true');
      return;
    }
    if (c === 'f') {
      literal('false');
      return;
    }
    if (c === 'n') {
      literal('null');
      return;
    }
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) {
      number();
      return;
    }
    fail(i >= text.length ? 'a value (the text ends here)' : 'a value');
  };
  try {
    value(0);
    space();
    if (i < text.length) fail('the end of the text after the top value');
    return undefined;
  } catch (error) {
    if (!(error instanceof Stop)) throw error;
    const before = text.slice(0, error.at).split('\n');
    return { line: before.length, column: before[before.length - 1]!.length + 1, expected: error.expected };
  }
}
