import { describe, expect, it } from 'vitest';
import { placeholdersOf, renderTemplate } from './render.js';

describe('renderTemplate', () => {
  it('fills named placeholders once, without rescanning inserted text', () => {
    const out = renderTemplate('Logs:\n{{input}}\n-- {{ system }}', { input: 'a {{system}} b', system: 'BGL' });
    expect(out).toBe('Logs:\na {{system}} b\n-- BGL');
  });
  it('keeps $-patterns in values literally', () => {
    expect(renderTemplate('{{input}}', { input: "cost $& $1 $$ $'" })).toBe("cost $& $1 $$ $'");
  });
  it('names the template and the missing placeholder', () => {
    expect(() => renderTemplate('{{logs}}', { input: 'x' }, 'prompts/p.txt')).toThrow(/prompts\/p\.txt: placeholder \{\{logs\}\} has no value/);
  });
  it('lists placeholders', () => {
    expect(placeholdersOf('{{a}} {{b}} {{a}}')).toEqual(['a', 'b']);
  });
});
