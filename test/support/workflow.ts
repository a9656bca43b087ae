// Reading GitHub workflow files in tests: the `${{ }}` expressions they use and the logbench commands they call.

/** Every `${{ … }}` expression of a parsed workflow, wherever it sits. */
export function expressions(value: unknown): string[] {
  if (typeof value === 'string') return [...value.matchAll(/\$\{\{(.*?)\}\}/g)].map((m) => m[1] as string);
  if (Array.isArray(value)) return value.flatMap(expressions);
  if (value && typeof value === 'object') return Object.values(value).flatMap(expressions);
  return [];
}

/** `npx logbench CMD …flags` in run scripts, continuation lines joined. */
export function logbenchCalls(steps: readonly { run?: string | undefined }[]): { command: string; flags: string[] }[] {
  return steps.flatMap((step) =>
    [...(step.run ?? '').replace(/\\\n/g, ' ').matchAll(/npx logbench ([a-z-]+)([^\n|)]*)/g)].map((m) => ({
      command: m[1] as string,
      flags: [...(m[2] as string).matchAll(/--[a-z][a-z-]*|(?<=\s)-o(?=\s)/g)].map((f) => f[0]),
    })),
  );
}
