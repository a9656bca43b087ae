/**
 * DuckDB's memory limit as it can be set back after a moment of eviction (`RunStore.memoryReleaser`).
 * DuckDB shows the limit rounded down to one decimal ("18.8 GiB" for 18.83 GiB) and takes that text
 * back as a smaller limit, which shows one step lower again: read and set back part after part, the
 * limit crept down (18.8 → 18.5 GiB; a 2.5 GiB cgroup's 1.9 → 1.5 GiB). So the text is read once and
 * one display step is added: the limit set back is never below the original, and the same each time.
 * It may be above it by up to that step: about 10 % where DuckDB shows a whole number ("1.0 GiB" for
 * a 1.25 GiB cgroup's 80 % goes back as 1.1 GiB), which only lets DuckDB cache a little more.
 */

/**
 * `shown` (DuckDB's `current_setting('memory_limit')`, always one decimal: "18.8 GiB") plus one step of
 * that decimal, in a form `SET memory_limit` takes; undefined for any other text, such as the
 * "16383.9 PiB" of no limit, which DuckDB shows but does not parse (then nothing is lowered).
 */
export function memoryLimitNotBelow(shown: string): string | undefined {
  const match = /^(\d+)\.(\d) (KiB|MiB|GiB|TiB)$/.exec(shown.trim());
  if (!match) return undefined;
  const [, whole, tenth, unit] = match;
  // Tenths as integers: 18.8 + 0.1 must be 18.9, not 18.900000000000002.
  const tenths = Number(whole) * 10 + Number(tenth) + 1;
  return `${Math.floor(tenths / 10)}.${tenths % 10} ${unit}`;
}
