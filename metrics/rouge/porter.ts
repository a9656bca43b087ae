/**
 * Porter stemmer, a port of NLTK 3.8 `nltk/stem/porter.py` with its three modes.
 *
 * rouge_score 0.1.2 stems with `PorterStemmer()` = NLTK_EXTENSIONS. Indices count UTF-16 units
 * where Python counts code points; the two agree on every BMP word, and ROUGE only ever stems
 * `[a-z0-9]+` tokens.
 */

export type PorterMode = 'NLTK_EXTENSIONS' | 'MARTIN_EXTENSIONS' | 'ORIGINAL_ALGORITHM';

/** One suffix rule of `_apply_rule_list`: `suffix` '*d' means "ends in a double consonant". */
interface SuffixRule {
  readonly suffix: string;
  readonly replacement: string;
  readonly condition?: (stem: string) => boolean;
}

// NLTK_EXTENSIONS irregular forms: form -> paradigm, consulted before any suffix stripping.
const IRREGULAR_FORMS: ReadonlyMap<string, string> = new Map(
  Object.entries({
    sky: ['sky', 'skies'],
    die: ['dying'],
    lie: ['lying'],
    tie: ['tying'],
    news: ['news'],
    inning: ['innings', 'inning'],
    outing: ['outings', 'outing'],
    canning: ['cannings', 'canning'],
    howe: ['howe'],
    proceed: ['proceed'],
    exceed: ['exceed'],
    succeed: ['succeed'],
  }).flatMap(([paradigm, forms]) => forms.map((form): [string, string] => [form, paradigm])),
);

function isVowelLetter(ch: string | undefined): boolean {
  return ch === 'a' || ch === 'e' || ch === 'i' || ch === 'o' || ch === 'u';
}

/** `_is_consonant`: a letter other than a e i o u, and other than a y preceded by a consonant. */
function isConsonant(word: string, i: number): boolean {
  // Walk back over the run of y's instead of recursing: each y flips the answer of its predecessor.
  let consonant = true;
  let k = i;
  while (k >= 0 && word[k] === 'y') k -= 1;
  if (k >= 0) consonant = !isVowelLetter(word[k]);
  // word[k+1..i] are y's; a y at index 0 is a consonant, each later y negates its predecessor.
  for (let y = k + 1; y <= i; y += 1) consonant = y === 0 ? true : !consonant;
  return consonant;
}

/** `_measure`: m in [C](VC){m}[V], i.e. the number of vowel→consonant transitions. */
function measure(stem: string): number {
  let m = 0;
  let previousIsVowel = false;
  for (let i = 0; i < stem.length; i += 1) {
    const consonant = isConsonant(stem, i);
    if (consonant && previousIsVowel) m += 1;
    previousIsVowel = !consonant;
  }
  return m;
}

const hasPositiveMeasure = (stem: string): boolean => measure(stem) > 0;
const measureAboveOne = (stem: string): boolean => measure(stem) > 1;

function containsVowel(stem: string): boolean {
  for (let i = 0; i < stem.length; i += 1) if (!isConsonant(stem, i)) return true;
  return false;
}

/** Condition *d of the paper. */
function endsDoubleConsonant(word: string): boolean {
  return word.length >= 2 && word[word.length - 1] === word[word.length - 2] && isConsonant(word, word.length - 1);
}

/** `_replace_suffix` when the caller has already checked `word.endsWith(suffix)`. */
function dropSuffix(word: string, suffix: string): string {
  return word.slice(0, word.length - suffix.length);
}

/** `_apply_rule_list`: the first rule whose suffix matches decides, whether its condition holds or not. */
function applyRuleList(word: string, rules: readonly SuffixRule[]): string {
  for (const { suffix, replacement, condition } of rules) {
    if (suffix === '*d' && endsDoubleConsonant(word)) {
      const stem = word.slice(0, -2);
      return condition === undefined || condition(stem) ? stem + replacement : word;
    }
    if (word.endsWith(suffix)) {
      const stem = dropSuffix(word, suffix);
      return condition === undefined || condition(stem) ? stem + replacement : word;
    }
  }
  return word;
}

const STEP1A_RULES: readonly SuffixRule[] = [
  { suffix: 'sses', replacement: 'ss' },
  { suffix: 'ies', replacement: 'i' },
  { suffix: 'ss', replacement: 'ss' },
  { suffix: 's', replacement: '' },
];

