/**
 * Carrying a program in a block comment of the bundle (see entry.ts). Inside the comment every
 * `*`, n backslashes, `/` is written with one backslash more, so no `*` `/` can end the comment
 * early; reading takes one backslash off again. Exact for any text.
 */

/** How build.mjs wraps each part: Node's CommonJS wrapper, which entry.ts calls itself. */
export const WRAPPER_START = '(function (exports, require, module, __filename, __dirname) {';
export const WRAPPER_END = '\n})';

export function hideInComment(program: string): string {
  return `/*${program.replace(/\*(\\*)\//g, '*\\$1/')}*/`;
}

/** The program back from the inside of its comment (without the opening and closing marks). */
export function programFrom(commentBody: string): string {
  return commentBody.replace(/\*\\(\\*)\//g, '*$1/');
}
