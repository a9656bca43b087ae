import { describe, expect, it } from 'vitest';
import { BadQueryError, pageNumber, queryString, runFilter, sampleFilter } from './query.js';

const query = (params: Record<string, string>) => (name: string) => params[name];

describe('the viewer’s query parameters', () => {
  it('read the sample filters, leaving out empty ones', () => {
    expect(sampleFilter(query({ q: ' disk ', metric: 'rougeL', min: '0.2', max: '', errors: 'only', label: 'anomalous', changed: 'run-b' }))).toEqual({
      search: 'disk',
      metric: 'rougeL',
      min: 0.2,
      errors: 'only',
      label: 'anomalous',
      changedFrom: 'run-b',
    });
    expect(sampleFilter(query({}))).toEqual({});
  });

  it('refuse a bad value naming the parameter, never ignoring it', () => {
    expect(() => sampleFilter(query({ metric: 'fuzzy', min: 'high' }))).toThrow(new BadQueryError('query parameter min: expected a number, got "high"'));
    expect(() => sampleFilter(query({ min: '0.5' }))).toThrow(/bound a per-sample metric: name it with metric=/);
    expect(() => sampleFilter(query({ errors: 'some' }))).toThrow('query parameter errors: expected one of only, none, got "some"');
    expect(() => pageNumber(query({ page: '0' }))).toThrow('query parameter page: expected a whole number from 1 to 1000000, got "0"');
    expect(() => pageNumber(query({ page: '1.5' }))).toThrow(BadQueryError);
    // Past the cap the offset reached DuckDB as an out-of-range number: a 500 instead of this 400.
    for (const page of ['1e308', '99999999999999999999', '1000001', '0x10', '-3']) expect(() => pageNumber(query({ page })), page).toThrow(`query parameter page: expected a whole number from 1 to 1000000, got "${page}"`);
    expect(pageNumber(query({ page: '1000000' }))).toBe(1_000_000);
    expect(pageNumber(query({}))).toBe(1);
    expect(() => runFilter(query({ from: 'yesterday' }))).toThrow('query parameter from: expected a date such as 2026-12-07, got "yesterday"');
    expect(() => runFilter(query({ sort: 'cost' }))).toThrow(/query parameter sort: expected one of started, suite, model, status, samples/);
  });

  it('sort runs newest first unless told otherwise', () => {
    expect(runFilter(query({}))).toEqual({ sort: 'started', descending: true });
    expect(runFilter(query({ sort: 'model', dir: 'asc', suite: 'bgl' }))).toEqual({ sort: 'model', descending: false, suite: 'bgl' });
  });

  it('write a query string of the set parameters only, in order', () => {
    expect(queryString({ q: 'a b&c', metric: undefined, page: 2, label: '' })).toBe('?q=a+b%26c&page=2');
    expect(queryString({})).toBe('');
  });
});
