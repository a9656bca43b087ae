import { createRequire } from 'node:module';

/**
 * `@duckdb/node-api`, loaded through `require`. It is a CommonJS package, and Node's ESM loader
 * scans every one of its ~50 modules for named exports: importing it took ~180 ms of a run's
 * start-up here against ~90 ms through `require`. Types still come from `import type`.
 */
export const duckdb = createRequire(import.meta.url)('@duckdb/node-api') as typeof import('@duckdb/node-api');
