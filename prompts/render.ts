/**
 * Prompt templates are plain files with `{{name}}` placeholders. Rendering is a single pass, so text
 * inserted for one placeholder is never scanned for others (a log line containing `{{input}}` stays
 * as it is), and an unknown placeholder is an error rather than a silent empty string.
 */
const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

export function placeholdersOf(template: string): string[] {
  return [...new Set([...template.matchAll(PLACEHOLDER)].map((m) => m[1] as string))];
}

export function renderTemplate(template: string, values: Record<string, string>, templateName = 'template'): string {
  return template.replace(PLACEHOLDER, (_whole, name: string) => {
    const value = values[name];
    if (value === undefined) {
      throw new Error(`${templateName}: placeholder {{${name}}} has no value (known: ${Object.keys(values).join(', ') || 'none'})`);
    }
    return value;
  });
}