const STEP3_RULES: readonly SuffixRule[] = [
  { suffix: 'icate', replacement: 'ic', condition: hasPositiveMeasure },
  { suffix: 'ative', replacement: '', condition: hasPositiveMeasure },
  { suffix: 'alize', replacement: 'al', condition: hasPositiveMeasure },
  { suffix: 'iciti', replacement: 'ic', condition: hasPositiveMeasure },
  { suffix: 'ical', replacement: 'ic', condition: hasPositiveMeasure },
  { suffix: 'ful', replacement: '', condition: hasPositiveMeasure },
  { suffix: 'ness', replacement: '', condition: hasPositiveMeasure },
];

const STEP4_RULES: readonly SuffixRule[] = [
  ...['al', 'ance', 'ence', 'er', 'ic', 'able', 'ible', 'ant', 'ement', 'ment', 'ent'].map(
    (suffix): SuffixRule => ({ suffix, replacement: '', condition: measureAboveOne }),
  ),
  // (m>1 and (*S or *T)) ION ->
  {
    suffix: 'ion',
    replacement: '',
    condition: (stem) => measure(stem) > 1 && (stem.endsWith('s') || stem.endsWith('t')),
  },
  ...['ou', 'ism', 'ate', 'iti', 'ous', 'ive', 'ize'].map(
    (suffix): SuffixRule => ({ suffix, replacement: '', condition: measureAboveOne }),
  ),
];

/** Step 2 rules shared by all modes; the mode decides the (a)bli rule and the appended extras. */
function step2Rules(mode: PorterMode): SuffixRule[] {
  const rule = (suffix: string, replacement: string): SuffixRule => ({ suffix, replacement, condition: hasPositiveMeasure });
  return [
    rule('ational', 'ate'),
    rule('tional', 'tion'),
    rule('enci', 'ence'),
    rule('anci', 'ance'),
    rule('izer', 'ize'),
    mode === 'ORIGINAL_ALGORITHM' ? rule('abli', 'able') : rule('bli', 'ble'),
    rule('alli', 'al'),
    rule('entli', 'ent'),
    rule('eli', 'e'),
    rule('ousli', 'ous'),
    rule('ization', 'ize'),
    rule('ation', 'ate'),
    rule('ator', 'ate'),
    rule('alism', 'al'),
    rule('iveness', 'ive'),
    rule('fulness', 'ful'),
    rule('ousness', 'ous'),
    rule('aliti', 'al'),
    rule('iviti', 'ive'),
    rule('biliti', 'ble'),
  ];
}

export class PorterStemmer {
  readonly mode: PorterMode;
  private readonly step2RuleList: readonly SuffixRule[];

  constructor(mode: PorterMode = 'NLTK_EXTENSIONS') {
    this.mode = mode;
    const rules = step2Rules(mode);
    if (mode === 'NLTK_EXTENSIONS') rules.push({ suffix: 'fulli', replacement: 'ful', condition: hasPositiveMeasure });
    // NLTK's 'logi' -> 'log' rule (with the 'l' kept on the stem) needs the whole word, so it is added per call.
    if (mode === 'MARTIN_EXTENSIONS') rules.push({ suffix: 'logi', replacement: 'log', condition: hasPositiveMeasure });
    this.step2RuleList = rules;
  }

  /** `PorterStemmer.stem(word, to_lowercase=True)`. */
  stem(word: string, toLowercase = true): string {
    let stem = toLowercase ? word.toLowerCase() : word;
    // NLTK tests the pool and the length on the word as given, not on its lowercased form
    // (pool keys are lowercase, so a hit means word and stem coincide).
    if (this.mode === 'NLTK_EXTENSIONS') {
      const paradigm = IRREGULAR_FORMS.get(word);
      if (paradigm !== undefined) return paradigm;
    }
    if (this.mode !== 'ORIGINAL_ALGORITHM' && word.length <= 2) return stem;

    stem = this.step1a(stem);
    stem = this.step1b(stem);
    stem = this.step1c(stem);
    stem = this.step2(stem);
    stem = applyRuleList(stem, STEP3_RULES);
    stem = applyRuleList(stem, STEP4_RULES);
    stem = this.step5a(stem);
    return this.step5b(stem);
  }

