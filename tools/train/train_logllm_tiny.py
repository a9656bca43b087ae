"""Trains the tiny LogLLM-architecture anomaly classifier and writes the bundle the onnx-classifier runner loads.

    /usr/bin/python3 tools/train/train_logllm_tiny.py [--out models/logllm-bgl-tiny] [--epochs 30] [--seed 0]

Architecture (LogLLM, guanwei49/LogLLM model.py, scaled down): each log message goes through a
BERT-like encoder whose pooled [CLS] output a linear projector maps into a Llama-like decoder's
embedding space; the decoder reads `prefix ‖ projected messages ‖ suffix ‖ answer prefix` and a
linear head over its last hidden state scores the labels (LogLLM instead generates "normal" /
"anomalous" after "The sequence is"; two logits are the classifier form of the same choice).

Data: loghub BGL_2k windows of 20 lines every 10 (LogLLM's fixed windows, smaller so 2,000 lines give
~200 windows), labelled anomalous when any line is. Time-ordered split: windows lying wholly in
lines 1-1600 train, windows starting at line 1601 or later test (the window straddling line 1600
is dropped so no line is in both). Thunderbird_2k (all normal) adds normal windows, split the same way.
Everything runs on CPU in a few minutes; not run in CI. Outputs: bundle.json, encoder.onnx,
decoder.onnx, the two tokenizer folders, reference_logits.json, metrics.json (read by MODEL_CARD.md).
"""
import argparse
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
TRAIN_LINES = 1600  # first 80 % of each 2,000-line file
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


def load_windows(system: str) -> tuple[list[Window], list[Window]]:
    train, test = [], []
    for start, lines in fixed_windows(parse_labelled_lines(system), WINDOW_LINES, WINDOW_STEP):
        window = Window(f"{system}-l{start + 1:04d}", lines)
        if start + WINDOW_LINES <= TRAIN_LINES:
            train.append(window)
        elif start >= TRAIN_LINES:
            test.append(window)
    return train, test


def pad_batch(sequences: list[list[int]]) -> tuple[torch.Tensor, torch.Tensor]:
    """Right-padded ids (pad id 0) and the attention mask."""
    width = max(len(s) for s in sequences)
    ids = torch.zeros(len(sequences), width, dtype=torch.long)
    mask = torch.zeros(len(sequences), width, dtype=torch.long)
    for row, seq in enumerate(sequences):
        ids[row, : len(seq)] = torch.tensor(seq)
        mask[row, : len(seq)] = 1
    return ids, mask


class TinyLogLLM(nn.Module):
    def __init__(self, encoder_vocab: int, decoder_vocab: int, dropout: float):
        super().__init__()
        self.encoder = TinyBertEncoder(encoder_vocab, ENCODER["hidden"], ENCODER["layers"], ENCODER["heads"],
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "models" / "logllm-bgl-tiny")
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads; one is fastest for models this small")
    args = parser.parse_args()
    random.seed(args.seed)
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    started = time.time()

    bgl_train, bgl_test = load_windows("BGL")
    tb_train, tb_test = load_windows("Thunderbird")
    train = bgl_train + tb_train

    encoder_vocab = build_wordpiece_vocab([m for w in train for m in w.messages], min_word_count=2)
    encoder_tokenizer = WordPieceEncoder(encoder_vocab, MAX_MESSAGE_TOKENS)
    decoder_texts = list(INSTRUCTION.values())
    decoder_vocab, decoder_merges = train_byte_level_bpe(decoder_texts, DECODER_VOCAB_SIZE, special_tokens=[])
    decoder_tokenizer = ByteLevelBpeEncoder(decoder_vocab, decoder_merges, special_tokens=[])
    prefix_ids = torch.tensor(decoder_tokenizer.encode(INSTRUCTION["prefix"]))
    suffix_ids = torch.tensor(decoder_tokenizer.encode(INSTRUCTION["suffix"]) + decoder_tokenizer.encode(INSTRUCTION["answer_prefix"]))

    def token_ids(window: Window) -> list[list[int]]:
        return [encoder_tokenizer.encode(m) for m in window.messages]

    model = TinyLogLLM(len(encoder_vocab), len(decoder_vocab), dropout=0.1)
    train_ids = [(token_ids(w), w.label) for w in train]
    batch_size = 16
    steps_per_epoch = -(-len(train_ids) // batch_size)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.01)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=1e-3, total_steps=args.epochs * steps_per_epoch, pct_start=0.1)
    anomalous_share = sum(w.label for w in train) / len(train)
    # Square root of the inverse class frequency: a milder stand-in for LogLLM's minority oversampling.
    loss_fn = nn.CrossEntropyLoss(weight=torch.tensor([(1 - anomalous_share) ** -0.5, anomalous_share ** -0.5]))
    for epoch in range(args.epochs):
        model.train()
        random.shuffle(train_ids)
        total = 0.0
        for start in range(0, len(train_ids), batch_size):
            batch = train_ids[start:start + batch_size]
            logits = model([ids for ids, _ in batch], prefix_ids, suffix_ids)
            loss = loss_fn(logits, torch.tensor([label for _, label in batch]))
            optimizer.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            schedule.step()
            total += loss.item() * len(batch)
        print(f"epoch {epoch + 1:3d}  train loss {total / len(train_ids):.4f}  ({time.time() - started:.0f}s)", flush=True)

    model.eval()
    with torch.no_grad():
        def predict(windows: list[Window]) -> list[int]:
            return [int(model([token_ids(w)], prefix_ids, suffix_ids).argmax(-1)) for w in windows]

        metrics = {
            "bgl_test": classification_metrics([w.label for w in bgl_test], predict(bgl_test)),
            "thunderbird_test": classification_metrics([w.label for w in tb_test], predict(tb_test)),
            "bgl_train": classification_metrics([w.label for w in bgl_train], predict(bgl_train)),
            "windows": {"bgl_train": len(bgl_train), "bgl_train_anomalous": sum(w.label for w in bgl_train),
                        "bgl_test": len(bgl_test), "bgl_test_anomalous": sum(w.label for w in bgl_test),
                        "thunderbird_train": len(tb_train), "thunderbird_test": len(tb_test)},
            "epochs": args.epochs, "seed": args.seed, "train_seconds": round(time.time() - started),
            "parameters": sum(p.numel() for p in model.parameters()),
        }
        print(json.dumps(metrics, indent=1))

        out: Path = args.out
        out.mkdir(parents=True, exist_ok=True)
        write_wordpiece_tokenizer(out / "encoder_tokenizer", encoder_vocab, MAX_MESSAGE_TOKENS)
        write_byte_level_bpe_tokenizer(out / "decoder_tokenizer", decoder_vocab, decoder_merges, [],
                                       {"tokenizer_class": "PreTrainedTokenizerFast", "model_max_length": 128,
                                        "clean_up_tokenization_spaces": False})
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
    print(f"wrote {out} in {time.time() - started:.0f}s")


if __name__ == "__main__":
    main()
