import { CliError } from './errors.js';

/**
 * The parser of a whole-number flag or variable: digits only, so `1e1`, `0x10`, `4.0` or ` 4` are
 * refused rather than read as whatever `Number()` makes of them. Out of [min, max] is refused too.
 */
export function wholeNumberFlag(flag: string, min: number, max = Number.MAX_SAFE_INTEGER): (value: string) => number {
  const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `from ${min} to ${max}`;
  return (value) => {
    const n = /^\d+$/.test(value) ? Number(value) : Number.NaN;
    if (!(n >= min && n <= max)) throw new CliError(`${flag}: expected a whole number ${range} (digits only), got "${value}"`);
    return n;
  };
}

/** The environment variable `name` as a whole number ≥ `min` (`wholeNumberFlag`'s rule); `fallback` when unset or empty. */
export function wholeNumberVariable(name: string, fallback: number, min = 0): number {
  const text = process.env[name];
  return text === undefined || text === '' ? fallback : wholeNumberFlag(name, min)(text);
}
