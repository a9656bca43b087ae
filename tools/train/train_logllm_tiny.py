"""Trains the tiny LogLLM-architecture anomaly classifier in two stages and writes both bundles the onnx-classifier runner loads.

    nice /usr/bin/python3 tools/train/train_logllm_tiny.py [--base-out models/logllm-bgl-tiny-base] [--out models/logllm-bgl-tiny] [--seed 0]

Architecture (LogLLM, guanwei49/LogLLM model.py, scaled down): each log message goes through a
BERT-like encoder whose pooled output a linear projector maps into a Llama-like decoder's
embedding space; the decoder reads `prefix ‖ projected messages ‖ suffix ‖ answer prefix` and a
linear head over its last hidden state scores the labels (LogLLM instead generates "normal" /
"anomalous" after "The sequence is"; two logits are the classifier form of the same choice).

Data: loghub BGL_2k windows of 20 lines every 10 (LogLLM's fixed windows, smaller so 2,000 lines give
~200 windows), labelled anomalous when any line is; Thunderbird_2k (all normal) adds normal windows.
Time-ordered parts of each 2,000-line file (no line in two parts, no window straddling two parts):
  lines    1-1400  training (windows every 5 lines: more labelled windows from the same lines)
  lines 1401-1600  validation (windows every 10): picks the epoch and the decision threshold
  lines 1601-2000  held out (windows every 10): scored once at the end, never used to choose anything
Two stages, a "model update": the base is trained on the older lines 1-800 only; the fine-tune
starts from the base and continues on all of lines 1-1400. Each stage keeps the epoch with the best
validation F1 and folds the validation-chosen threshold into the head's bias (argmax stays the rule).
The encoder vocabulary comes from the messages of lines 1-1600. Anomalous training windows are
oversampled to half of each epoch (LogLLM's minority oversampling). Runs on CPU in ~20 minutes on
one thread; not run in CI. Outputs per bundle: bundle.json, encoder.onnx, decoder.onnx, the two
tokenizer folders, reference_logits.json, metrics.json (read by MODEL_CARD.md).
"""
import argparse
import copy
import json
import random
import time
from pathlib import Path

import onnx
import torch
from torch import nn

from hf_tokenizer_json import (ByteLevelBpeEncoder, WordPieceEncoder, build_wordpiece_vocab, train_byte_level_bpe,
                               write_byte_level_bpe_tokenizer, write_wordpiece_tokenizer)
from logllm_data import MESSAGE_SEPARATOR, REPO_ROOT, fixed_windows, parse_labelled_lines, preprocess_window
from tiny_blocks import LlamaBlock, RMSNorm, RotaryAngles, TinyBertEncoder, causal_bias

LABELS = ["normal", "anomalous"]
WINDOW_LINES = 20
WINDOW_STEP = 10
TRAIN_WINDOW_STEP = 5  # training windows overlap more: more labelled windows from the same training lines
BASE_LINES = (0, 800)  # the base sees the older half of the training lines only
TRAIN_LINES = (0, 1400)
VALIDATION_LINES = (1400, 1600)
HELD_OUT_LINES = (1600, 2000)  # the default suite's split (windows starting at line 1601 or later)
ANOMALOUS_SHARE = 0.5  # of each epoch's windows, by oversampling the anomalous ones
MAX_MESSAGE_TOKENS = 100  # LogLLM's max_content_len
MAX_MESSAGES = 128  # LogLLM's max_seq_len
# LogLLM's instruction strings; its suffix ends in a literal backslash-n, kept as LogLLM has it.
INSTRUCTION = {
    "prefix": "Below is a sequence of system log messages:",
    "suffix": ". Is this sequence normal or anomalous? \\n",
    "answer_prefix": "The sequence is",
}
ENCODER = {"hidden": 64, "layers": 2, "heads": 4, "ffn": 128}
DECODER = {"hidden": 64, "layers": 2, "heads": 4, "ffn": 128, "rope_theta": 10000.0}
DECODER_VOCAB_SIZE = 320
OPSET = 17


