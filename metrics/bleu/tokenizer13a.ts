/**
 * The mteval-v13a tokenizer as shipped by sacreBLEU 2.6 (`tokenizers/tokenizer_13a.py` +
 * `tokenizer_re.py`) and copied by HF evaluate (`metrics/bleu/tokenizer_13a.py`).
 *
 * Both copies produce the same tokens (sacreBLEU joins them with single spaces, HF returns
 * `line.split()`); the BLEU metrics around them differ:
 * - HF evaluate's BLEU tokenizes the raw line ({@link tokenize13a}).
 * - sacreBLEU's BLEU rstrips every segment first (`BLEU._preprocess_segment`:
 *   `self.tokenizer(sent.rstrip())`) and splits the result into n-gram tokens ({@link sacrebleuBleuTokens}).
 *   The rstrip matters when a line ends in "-\n": HF joins the hyphen away, sacreBLEU keeps it.
 */

/** Python `str.isspace()`, which `str.split()` and `str.rstrip()` use (JS `\s` differs: it has U+FEFF, lacks U+001C–U+001F and U+0085). */
function isPythonWhitespace(code: number): boolean {
  if (code <= 0x20) return code === 0x20 || (code >= 0x09 && code <= 0x0d) || code >= 0x1c;
  if (code < 0x85) return false;
  return (
    code === 0x85 ||
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000
  );
}

/** Python `line.rstrip()` with no argument. */
export function pythonRstrip(line: string): string {
  let end = line.length;
  while (end > 0 && isPythonWhitespace(line.charCodeAt(end - 1))) end--;
  return end === line.length ? line : line.slice(0, end);
}

// Character classes the 13a rules distinguish.
const OTHER = 0;
const WHITESPACE = 1;
const DIGIT = 2;
const PERIOD_OR_COMMA = 3;
const DASH = 4;
/** tokenizer_re.py's first pattern `[\{-\~\[-\` -\&\(-\+\:-\@\/]` (its space is whitespace anyway). */
const SYMBOL = 5;

const ASCII_CLASS = new Uint8Array(128);
for (let code = 0; code < 128; code++) ASCII_CLASS[code] = isPythonWhitespace(code) ? WHITESPACE : OTHER;
for (const [first, last] of ['{~', '[`', '!&', '(+', ':@', '//']) {
  for (let code = first!.charCodeAt(0); code <= last!.charCodeAt(0); code++) ASCII_CLASS[code] = SYMBOL;
}
ASCII_CLASS.fill(DIGIT, 0x30, 0x3a);
ASCII_CLASS[0x2e] = PERIOD_OR_COMMA;
ASCII_CLASS[0x2c] = PERIOD_OR_COMMA;
ASCII_CLASS[0x2d] = DASH;

function characterClass(code: number): number {
  if (code < 128) return ASCII_CLASS[code]!;
  return isPythonWhitespace(code) ? WHITESPACE : OTHER;
}

// FNV-1a over UTF-16 code units: token identity for hash tables, computed during the scan.
const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;

/** FNV-1a of `text.slice(start, end)`, as {@link TokenSpans.hashes} holds it. */
export function tokenHash(text: string, start: number, end: number): number {
  let hash = FNV_OFFSET;
  for (let k = start; k < end; k++) hash = Math.imul(hash ^ text.charCodeAt(k), FNV_PRIME);
  return hash;
}

/** Tokens as `[starts[k], ends[k])` ranges of `text`, so that counting n-grams needs no token strings. */
export interface TokenSpans {
  /** The line after 13a's markup replacements. */
  readonly text: string;
  readonly starts: Int32Array;
  readonly ends: Int32Array;
  /** {@link tokenHash} of each token. */
  readonly hashes: Int32Array;
}

/**
 * tokenizer_re.py applies four `re.sub` passes to `f" {line} "`, then splits on whitespace:
 *   1. `([\{-\~\[-\` -\&\(-\+\:-\@\/])` -> ` \1 `   symbols become tokens
 *   2. `([^0-9])([\.,])` -> `\1 \2 `                  period/comma unless preceded by a digit
 *   3. `([\.,])([^0-9])` -> ` \1 \2`                  period/comma unless followed by a digit
 *   4. `([0-9])(-)` -> `\1 \2 `                        dash after a digit
 * Every pass only surrounds single characters with spaces, so this one scan decides per character
 * whether it is whitespace, a token on its own, or part of a run. Resolving how each pass reads
 * the previous pass's output (a boundary it inserted reads as a space, a non-digit):
 * - pass 2 isolates a period/comma after a non-digit unless that non-digit is itself the
 *   period/comma of the previous pass-2 match (re.sub resumes after a match);
 * - pass 3 isolates one pass 2 did, and any before a non-digit (its consumed follower never
 *   matters: it is never an unisolated period or comma);
 * - pass 4 sees digit-dash pairs exactly as in the input: no earlier pass touches them.
 * The regex passes themselves are the oracle in tokenizer13a.test.ts.
 */
