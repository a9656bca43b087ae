"""Builds Hugging Face `tokenizer.json` files by hand (no `tokenizers` package) and encodes with them.

Two kinds, each with a Python encoder that follows the `tokenizers` / transformers.js semantics the
JSON declares, so the token ids recorded at training time are the ids the TypeScript runners get:
  * WordPiece with BertNormalizer (lower case) + BertPreTokenizer + [CLS] $A [SEP] — bert-base-uncased's layout;
  * byte-level BPE (GPT-2 pre-tokenizer regex, merges by rank) with added special tokens — the Llama/Qwen layout.
Both encoders assume ASCII text (the shipped loghub logs are): the pre-tokenizer regexes use Unicode
classes (\\p{P}, \\p{L}, \\p{N}) that Python's `re` approximates only on ASCII.
"""
import collections
import json
import re
import unicodedata
from pathlib import Path

# ── WordPiece (BERT) ──────────────────────────────────────────────────────────────────────────────

BERT_SPECIAL_TOKENS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
WORDPIECE_PREFIX = "##"
MAX_CHARS_PER_WORD = 100


def _is_bert_punctuation(char: str) -> bool:
    code = ord(char)
    # BERT counts every non-alphanumeric printable ASCII character as punctuation, plus Unicode P*.
    if 33 <= code <= 47 or 58 <= code <= 64 or 91 <= code <= 96 or 123 <= code <= 126:
        return True
    return unicodedata.category(char).startswith("P")


def bert_normalize(text: str) -> str:
    """BertNormalizer(clean_text, lowercase, strip_accents): controls dropped, whitespace to ' ', lower case, no accents."""
    cleaned = []
    for char in text:
        if char in ("\x00", "\ufffd") or (unicodedata.category(char).startswith("C") and char not in "\t\n\r"):
            continue
        cleaned.append(" " if char.isspace() else char)
    lowered = "".join(cleaned).lower()
    return "".join(c for c in unicodedata.normalize("NFD", lowered) if unicodedata.category(c) != "Mn")


def bert_pre_tokenize(text: str) -> list[str]:
    """BertPreTokenizer: runs of non-space non-punctuation characters, and each punctuation character alone."""
    words, current = [], []
    for char in text:
        if char.isspace() or _is_bert_punctuation(char):
            if current:
                words.append("".join(current))
                current = []
            if not char.isspace():
                words.append(char)
        else:
            current.append(char)
    if current:
        words.append("".join(current))
    return words


def wordpiece_split(word: str, vocab: dict[str, int]) -> list[str]:
    """Greedy longest-match-first WordPiece; the whole word is [UNK] when a piece is missing."""
    if len(word) > MAX_CHARS_PER_WORD:
        return ["[UNK]"]
    pieces, start = [], 0
    while start < len(word):
        end, piece = len(word), None
        while start < end:
            candidate = (WORDPIECE_PREFIX if start > 0 else "") + word[start:end]
            if candidate in vocab:
                piece = candidate
                break
            end -= 1
        if piece is None:
            return ["[UNK]"]
        pieces.append(piece)
        start = end
    return pieces


def build_wordpiece_vocab(texts: list[str], min_word_count: int) -> dict[str, int]:
    """Special tokens, every character seen (as word start and as ##continuation), then words seen min_word_count times."""
    word_counts = collections.Counter(w for text in texts for w in bert_pre_tokenize(bert_normalize(text)))
    chars = sorted({c for word in word_counts for c in word})
    tokens = BERT_SPECIAL_TOKENS + chars + [WORDPIECE_PREFIX + c for c in chars]
    frequent = sorted(w for w, n in word_counts.items() if n >= min_word_count and len(w) > 1)
    tokens += frequent
    return {token: index for index, token in enumerate(tokens)}


class WordPieceEncoder:
    def __init__(self, vocab: dict[str, int], max_length: int):
        self.vocab = vocab
        self.max_length = max_length

    def encode(self, text: str) -> list[int]:
        """[CLS] pieces [SEP], truncated as Hugging Face does: the pieces first, so [SEP] always stays."""
        pieces = [p for w in bert_pre_tokenize(bert_normalize(text)) for p in wordpiece_split(w, self.vocab)]
        pieces = pieces[: self.max_length - 2]
        return [self.vocab["[CLS]"]] + [self.vocab[p] for p in pieces] + [self.vocab["[SEP]"]]


def _added_token(token_id: int, content: str) -> dict:
    return {"id": token_id, "content": content, "single_word": False, "lstrip": False, "rstrip": False,
            "normalized": False, "special": True}


def write_wordpiece_tokenizer(folder: Path, vocab: dict[str, int], max_length: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    special = {t: vocab[t] for t in BERT_SPECIAL_TOKENS}
    tokenizer = {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [_added_token(i, t) for t, i in special.items()],
        "normalizer": {"type": "BertNormalizer", "clean_text": True, "handle_chinese_chars": True,
                       "strip_accents": None, "lowercase": True},
        "pre_tokenizer": {"type": "BertPreTokenizer"},
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                       {"SpecialToken": {"id": "[SEP]", "type_id": 0}}],
            "pair": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                     {"SpecialToken": {"id": "[SEP]", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}},
                     {"SpecialToken": {"id": "[SEP]", "type_id": 1}}],
            "special_tokens": {t: {"id": t, "ids": [special[t]], "tokens": [t]} for t in ("[CLS]", "[SEP]")},
        },
        "decoder": {"type": "WordPiece", "prefix": WORDPIECE_PREFIX, "cleanup": True},
        "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": WORDPIECE_PREFIX,
                  "max_input_chars_per_word": MAX_CHARS_PER_WORD, "vocab": vocab},
    }
    config = {
        "tokenizer_class": "BertTokenizer",
        "do_lower_case": True,
        "model_max_length": max_length,
        "cls_token": "[CLS]", "sep_token": "[SEP]", "pad_token": "[PAD]", "unk_token": "[UNK]", "mask_token": "[MASK]",
        "clean_up_tokenization_spaces": True,
    }
    (folder / "tokenizer.json").write_text(json.dumps(tokenizer, ensure_ascii=False, indent=1) + "\n")
    (folder / "tokenizer_config.json").write_text(json.dumps(config, indent=2) + "\n")