class LogLLMDecoderHead(nn.Module):
    """Projector + tiny Llama + label head: one graph from message embeddings to label logits."""

    def __init__(self, encoder_hidden: int, vocab_size: int, hidden: int, layers: int, heads: int, ffn: int, rope_theta: float):
        super().__init__()
        self.projector = nn.Linear(encoder_hidden, hidden)
        self.embed_tokens = nn.Embedding(vocab_size, hidden)
        self.rotary = RotaryAngles(hidden // heads, rope_theta)
        self.layers = nn.ModuleList(LlamaBlock(hidden, heads, ffn) for _ in range(layers))
        self.norm = RMSNorm(hidden)
        self.head = nn.Linear(hidden, len(LABELS))

    def forward(self, instruction_prefix_ids, instruction_suffix_ids, message_embeddings, message_mask):
        """prefix ‖ projected messages ‖ suffix through the decoder; the head reads the last real position."""
        # The prefix sees only itself (causal), so it is the same for every window: run it once, batch 1,
        # and hand its keys/values to every window as a cache — what makes a batch cheaper per window.
        prefix = self.embed_tokens(instruction_prefix_ids)[None]
        prefix_mask = torch.ones_like(instruction_prefix_ids)[None]
        cos, sin = self.rotary(torch.cumsum(prefix_mask, dim=1) - 1)
        bias = causal_bias(prefix_mask, prefix_mask.shape[1])
        prefix_cache = []
        for layer in self.layers:
            prefix, key, value = layer(prefix, cos, sin, bias)
            prefix_cache.append((key, value))

        batch = message_embeddings.shape[0]
        suffix = self.embed_tokens(instruction_suffix_ids)[None].expand(batch, -1, -1)
        x = torch.cat([self.projector(message_embeddings), suffix], dim=1)
        # Padded message slots sit between prefix and suffix: masked as keys, and skipped by the
        # positions (cumulative sum of the mask), which is what LogLLM's left padding amounts to.
        rest_mask = torch.cat([message_mask, torch.ones_like(instruction_suffix_ids)[None].expand(batch, -1)], dim=1)
        mask = torch.cat([prefix_mask.expand(batch, -1), rest_mask], dim=1)
        positions = torch.cumsum(mask, dim=1) - 1
        cos, sin = self.rotary(positions[:, prefix_mask.shape[1]:])
        bias = causal_bias(mask, rest_mask.shape[1])
        # The head reads the last real position: the suffix's end here, the last message when the suffix
        # is empty (LogSentinel's prompt has none), so one graph layout serves both. The last layer
        # computes only that position.
        last = (rest_mask * torch.arange(rest_mask.shape[1])).argmax(dim=1)
        for index, (layer, (key, value)) in enumerate(zip(self.layers, prefix_cache)):
            query_index = last if index == len(self.layers) - 1 else None
            x, _, _ = layer(x, cos, sin, bias, key.expand(batch, -1, -1, -1), value.expand(batch, -1, -1, -1), query_index)
        return self.head(self.norm(x[:, 0]))


class Window:
    def __init__(self, window_id: str, lines: list[tuple[str, int]]):
        self.id = window_id
        self.text = MESSAGE_SEPARATOR.join(content for content, _ in lines)
        self.label = int(any(flag for _, flag in lines))
        self.messages = preprocess_window(self.text, MAX_MESSAGES)


def load_windows(system: str, lines: tuple[int, int], step: int) -> list[Window]:
    """Windows of WINDOW_LINES lines every `step` lying wholly in the 0-based line range [lines[0], lines[1]).

    At the end of the file the last windows are shorter, as LogLLM's fixedSize_window and the
    loghub-windows loader make them, so the held-out windows are exactly the default suite's samples.
    """
    parsed = parse_labelled_lines(system)
    last_start = lines[1] - WINDOW_LINES if lines[1] < len(parsed) else lines[1] - 1
    return [Window(f"{system}-l{start + 1:04d}", parsed[start:start + WINDOW_LINES]) for start in range(lines[0], last_start + 1, step)]


def pad_batch(sequences: list[list[int]]) -> tuple[torch.Tensor, torch.Tensor]:
    """Right-padded ids (pad id 0) and the attention mask."""
    width = max(len(s) for s in sequences)
    ids = torch.zeros(len(sequences), width, dtype=torch.long)
    mask = torch.zeros(len(sequences), width, dtype=torch.long)
    for row, seq in enumerate(sequences):
        ids[row, : len(seq)] = torch.tensor(seq)
        mask[row, : len(seq)] = 1
    return ids, mask


class MeanPooledBertEncoder(TinyBertEncoder):
    """The tiny BERT with its pooler over the mean of the real tokens' states instead of [CLS] alone.

    With two layers and a few hundred windows, [CLS] barely learns to gather a message; the mean carries
    every word (e.g. `error`, `failed`, `terminated`) to the decoder. Same inputs and output as BERT's pooler.
    """

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        x = self.token_states(input_ids, attention_mask)
        weights = attention_mask.to(x.dtype)[:, :, None]
        return torch.tanh(self.pooler((x * weights).sum(dim=1) / weights.sum(dim=1)))


class TinyLogLLM(nn.Module):
    def __init__(self, encoder_vocab: int, decoder_vocab: int, dropout: float):
        super().__init__()
        self.encoder = MeanPooledBertEncoder(encoder_vocab, ENCODER["hidden"], ENCODER["layers"], ENCODER["heads"],
                                       ENCODER["ffn"], MAX_MESSAGE_TOKENS, dropout)
        self.decoder = LogLLMDecoderHead(ENCODER["hidden"], decoder_vocab, DECODER["hidden"], DECODER["layers"],
                                         DECODER["heads"], DECODER["ffn"], DECODER["rope_theta"])

    def forward(self, windows_token_ids: list[list[list[int]]], prefix_ids, suffix_ids) -> torch.Tensor:
        """All distinct messages of all windows through the encoder at once, then the decoder over padded windows.

        Windows repeat messages heavily once variables are masked (BGL: 275 distinct among 6,360), so
        each distinct one is encoded once — as the runner does.
        """
        flat = [tuple(ids) for window in windows_token_ids for ids in window]
        distinct = list(dict.fromkeys(flat))
        row_of = {ids: row for row, ids in enumerate(distinct)}
        pooled = self.encoder(*pad_batch([list(ids) for ids in distinct]))[torch.tensor([row_of[ids] for ids in flat])]
        counts = [len(window) for window in windows_token_ids]
        embeddings = torch.zeros(len(counts), max(counts), pooled.shape[1])
        message_mask = torch.zeros(len(counts), max(counts), dtype=torch.long)
        for row, chunk in enumerate(torch.split(pooled, counts)):
            embeddings[row, : len(chunk)] = chunk
            message_mask[row, : len(chunk)] = 1
        return self.decoder(prefix_ids, suffix_ids, embeddings, message_mask)


def classification_metrics(gold: list[int], predicted: list[int]) -> dict:
    """Binary metrics with positive label 'anomalous' and sklearn's confusion-matrix layout (rows gold, columns predicted)."""
    matrix = [[sum(1 for g, p in zip(gold, predicted) if g == row and p == col) for col in (0, 1)] for row in (0, 1)]
    tp, fp, fn = matrix[1][1], matrix[0][1], matrix[1][0]
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"n": len(gold), "accuracy": sum(g == p for g, p in zip(gold, predicted)) / len(gold),
            "precision": precision, "recall": recall, "f1": f1, "confusion_matrix": matrix, "labels": LABELS}


