/**
 * Prose sentence splitter for ROUGE-Lsum, the analogue of rouge_score's `split_summaries=True`
 * (which uses `nltk.sent_tokenize`), built on wink-nlp's sentence boundary detection.
 * Newline splitting stays rouge_score's default; pass this as `sentenceSplitter` to opt in.
 */
import type { SentenceSplitter } from './rouge.js';

let proseSplitter: Promise<SentenceSplitter> | undefined;

/** Loads wink-nlp and its English lite model once (lazily: the model is a few MB) and returns the splitter. */
export function loadProseSentenceSplitter(): Promise<SentenceSplitter> {
  proseSplitter ??= (async () => {
    const [{ default: winkNLP }, { default: model }] = await Promise.all([
      import('wink-nlp'),
      import('wink-eng-lite-web-model'),
    ]);
    // Only sentence boundary detection is needed, so skip the POS/NER/sentiment passes.
    const nlp = winkNLP(model, ['sbd']);
    return (text: string) => nlp.readDoc(text).sentences().out();
  })();
  return proseSplitter;
}