function splitTokens13a(text: string): TokenSpans {
  const n = text.length;
  // One backing store for the three columns: allocating typed arrays is what costs here.
  const columns = new Int32Array(3 * n);
  const starts = columns.subarray(0, n);
  const ends = columns.subarray(n, 2 * n);
  const hashes = columns.subarray(2 * n);
  let count = 0;
  let runStart = -1;
  let runHash = FNV_OFFSET;
  let previousKind = WHITESPACE; // the padding space of f" {line} "
  let previousMatchedPass2 = false;
  let code = n > 0 ? text.charCodeAt(0) : 0;
  let kind = n > 0 ? characterClass(code) : WHITESPACE;
  // i === n is the closing padding space, which ends the last run.
  for (let i = 0; i <= n; i++) {
    const nextCode = i + 1 < n ? text.charCodeAt(i + 1) : 0;
    const nextKind = i + 1 < n ? characterClass(nextCode) : WHITESPACE;
    const matchedPass2: boolean = kind === PERIOD_OR_COMMA && !previousMatchedPass2 && previousKind !== DIGIT;
    const alone =
      kind === SYMBOL ||
      (kind === PERIOD_OR_COMMA && (matchedPass2 || nextKind !== DIGIT)) ||
      (kind === DASH && previousKind === DIGIT);
    if (kind === WHITESPACE || alone) {
      if (runStart >= 0) {
        starts[count] = runStart;
        ends[count] = i;
        hashes[count++] = runHash;
        runStart = -1;
        runHash = FNV_OFFSET;
      }
      if (alone) {
        starts[count] = i;
        ends[count] = i + 1;
        hashes[count++] = Math.imul(FNV_OFFSET ^ code, FNV_PRIME);
      }
    } else {
      if (runStart < 0) runStart = i;
      runHash = Math.imul(runHash ^ code, FNV_PRIME);
    }
    previousMatchedPass2 = matchedPass2;
    previousKind = kind;
    code = nextCode;
    kind = nextKind;
  }
  return { text, starts: starts.subarray(0, count), ends: ends.subarray(0, count), hashes: hashes.subarray(0, count) };
}


/** tokenizer_13a.py's language-independent replacements, in its order; HF applies the entity ones only when "&" occurs, with the same result. */
const MARKUP_REPLACEMENTS: readonly (readonly [string, string])[] = [
  ['<skipped>', ''],
  ['-\n', ''],
  // Its '\n' -> ' ' is left out: both are whitespace to the scan, so the tokens are the same.
  ['&quot;', '"'],
  ['&amp;', '&'],
  ['&lt;', '<'],
  ['&gt;', '>'],
];

/**
 * The line after the markup replacements. split/join rather than replaceAll: join returns a flat
 * string, which the scan's charCodeAt reads several times faster than replaceAll's rope.
 */
function replaceMarkup13a(line: string): string {
  let text = line;
  for (const [markup, replacement] of MARKUP_REPLACEMENTS) {
    if (text.includes(markup)) text = text.split(markup).join(replacement);
  }
  return text;
}

/** {@link tokenize13a} as spans. */
export function tokenSpans13a(line: string): TokenSpans {
  return splitTokens13a(replaceMarkup13a(line));
}

/**
 * One line's spans for HF evaluate's BLEU (the line as given) and for sacreBLEU's (the rstripped
 * line), the same object when the tokens agree. After the markup replacements the two texts
 * usually differ by trailing whitespace only, which changes no span; a second scan is needed
 * only otherwise, as for a line-final "-\n" (HF removes it, sacreBLEU keeps the hyphen).
 */
export function hfAndSacrebleuTokenSpans(line: string): { readonly hf: TokenSpans; readonly sacrebleu: TokenSpans } {
  const hf = tokenSpans13a(line);
  const stripped = pythonRstrip(line);
  if (stripped === line) return { hf, sacrebleu: hf };
  const strippedText = replaceMarkup13a(stripped);
  return { hf, sacrebleu: pythonRstrip(hf.text) === strippedText ? hf : splitTokens13a(strippedText) };
}

/** HF evaluate's `Tokenizer13a()(line)`: the 13a tokens of the line as given (no rstrip). */
export function tokenize13a(line: string): string[] {
  const { text, starts, ends } = tokenSpans13a(line);
  return Array.from(starts, (start, k) => text.slice(start, ends[k]));
}

/** The tokens sacreBLEU's BLEU counts for a segment: 13a of the rstripped line; joined by spaces they are `BLEU._preprocess_segment(line)`. */
export function sacrebleuBleuTokens(line: string): string[] {
  return tokenize13a(pythonRstrip(line));
}
