/**
 * A word diff as HTML: jsdiff's `diffWords` (the `diff` package, kept and widely used) finds the
 * changes; every piece of text is escaped, so model output can never become markup.
 */
import { diffWords } from 'diff';
import { escapeHtml } from '../html.js';

/** `text` against `against`: words only in `text` as <ins>, words only in `against` as <del>. */
export function wordDiffHtml(against: string, text: string): string {
  return diffWords(against, text)
    .map((part) => {
      const escaped = escapeHtml(part.value);
      if (part.added) return `<ins>${escaped}</ins>`;
      if (part.removed) return `<del>${escaped}</del>`;
      return escaped;
    })
    .join('');
}
