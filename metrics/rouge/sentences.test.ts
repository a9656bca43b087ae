import { describe, expect, it } from 'vitest';
import { rougeScore } from './rouge.js';
import { loadProseSentenceSplitter } from './sentences.js';

describe('loadProseSentenceSplitter', () => {
  it('splits prose into sentences', async () => {
    const split = await loadProseSentenceSplitter();
    expect(split('The disk is full. Nginx was restarted twice! Is the cache healthy?')).toEqual([
      'The disk is full.',
      'Nginx was restarted twice!',
      'Is the cache healthy?',
    ]);
  });

  it('loads the model once', async () => {
    expect(await loadProseSentenceSplitter()).toBe(await loadProseSentenceSplitter());
  });

  it('gives ROUGE-Lsum the same sentences as one sentence per line would', async () => {
    const sentenceSplitter = await loadProseSentenceSplitter();
    const prediction = 'The cache was flushed. Nginx restarted on web-02.';
    const reference = 'Nginx restarted on web-02. The cache was flushed at noon.';
    const asLines = (text: string): string => sentenceSplitter(text).join('\n');
    expect(rougeScore(prediction, reference, { sentenceSplitter, types: ['rougeLsum'] })).toEqual(
      rougeScore(asLines(prediction), asLines(reference), { types: ['rougeLsum'] }),
    );
    // Newline splitting sees one sentence each, so the sentence order matters there.
    expect(rougeScore(prediction, reference, { types: ['rougeLsum'] }).rougeLsum.fmeasure).toBeLessThan(
      rougeScore(prediction, reference, { sentenceSplitter, types: ['rougeLsum'] }).rougeLsum.fmeasure,
    );
  });
});