# ── Byte-level BPE (GPT-2 / Llama 3 / Qwen family) ─────────────────────────────────────────────

# The GPT-2 pattern transformers.js' ByteLevel pre-tokenizer uses, with \p{L} / \p{N} written for ASCII.
_BYTE_LEVEL_SPLIT = re.compile(r"""'s|'t|'re|'ve|'m|'ll|'d| ?[A-Za-z]+| ?[0-9]+| ?[^\sA-Za-z0-9]+|\s+(?!\S)|\s+""")


def _bytes_to_unicode() -> dict[int, str]:
    """GPT-2's reversible byte → printable character table."""
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    codes = printable[:]
    extra = 0
    for byte in range(256):
        if byte not in printable:
            printable.append(byte)
            codes.append(256 + extra)
            extra += 1
    return {b: chr(c) for b, c in zip(printable, codes)}


BYTE_TO_CHAR = _bytes_to_unicode()


def byte_level_words(text: str) -> list[str]:
    return ["".join(BYTE_TO_CHAR[b] for b in piece.encode("utf-8")) for piece in _BYTE_LEVEL_SPLIT.findall(text)]


def _split_on_special(text: str, special_tokens: list[str]) -> list[str]:
    if not special_tokens:
        return [text]
    pattern = "(" + "|".join(re.escape(t) for t in sorted(special_tokens, key=len, reverse=True)) + ")"
    return [part for part in re.split(pattern, text) if part != ""]


def train_byte_level_bpe(texts: list[str], vocab_size: int, special_tokens: list[str]) -> tuple[dict[str, int], list[tuple[str, str]]]:
    """Classic BPE training: start from the 256 byte characters, merge the most frequent adjacent pair (ties: smallest pair)."""
    word_counts = collections.Counter(
        w for text in texts for part in _split_on_special(text, special_tokens) if part not in special_tokens
        for w in byte_level_words(part)
    )
    words = {w: list(w) for w in word_counts}
    vocab_tokens = special_tokens + sorted(BYTE_TO_CHAR.values())
    merges: list[tuple[str, str]] = []
    while len(vocab_tokens) < vocab_size:
        pair_counts: collections.Counter = collections.Counter()
        for word, symbols in words.items():
            for pair in zip(symbols, symbols[1:]):
                pair_counts[pair] += word_counts[word]
        if not pair_counts:
            break
        best = min(pair_counts, key=lambda p: (-pair_counts[p], p))
        merges.append(best)
        vocab_tokens.append(best[0] + best[1])
        for word, symbols in words.items():
            merged, i = [], 0
            while i < len(symbols):
                if i + 1 < len(symbols) and (symbols[i], symbols[i + 1]) == best:
                    merged.append(best[0] + best[1])
                    i += 2
                else:
                    merged.append(symbols[i])
                    i += 1
            words[word] = merged
    return {t: i for i, t in enumerate(vocab_tokens)}, merges


class ByteLevelBpeEncoder:
    def __init__(self, vocab: dict[str, int], merges: list[tuple[str, str]], special_tokens: list[str]):
        self.vocab = vocab
        self.ranks = {pair: rank for rank, pair in enumerate(merges)}
        self.special_tokens = special_tokens

    def _bpe(self, word: str) -> list[str]:
        symbols = list(word)
        while len(symbols) > 1:
            pairs = [(self.ranks.get(p, len(self.ranks)), i) for i, p in enumerate(zip(symbols, symbols[1:]))]
            rank, index = min(pairs)
            if rank == len(self.ranks):
                break
            # Lowest rank first, leftmost first: the order transformers.js' priority queue merges in.
            symbols[index:index + 2] = [symbols[index] + symbols[index + 1]]
        return symbols

    def encode(self, text: str) -> list[int]:
        ids = []
        for part in _split_on_special(text, self.special_tokens):
            if part in self.special_tokens:
                ids.append(self.vocab[part])
                continue
            ids += [self.vocab[s] for w in byte_level_words(part) for s in self._bpe(w)]
        return ids

    def decode(self, ids: list[int]) -> str:
        tokens = {i: t for t, i in self.vocab.items()}
        char_to_byte = {c: b for b, c in BYTE_TO_CHAR.items()}
        text = "".join(tokens[i] for i in ids if tokens[i] not in self.special_tokens)
        return bytes(char_to_byte[c] for c in text).decode("utf-8", errors="replace")


def write_byte_level_bpe_tokenizer(folder: Path, vocab: dict[str, int], merges: list[tuple[str, str]],
                                   special_tokens: list[str], config: dict) -> None:
    """tokenizer.json (model BPE over ByteLevel) and tokenizer_config.json (`config`: class, special tokens, chat template)."""
    folder.mkdir(parents=True, exist_ok=True)
    tokenizer = {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [_added_token(vocab[t], t) for t in special_tokens],
        "normalizer": None,
        "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True},
        "post_processor": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False, "use_regex": True},
        "decoder": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True},
        "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None,
                  "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False, "ignore_merges": False,
                  "vocab": vocab, "merges": [list(m) for m in merges]},
    }
    (folder / "tokenizer.json").write_text(json.dumps(tokenizer, ensure_ascii=False, indent=1) + "\n")
    (folder / "tokenizer_config.json").write_text(json.dumps(config, indent=2) + "\n")
