/**
 * The viewer's URL query parameters, read strictly: a bad value is a 400 naming the parameter, never
 * a silently ignored filter. The same names make every page's URL stable and pasteable.
 */
import type { SampleFilter } from '../../harness/store/index.js';

export class BadQueryError extends Error {
  override readonly name = 'BadQueryError';
}

export type Query = (name: string) => string | undefined;

function optional(query: Query, name: string): string | undefined {
  const value = query(name)?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function number(query: Query, name: string): number | undefined {
  const value = optional(query, name);
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isFinite(parsed)) throw new BadQueryError(`query parameter ${name}: expected a number, got "${value}"`);
  return parsed;
}

function oneOf<T extends string>(query: Query, name: string, allowed: readonly T[]): T | undefined {
  const value = optional(query, name);
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw new BadQueryError(`query parameter ${name}: expected one of ${allowed.join(', ')}, got "${value}"`);
  return value as T;
}

export const RUN_SORT_KEYS = ['started', 'suite', 'model', 'status', 'samples'] as const;
export type RunSortKey = (typeof RUN_SORT_KEYS)[number];

export interface RunFilter {
  suite?: string;
  model?: string;
  status?: string;
  /** ISO dates (or date-times) bounding the run's start, both inclusive (a bare `to` date takes the whole day). */
  from?: string;
  to?: string;
  sort: RunSortKey;
  descending: boolean;
}

function date(query: Query, name: string): string | undefined {
  const value = optional(query, name);
  if (value !== undefined && Number.isNaN(Date.parse(value))) throw new BadQueryError(`query parameter ${name}: expected a date such as 2026-12-07, got "${value}"`);
  return value;
}

export function runFilter(query: Query): RunFilter {
  const filter: RunFilter = { sort: oneOf(query, 'sort', RUN_SORT_KEYS) ?? 'started', descending: (oneOf(query, 'dir', ['asc', 'desc'] as const) ?? 'desc') === 'desc' };
  for (const name of ['suite', 'model', 'status'] as const) {
    const value = optional(query, name);
    if (value !== undefined) filter[name] = value;
  }
  const from = date(query, 'from');
  const to = date(query, 'to');
  if (from !== undefined) filter.from = from;
  if (to !== undefined) filter.to = to;
  return filter;
}

export const SAMPLE_PAGE_SIZE = 50;

export function sampleFilter(query: Query): SampleFilter {
  const filter: SampleFilter = {};
  const search = optional(query, 'q');
  const metric = optional(query, 'metric');
  const min = number(query, 'min');
  const max = number(query, 'max');
  const errors = oneOf(query, 'errors', ['only', 'none'] as const);
  const label = optional(query, 'label');
  const changedFrom = optional(query, 'changed');
  if ((min !== undefined || max !== undefined) && metric === undefined) throw new BadQueryError('query parameters min / max bound a per-sample metric: name it with metric=');
  if (search !== undefined) filter.search = search;
  if (metric !== undefined) filter.metric = metric;
  if (min !== undefined) filter.min = min;
  if (max !== undefined) filter.max = max;
  if (errors !== undefined) filter.errors = errors;
  if (label !== undefined) filter.label = label;
  if (changedFrom !== undefined) filter.changedFrom = changedFrom;
  return filter;
}

/** Beyond it the row offset would outgrow what DuckDB and a JS number hold exactly; no run has that many samples. */
export const MAX_PAGE = 1_000_000;

/** 1-based page number, written in plain digits (not 1e3, 0x10 or 1.0) and at most MAX_PAGE. */
export function pageNumber(query: Query): number {
  const value = optional(query, 'page');
  if (value === undefined) return 1;
  const page = /^\d{1,7}$/.test(value) ? Number(value) : Number.NaN;
  if (!(page >= 1 && page <= MAX_PAGE)) throw new BadQueryError(`query parameter page: expected a whole number from 1 to ${MAX_PAGE}, got "${value}"`);
  return page;
}

/** A query string of the non-empty `params`, in their order. */
export function queryString(params: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value !== undefined && value !== '') search.append(name, String(value));
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
}
