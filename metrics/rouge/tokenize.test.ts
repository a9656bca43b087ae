import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { RAW_TOKEN_LIMIT, RougeTokenInterner, rougeTokenInterner, tokenize } from './tokenize.js';

const golden = z
  .object({
    tokenizer_cases: z.array(
      z.object({ text: z.string(), rouge_tokens: z.array(z.string()), rouge_tokens_stem: z.array(z.string()) }),
    ),
  })
  .parse(JSON.parse(readFileSync(new URL('../../test/fixtures/golden/text_metrics.public.json', import.meta.url), 'utf8')));

describe('rouge_score tokenize', () => {
  it('matches every golden tokenizer case, with and without the stemmer', () => {
    expect(golden.tokenizer_cases.length).toBeGreaterThan(0);
    const mismatches = golden.tokenizer_cases.flatMap((c) => {
      const plain = tokenize(c.text);
      const stemmed = tokenize(c.text, { stem: true });
      return [
        ...(JSON.stringify(plain) === JSON.stringify(c.rouge_tokens) ? [] : [{ text: c.text, stem: false, plain }]),
        ...(JSON.stringify(stemmed) === JSON.stringify(c.rouge_tokens_stem) ? [] : [{ text: c.text, stem: true, stemmed }]),
      ];
    });
    expect(mismatches).toEqual([]);
  });

  it('lowercases like Python str.lower for the code points that lower to ASCII', () => {
    // U+0130 lowers to 'i' + U+0307 (a separator), the Kelvin sign U+212A to 'k'.
    expect(tokenize('\u0130stanbul 300\u212A')).toEqual(['i', 'stanbul', '300k']);
  });

  it('stems only tokens longer than 3 characters', () => {
    expect(tokenize('was uses', { stem: true })).toEqual(['was', 'use']);
  });

  it('interns tokens to ids and reports newlines between the tokens of each line', () => {
    const interner = rougeTokenInterner(true);
    const events: string[] = [];
    interner.scan('Users user\n\nc-\nUSERS', {
      push: (id) => events.push(`${interner.tokenOf(id)}#${id}`),
      endLine: () => events.push('\\n'),
    });
    const [first, second, , , , , last] = events;
    // Raw tokens that stem alike share one id.
    expect(first).toBe(second);
    expect(last).toBe(first);
    expect(events.map((e) => e.split('#')[0])).toEqual(['user', 'user', '\\n', '\\n', 'c', '\\n', 'user']);
  });

  it('keeps its ids across trims until it passes its bound, then starts afresh', () => {
    const interner = new RougeTokenInterner(false);
    const ids: number[] = [];
    const sink = { push: (id: number) => ids.push(id), endLine: () => undefined };
    interner.scan('alpha beta alpha', sink);
    interner.trim();
    interner.scan('beta', sink);
    expect(ids).toEqual([0, 1, 0, 1]);

    interner.scan(Array.from({ length: RAW_TOKEN_LIMIT }, (_, k) => `t${k}`).join(' '), sink);
    expect(interner.vocabularySize).toBe(RAW_TOKEN_LIMIT + 2);
    interner.trim();
    expect(interner.vocabularySize).toBe(0);
    ids.length = 0;
    interner.scan('gamma alpha', sink);
    expect(ids.map((id) => interner.tokenOf(id))).toEqual(['gamma', 'alpha']);
  });
});
