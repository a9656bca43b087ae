import { describe, expect, it } from 'vitest';
import { memoryLimitNotBelow } from './memoryLimit.js';

describe('memoryLimitNotBelow', () => {
  it('adds one step of the shown decimal, carrying into the whole number', () => {
    expect(memoryLimitNotBelow('18.8 GiB')).toBe('18.9 GiB');
    expect(memoryLimitNotBelow('1.9 GiB')).toBe('2.0 GiB');
    expect(memoryLimitNotBelow('99.9 MiB')).toBe('100.0 MiB');
    expect(memoryLimitNotBelow('953.6 MiB')).toBe('953.7 MiB');
    expect(memoryLimitNotBelow('1.4 TiB')).toBe('1.5 TiB');
    expect(memoryLimitNotBelow('512.0 KiB')).toBe('512.1 KiB');
  });

  it('refuses what DuckDB shows but does not parse, or any other form', () => {
    for (const shown of ['16383.9 PiB', '18 GiB', '18.85 GiB', '1.0 GB', 'unlimited', '', '-1.0 GiB']) expect(memoryLimitNotBelow(shown)).toBeUndefined();
  });
});