def export_onnx(model: TinyLogLLM, out: Path, example_ids: list[list[list[int]]], prefix_ids, suffix_ids) -> None:
    flat = [ids for window in example_ids for ids in window]
    input_ids, attention_mask = pad_batch(flat)
    torch.onnx.export(model.encoder, (input_ids, attention_mask), str(out / "encoder.onnx"),
                      input_names=["input_ids", "attention_mask"], output_names=["pooler_output"],
                      dynamic_axes={"input_ids": {0: "messages", 1: "tokens"}, "attention_mask": {0: "messages", 1: "tokens"},
                                    "pooler_output": {0: "messages"}},
                      opset_version=OPSET, do_constant_folding=True)
    embeddings = torch.randn(len(example_ids), 3, ENCODER["hidden"])
    message_mask = torch.tensor([[1, 1, 0]] + [[1, 1, 1]] * (len(example_ids) - 1))
    torch.onnx.export(model.decoder, (prefix_ids, suffix_ids, embeddings, message_mask), str(out / "decoder.onnx"),
                      input_names=["instruction_prefix_ids", "instruction_suffix_ids", "message_embeddings", "message_mask"],
                      output_names=["logits"],
                      dynamic_axes={"instruction_prefix_ids": {0: "prefix_tokens"}, "instruction_suffix_ids": {0: "suffix_tokens"},
                                    "message_embeddings": {0: "batch", 1: "messages"}, "message_mask": {0: "batch", 1: "messages"},
                                    "logits": {0: "batch"}},
                      opset_version=OPSET, do_constant_folding=True)
    for name in ("encoder.onnx", "decoder.onnx"):
        onnx.checker.check_model(onnx.load(str(out / name)))


