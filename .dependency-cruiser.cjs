// The import rules of docs/DESIGN.md §2, checked by `npm run lint:imports` (and a test):
// top-level folders form layers, each importing only from the layers below it, and no module
// imports itself back through a circle.
const LAYERS = ['core', 'prompts', 'datasets', 'metrics', 'harness', 'reports', 'cli'];

const upward = LAYERS.map((layer, i) => ({
  name: `${layer}-imports-down-only`,
  comment: `${layer}/ may import only from ${LAYERS.slice(0, i).join(', ') || 'no other layer'}`,
  severity: 'error',
  // Tests may build fixtures with higher layers (a real store for an I/O test, say).
  from: { path: `^${layer}/`, pathNot: '\\.test\\.ts$' },
  to: { path: `^(${LAYERS.slice(i + 1).join('|')})/` },
}));

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'a circle of imports: split the shared part into a module both can import',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    ...upward.slice(0, -1), // the top layer has nothing above it
    {
      name: 'product-never-imports-tests-or-tools',
      severity: 'error',
      from: { path: `^(${LAYERS.join('|')})/`, pathNot: '\\.test\\.ts$' },
      to: { path: '^(test|tools|bench)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|node_modules)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.json'] },
  },
};
