/** Reading typed values out of command options, each failure a usage error naming the option. */
import { MAX_SIZE } from '../core/oned/ar-fields.ts';
import { usageError } from './command.ts';

/** A whole number from 1 to 2^32 (the most addresses a range holds). */
export function countOption(command: string, option: string, value: string): bigint {
  if (!/^[1-9][0-9]{0,9}$/.test(value) || BigInt(value) > MAX_SIZE)
    throw usageError(command, `--${option} must be a whole number from 1 to ${MAX_SIZE}, not ${JSON.stringify(value)}`);
  return BigInt(value);
}

/** Exactly one of the options must be given. */
export function oneOf(command: string, values: Readonly<Record<string, unknown>>): void {
  const given = Object.keys(values).filter((k) => values[k] !== undefined);
  if (given.length !== 1)
    throw usageError(
      command,
      `give exactly one of ${Object.keys(values)
        .map((k) => `--${k}`)
        .join(', ')}${given.length ? ` (got ${given.map((k) => `--${k}`).join(' and ')})` : ''}`,
    );
}