def best_threshold(margins: list[float], gold: list[int]) -> float:
    """The margin (anomalous minus normal logit) above which a window is called anomalous that maximises F1.

    Candidates are 0 and the midpoints between distinct margins; ties go to the one nearest 0.
    """
    values = sorted(set(margins))
    candidates = [0.0] + [(a + b) / 2 for a, b in zip(values, values[1:])]
    return max(candidates, key=lambda t: (classification_metrics(gold, [int(m > t) for m in margins])["f1"], -abs(t)))


class Stage:
    """Everything one training stage needs to run on its own: data, tokenized ids, instruction ids."""

    def __init__(self, token_ids, prefix_ids, suffix_ids):
        self.token_ids = token_ids
        self.prefix_ids = prefix_ids
        self.suffix_ids = suffix_ids

    def margins(self, model: "TinyLogLLM", windows: list[Window]) -> list[float]:
        model.eval()
        with torch.no_grad():
            logits = [model([self.token_ids(w)], self.prefix_ids, self.suffix_ids)[0] for w in windows]
        return [float(l[1] - l[0]) for l in logits]

    def train(self, model: "TinyLogLLM", name: str, train: list[Window], validation: list[Window], epochs: int,
              lr: float, started: float) -> tuple[dict, float, dict]:
        """Trains for `epochs`; returns the state, threshold and validation figures of the best validation epoch."""
        anomalous = [(self.token_ids(w), w.label) for w in train if w.label]
        normal = [(self.token_ids(w), w.label) for w in train if not w.label]
        # Oversample the anomalous windows to ANOMALOUS_SHARE of an epoch (LogLLM oversamples its minority class).
        repeats = max(1, round(ANOMALOUS_SHARE / (1 - ANOMALOUS_SHARE) * len(normal) / max(1, len(anomalous))))
        epoch_items = normal + anomalous * repeats
        batch_size = 16
        steps_per_epoch = -(-len(epoch_items) // batch_size)
        optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
        schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=lr, total_steps=epochs * steps_per_epoch, pct_start=0.1)
        loss_fn = nn.CrossEntropyLoss()
        gold = [w.label for w in validation]
        best = None
        for epoch in range(epochs):
            model.train()
            random.shuffle(epoch_items)
            total = 0.0
            for start in range(0, len(epoch_items), batch_size):
                batch = epoch_items[start:start + batch_size]
                logits = model([ids for ids, _ in batch], self.prefix_ids, self.suffix_ids)
                loss = loss_fn(logits, torch.tensor([label for _, label in batch]))
                optimizer.zero_grad()
                loss.backward()
                nn.utils.clip_grad_norm_(model.parameters(), 1.0)
                optimizer.step()
                schedule.step()
                total += loss.item() * len(batch)
            margins = self.margins(model, validation)
            threshold = best_threshold(margins, gold)
            figures = classification_metrics(gold, [int(m > threshold) for m in margins])
            print(f"{name} epoch {epoch + 1:3d}  train loss {total / len(epoch_items):.4f}  validation F1 {figures['f1']:.3f}"
                  f" at threshold {threshold:+.3f}  ({time.time() - started:.0f}s)", flush=True)
            # Later epochs win ties: the schedule has cooled down and the training loss is lower.
            if best is None or figures["f1"] >= best[2]["f1"]:
                best = (copy.deepcopy(model.state_dict()), threshold, {**figures, "epoch": epoch + 1, "threshold": threshold})
        return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base-out", type=Path, default=REPO_ROOT / "models" / "logllm-bgl-tiny-base")
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "models" / "logllm-bgl-tiny")
    parser.add_argument("--base-epochs", type=int, default=20)
    parser.add_argument("--epochs", type=int, default=25, help="epochs of the fine-tuning stage")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads; one is fastest for models this small")
    args = parser.parse_args()
    random.seed(args.seed)
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    started = time.time()

    parts = {}
    for system in ("BGL", "Thunderbird"):
        parts[system] = {
            "base": load_windows(system, BASE_LINES, TRAIN_WINDOW_STEP),
            "train": load_windows(system, TRAIN_LINES, TRAIN_WINDOW_STEP),
            "validation": load_windows(system, VALIDATION_LINES, WINDOW_STEP),
            "held_out": load_windows(system, HELD_OUT_LINES, WINDOW_STEP),
        }
    bgl, tb = parts["BGL"], parts["Thunderbird"]
    # Vocabulary from the unlabelled messages of the training and validation lines; nothing from the held-out lines.
    vocabulary_windows = load_windows("BGL", (0, VALIDATION_LINES[1]), WINDOW_LINES) + load_windows("Thunderbird", (0, VALIDATION_LINES[1]), WINDOW_LINES)
    encoder_vocab = build_wordpiece_vocab([m for w in vocabulary_windows for m in w.messages], min_word_count=2)
    encoder_tokenizer = WordPieceEncoder(encoder_vocab, MAX_MESSAGE_TOKENS)
    decoder_texts = list(INSTRUCTION.values())
    decoder_vocab, decoder_merges = train_byte_level_bpe(decoder_texts, DECODER_VOCAB_SIZE, special_tokens=[])
    decoder_tokenizer = ByteLevelBpeEncoder(decoder_vocab, decoder_merges, special_tokens=[])
    prefix_ids = torch.tensor(decoder_tokenizer.encode(INSTRUCTION["prefix"]))
    suffix_ids = torch.tensor(decoder_tokenizer.encode(INSTRUCTION["suffix"]) + decoder_tokenizer.encode(INSTRUCTION["answer_prefix"]))

    def token_ids(window: Window) -> list[list[int]]:
        return [encoder_tokenizer.encode(m) for m in window.messages]

    stage = Stage(token_ids, prefix_ids, suffix_ids)
    validation = bgl["validation"] + tb["validation"]
    model = TinyLogLLM(len(encoder_vocab), len(decoder_vocab), dropout=0.1)
    stages = [
        ("base", args.base_out, "base", BASE_LINES, args.base_epochs, 1e-3,
         f"trained from scratch on lines {BASE_LINES[0] + 1}-{BASE_LINES[1]} only"),
        ("fine-tune", args.out, "train", TRAIN_LINES, args.epochs, 5e-4,
         f"the base, further trained on lines {TRAIN_LINES[0] + 1}-{TRAIN_LINES[1]}"),
    ]
    for name, out, part, lines, epochs, lr, description in stages:
        state, threshold, validation_figures = stage.train(model, name, bgl[part] + tb[part], validation, epochs, lr, started)
        model.load_state_dict(state)
        # Export a copy whose head says "anomalous" exactly when the margin passes the threshold; the
        # next stage goes on from the unshifted weights.
        exported = copy.deepcopy(model)
        with torch.no_grad():
            exported.decoder.head.bias[1] -= threshold
        write_bundle(exported, out, stage, encoder_vocab, encoder_tokenizer, decoder_vocab, decoder_merges, {
            "stage": name, "description": description,
            "validation": {**classification_metrics([w.label for w in bgl["validation"]], predict(exported, stage, bgl["validation"])),
                           "epoch": validation_figures["epoch"], "threshold": threshold,
                           "selection_f1_bgl_and_thunderbird": validation_figures["f1"]},
            "bgl_test": classification_metrics([w.label for w in bgl["held_out"]], predict(exported, stage, bgl["held_out"])),
            "thunderbird_test": classification_metrics([w.label for w in tb["held_out"]], predict(exported, stage, tb["held_out"])),
            "bgl_train": classification_metrics([w.label for w in bgl[part]], predict(exported, stage, bgl[part])),
            "windows": {"bgl_train": len(bgl[part]), "bgl_train_anomalous": sum(w.label for w in bgl[part]),
                        "thunderbird_train": len(tb[part]),
                        "bgl_validation": len(bgl["validation"]), "bgl_validation_anomalous": sum(w.label for w in bgl["validation"]),
                        "thunderbird_validation": len(tb["validation"]),
                        "bgl_test": len(bgl["held_out"]), "bgl_test_anomalous": sum(w.label for w in bgl["held_out"]),
                        "thunderbird_test": len(tb["held_out"])},
            "lines": {"train": [lines[0] + 1, lines[1]], "validation": [VALIDATION_LINES[0] + 1, VALIDATION_LINES[1]],
                      "held_out": [HELD_OUT_LINES[0] + 1, HELD_OUT_LINES[1]]},
            "epochs": epochs, "seed": args.seed, "train_seconds": round(time.time() - started),
            "parameters": sum(p.numel() for p in model.parameters()),
        })
    print(f"done in {time.time() - started:.0f}s")