  /** Condition *o: the stem ends cvc with the second c not w, x or y (NLTK also accepts a 2-letter vc). */
  private endsCvc(word: string): boolean {
    const n = word.length;
    const last = word[n - 1];
    return (
      (n >= 3 &&
        isConsonant(word, n - 3) &&
        !isConsonant(word, n - 2) &&
        isConsonant(word, n - 1) &&
        last !== 'w' &&
        last !== 'x' &&
        last !== 'y') ||
      (this.mode === 'NLTK_EXTENSIONS' && n === 2 && !isConsonant(word, 0) && isConsonant(word, 1))
    );
  }

  private step1a(word: string): string {
    // NLTK: 'flies' -> 'fli' but 'dies' -> 'die'.
    if (this.mode === 'NLTK_EXTENSIONS' && word.length === 4 && word.endsWith('ies')) return dropSuffix(word, 'ies') + 'ie';
    return applyRuleList(word, STEP1A_RULES);
  }

  private step1b(word: string): string {
    // NLTK: 'spied' -> 'spi' but 'died' -> 'die'.
    if (this.mode === 'NLTK_EXTENSIONS' && word.endsWith('ied')) {
      return dropSuffix(word, 'ied') + (word.length === 4 ? 'ie' : 'i');
    }
    // (m>0) EED -> EE
    if (word.endsWith('eed')) {
      const stem = dropSuffix(word, 'eed');
      return measure(stem) > 0 ? stem + 'ee' : word;
    }
    // (*v*) ED -> ; (*v*) ING ->
    let intermediate: string | undefined;
    for (const suffix of ['ed', 'ing']) {
      if (word.endsWith(suffix)) {
        const candidate = dropSuffix(word, suffix);
        if (containsVowel(candidate)) {
          intermediate = candidate;
          break;
        }
      }
    }
    if (intermediate === undefined) return word;
    const lastLetter = intermediate[intermediate.length - 1] ?? '';
    return applyRuleList(intermediate, [
      { suffix: 'at', replacement: 'ate' },
      { suffix: 'bl', replacement: 'ble' },
      { suffix: 'iz', replacement: 'ize' },
      // (*d and not (*L or *S or *Z)) -> single letter
      { suffix: '*d', replacement: lastLetter, condition: () => lastLetter !== 'l' && lastLetter !== 's' && lastLetter !== 'z' },
      // (m=1 and *o) -> E
      { suffix: '', replacement: 'e', condition: (stem) => measure(stem) === 1 && this.endsCvc(stem) },
    ]);
  }

  private step1c(word: string): string {
    // NLTK: (*c and not c) Y -> I, so 'happy' -> 'happi' but 'enjoy' stays; the paper: (*v*) Y -> I.
    const condition =
      this.mode === 'NLTK_EXTENSIONS'
        ? (stem: string) => stem.length > 1 && isConsonant(stem, stem.length - 1)
        : containsVowel;
    return applyRuleList(word, [{ suffix: 'y', replacement: 'i', condition }]);
  }

  private step2(word: string): string {
    // NLTK applies ALLI -> AL first and, when it fires, runs step 2 again on the result.
    if (this.mode === 'NLTK_EXTENSIONS' && word.endsWith('alli') && hasPositiveMeasure(dropSuffix(word, 'alli'))) {
      return this.step2(dropSuffix(word, 'alli') + 'al');
    }
    if (this.mode !== 'NLTK_EXTENSIONS') return applyRuleList(word, this.step2RuleList);
    return applyRuleList(word, [
      ...this.step2RuleList,
      { suffix: 'logi', replacement: 'log', condition: () => hasPositiveMeasure(word.slice(0, -3)) },
    ]);
  }

  private step5a(word: string): string {
    // Both E rules are tried in turn, which _apply_rule_list cannot express (see NLTK's comment).
    if (!word.endsWith('e')) return word;
    const stem = dropSuffix(word, 'e');
    const m = measure(stem);
    if (m > 1) return stem;
    if (m === 1 && !this.endsCvc(stem)) return stem;
    return word;
  }

  private step5b(word: string): string {
    // (m > 1 and *d and *L) -> single letter, with the measure taken on the word less one l.
    return applyRuleList(word, [{ suffix: 'll', replacement: 'l', condition: () => measure(word.slice(0, -1)) > 1 }]);
  }
}
