import { describe, expect, it } from 'vitest';
import { wordDiffHtml } from './wordDiff.js';

describe('wordDiffHtml', () => {
  it('marks words only in the text as inserted and words only in the other as deleted', () => {
    expect(wordDiffHtml('disk full on node7', 'disk nearly full on node8')).toBe('disk <ins>nearly </ins>full on <del>node7</del><ins>node8</ins>');
  });

  it('escapes markup in either text, changed or not', () => {
    const html = wordDiffHtml('<b>same</b> old', '<b>same</b> <script>alert(1)</script>');
    expect(html).not.toMatch(/<script|<b>/);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&lt;b&gt;same&lt;/b&gt;');
  });
});
