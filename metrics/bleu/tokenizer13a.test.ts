import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { hfAndSacrebleuTokenSpans, pythonRstrip, sacrebleuBleuTokens, tokenHash, tokenize13a, type TokenSpans } from './tokenizer13a.js';

const TokenizerGolden = z.object({
  tokenizer_cases: z.array(z.object({ text: z.string(), hf_13a_tokens: z.array(z.string()), sacrebleu_13a: z.string() })),
});
const golden = TokenizerGolden.parse(
  JSON.parse(readFileSync(new URL('../../test/fixtures/golden/text_metrics.public.json', import.meta.url), 'utf8')),
);
const cases = golden.tokenizer_cases.map((c) => ({ ...c, label: JSON.stringify(c.text) }));

/** A literal port of tokenizer_13a.py + tokenizer_re.py (regex passes, Python whitespace split): the oracle for the scanner. */
function regexTokenize13a(line: string): string[] {
  let text = line.replaceAll('<skipped>', '').replaceAll('-\n', '').replaceAll('\n', ' ');
  text = text.replaceAll('&quot;', '"').replaceAll('&amp;', '&').replaceAll('&lt;', '<').replaceAll('&gt;', '>');
  text = ` ${text} `
    .replace(/([{-~[-`\x20-&(-+:-@/])/g, ' $1 ')
    .replace(/([^0-9])([.,])/g, '$1 $2 ')
    .replace(/([.,])([^0-9])/g, ' $1 $2')
    .replace(/([0-9])(-)/g, '$1 $2 ');
  return text.split(/[\t\n\v\f\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/).filter((t) => t !== '');
}

/** Deterministic strings dense in the characters the 13a rules react to. */
function* randomLines(count: number): Generator<string> {
  const pieces = ['a', 'Z', '1', '9', '.', ',', '-', ' ', '\n', '\t', '(', '&', '_', "'", '@', '\u3000', '\u001f', '\ufeff', 'é', '😀', '<skipped>', '&quot;', '&amp;', '-\n'];
  let state = 7;
  const next = (bound: number): number => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return (state >>> 8) % bound;
  };
  for (let i = 0; i < count; i++) yield Array.from({ length: next(16) }, () => pieces[next(pieces.length)]).join('');
}

describe('tokenize13a (HF evaluate Tokenizer13a)', () => {
  it.each(cases)('$label', ({ text, hf_13a_tokens }) => {
    expect(tokenize13a(text)).toEqual(hf_13a_tokens);
  });
});

describe('tokenize13a matches the regex passes it replaces', () => {
  it('on 20,000 random lines of digits, punctuation, symbols, whitespace and entities', () => {
    for (const line of randomLines(20_000)) expect(tokenize13a(line), JSON.stringify(line)).toEqual(regexTokenize13a(line));
  });
});

describe('sacrebleuBleuTokens (sacreBLEU BLEU._preprocess_segment, split)', () => {
  it.each(cases)('$label', ({ text, sacrebleu_13a }) => {
    expect(sacrebleuBleuTokens(text).join(' ')).toBe(sacrebleu_13a);
  });
});

describe('sacreBLEU BLEU rstrips before tokenizing, HF does not', () => {
  it('keeps a line-final hyphen that HF joins away with the newline', () => {
    expect(tokenize13a('trail-\n')).toEqual(['trail']);
    expect(sacrebleuBleuTokens('trail-\n')).toEqual(['trail-']);
  });

  it('hfAndSacrebleuTokenSpans gives each behaviour with token hashes, sharing one object only when the tokens agree', () => {
    const tokensOf = ({ text, starts, ends }: TokenSpans): string[] => Array.from(starts, (start, k) => text.slice(start, ends[k]));
    for (const line of randomLines(20_000)) {
      const { hf, sacrebleu } = hfAndSacrebleuTokenSpans(line);
      expect(tokensOf(hf), JSON.stringify(line)).toEqual(tokenize13a(line));
      expect(tokensOf(sacrebleu), JSON.stringify(line)).toEqual(sacrebleuBleuTokens(line));
      expect(Array.from(hf.hashes)).toEqual(Array.from(hf.starts, (start, k) => tokenHash(hf.text, start, hf.ends[k]!)));
    }
    const shared = hfAndSacrebleuTokenSpans('ends with a newline.\n');
    expect(shared.sacrebleu).toBe(shared.hf);
    const split = hfAndSacrebleuTokenSpans('trail-\n');
    expect(split.sacrebleu).not.toBe(split.hf);
  });

  it('rstrips with Python whitespace: U+001F and U+3000 are stripped, U+FEFF and U+200B are not', () => {
    expect(pythonRstrip('a \u001f\u3000\r\n')).toBe('a');
    expect(pythonRstrip('a\ufeff')).toBe('a\ufeff');
    expect(pythonRstrip('a\u200b')).toBe('a\u200b');
    expect(pythonRstrip(' \t')).toBe('');
  });
});
