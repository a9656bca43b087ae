import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { PorterStemmer, type PorterMode } from './porter.js';

const StemmerCase = z.object({
  word: z.string(),
  nltk_extensions: z.string(),
  original_algorithm: z.string(),
  martin_extensions: z.string(),
});
const golden = z
  .object({ stemmer_cases: z.array(StemmerCase) })
  .parse(JSON.parse(readFileSync(new URL('../../test/fixtures/golden/text_metrics.public.json', import.meta.url), 'utf8')));

const modes: ReadonlyArray<[PorterMode, keyof z.infer<typeof StemmerCase>]> = [
  ['NLTK_EXTENSIONS', 'nltk_extensions'],
  ['ORIGINAL_ALGORITHM', 'original_algorithm'],
  ['MARTIN_EXTENSIONS', 'martin_extensions'],
];

describe('PorterStemmer (NLTK 3.8)', () => {
  it('has all 211 golden words', () => {
    expect(golden.stemmer_cases).toHaveLength(211);
  });

  for (const [mode, field] of modes) {
    it(`matches every golden stem in ${mode}`, () => {
      const stemmer = new PorterStemmer(mode);
      const mismatches = golden.stemmer_cases
        .map((c) => ({ word: c.word, expected: c[field], actual: stemmer.stem(c.word) }))
        .filter((r) => r.actual !== r.expected);
      expect(mismatches).toEqual([]);
    });
  }

  it('defaults to NLTK_EXTENSIONS', () => {
    expect(new PorterStemmer().mode).toBe('NLTK_EXTENSIONS');
    expect(new PorterStemmer().stem('dying')).toBe('die');
  });

  it('lowercases before stemming but looks irregular forms up on the word as given', () => {
    const stemmer = new PorterStemmer();
    expect(stemmer.stem('Attacking')).toBe('attack');
    expect(stemmer.stem('skies')).toBe('sky');
    // NLTK checks `word in self.pool` before lowercasing, so 'SKIES' takes the regular path.
    expect(stemmer.stem('SKIES')).toBe('ski');
    expect(stemmer.stem('Attacking', false)).toBe('Attack');
  });
});