def predict(model: TinyLogLLM, stage: Stage, windows: list[Window]) -> list[int]:
    """Argmax labels, as the runner answers."""
    return [int(m > 0) for m in stage.margins(model, windows)]


def write_bundle(model: TinyLogLLM, out: Path, stage: Stage, encoder_vocab, encoder_tokenizer, decoder_vocab, decoder_merges,
                 metrics: dict) -> None:
    model.eval()
    print(json.dumps({k: v for k, v in metrics.items() if k in ("stage", "validation", "bgl_test")}, indent=1), flush=True)
    out.mkdir(parents=True, exist_ok=True)
    token_ids, prefix_ids, suffix_ids = stage.token_ids, stage.prefix_ids, stage.suffix_ids
    with torch.no_grad():
        write_wordpiece_tokenizer(out / "encoder_tokenizer", encoder_vocab, MAX_MESSAGE_TOKENS)
        write_byte_level_bpe_tokenizer(out / "decoder_tokenizer", decoder_vocab, decoder_merges, [],
                                       {"tokenizer_class": "PreTrainedTokenizerFast", "model_max_length": 128,
                                        "clean_up_tokenization_spaces": False})
        bgl_test = load_windows("BGL", HELD_OUT_LINES, WINDOW_STEP)
        tb_test = load_windows("Thunderbird", HELD_OUT_LINES, WINDOW_STEP)
        export_onnx(model, out, [token_ids(w) for w in bgl_test[:2]], prefix_ids, suffix_ids)

        anomalous_tests = [w for w in bgl_test if w.label == 1]
        reference_windows = bgl_test[:3] + anomalous_tests[:2] + [bgl_test[-1], tb_test[0]]
        long_message = " ".join(f"node{i} ciod failed to read message prefix" for i in range(30))
        reference = {
            "note": "PyTorch (eval mode) outputs of the exported model, one window at a time; the runner must match them to 1e-4.",
            "windows": [
                {"id": w.id, "input": w.text, "label": LABELS[w.label], "preprocessed": w.messages,
                 "encoder_token_ids": token_ids(w),
                 "logits": model([token_ids(w)], prefix_ids, suffix_ids)[0].tolist()}
                for w in reference_windows
            ],
            "encoder_tokenizer": [{"text": t, "ids": encoder_tokenizer.encode(t)}
                                  for t in ["RAS KERNEL INFO <*> double-hummer alignment exceptions", long_message,
                                            "Crème brûlée [node-7] (pid=42): ÉCHEC", ""]],
            "decoder_tokenizer": {"instruction_prefix_ids": prefix_ids.tolist(), "instruction_suffix_ids": suffix_ids.tolist()},
        }
        (out / "reference_logits.json").write_text(json.dumps(reference, indent=1) + "\n")
        (out / "metrics.json").write_text(json.dumps(metrics, indent=1) + "\n")
        bundle = {
            "format_version": 1,
            "name": out.name,
            "architecture": "logllm",
            "labels": LABELS,
            "max_message_tokens": MAX_MESSAGE_TOKENS,
            "max_messages": MAX_MESSAGES,
            "instruction": INSTRUCTION,
            "preprocessing": {"masking": "logllm", "message_separator": MESSAGE_SEPARATOR},
            "encoder": {"onnx": "encoder.onnx", "tokenizer": "encoder_tokenizer", "hidden_size": ENCODER["hidden"]},
            "decoder": {"onnx": "decoder.onnx", "tokenizer": "decoder_tokenizer"},
        }
        (out / "bundle.json").write_text(json.dumps(bundle, indent=2) + "\n")
    print(f"wrote {out}", flush=True)


if __name__ == "__main__":
    main()
