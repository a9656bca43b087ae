"""NOT RUN IN THIS REPOSITORY: it needs the real checkpoints (bert-base-uncased, Llama-3.2-3B or the
Llama LogLLM used, the fine-tuned LoRA adapters, projector and head), torch >= 2.1, transformers,
peft and onnx, and ~40 GB of RAM for a 3B model in fp32. Written against LogLLM's model.py
(guanwei49/LogLLM bf66b1c) and LogSentinel's README; check the state-dict key names of your
checkpoint before trusting it.

Turns a LogLLM or LogSentinel checkpoint into the classifier bundle OnnxClassifierRunner loads —
the same layout as models/logllm-bgl-tiny (docs/export.md):

    python tools/export/export_logllm.py --variant logllm --bert bert-base-uncased --llama Meta-Llama-3-8B \
        --ft ft_model_BGL --out models/logllm-bgl --reference-csv datasets/data/logllm-format/BGL_2k_fixedwindow100.csv
    python tools/export/export_logllm.py --variant logsentinel --bert bert-base-uncased --llama Llama-3.2-3B \
        --ft ft_model_cls_BGL --out models/logsentinel-bgl

Variants:
  logllm       projector = Linear(768 → H) (projector.pt); LoRA on BERT (Bert_ft/) and Llama (Llama_ft/);
               LogLLM generates "The sequence is normal." — the head here is the language-model head at
               the position after "The sequence is", read at the first token of " normal" and of
               " anomalous": the same argmax LogLLM's first generated token makes.
  logsentinel  projector = Linear → GELU → Linear (projector.pt); LoRA on Llama (Llama_ft/); head =
               Linear(H → 2) (classifier.pt) on the last position; prompt = prefix only.
"""
import argparse
import csv
import json
import sys
from pathlib import Path

import torch
from peft import PeftModel
from torch import nn
from transformers import AutoModelForCausalLM, AutoTokenizer, BertModel, BertTokenizerFast

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "train"))
from logllm_data import MESSAGE_SEPARATOR, preprocess_window  # noqa: E402  (LogLLM's masking, shared with training)

LABELS = ["normal", "anomalous"]
MAX_MESSAGE_TOKENS = 100
MAX_MESSAGES = 128
OPSET = 17


def merged(model, adapter_dir: Path):
    """The base model with the LoRA adapter folded into its weights (ONNX has no notion of adapters)."""
    if not adapter_dir.exists():
        return model
    return PeftModel.from_pretrained(model, str(adapter_dir)).merge_and_unload()


class PooledBert(nn.Module):
    def __init__(self, bert: BertModel):
        super().__init__()
        self.bert = bert

    def forward(self, input_ids, attention_mask):
        return self.bert(input_ids=input_ids, attention_mask=attention_mask).pooler_output


class LabelHeadOnLmLogits(nn.Module):
    """LogLLM: LM-head logits of the label words' first tokens."""

    def __init__(self, lm_head: nn.Linear, label_token_ids: list[int]):
        super().__init__()
        self.lm_head = lm_head
        self.register_buffer("label_token_ids", torch.tensor(label_token_ids), persistent=False)

    def forward(self, hidden):
        return self.lm_head(hidden)[:, self.label_token_ids]


class BundleDecoder(nn.Module):
    """The bundle's decoder graph: prefix ‖ projected messages ‖ suffix through Llama, head on the last real position.

    Padded message slots sit between prefix and suffix; they are masked as keys and skipped by the
    position ids, which is what LogLLM's left padding amounts to.
    """

    def __init__(self, llama, projector: nn.Module, head: nn.Module):
        super().__init__()
        self.llama = llama.model  # the decoder stack without the LM head
        self.projector = projector
        self.head = head

    def forward(self, instruction_prefix_ids, instruction_suffix_ids, message_embeddings, message_mask):
        batch = message_embeddings.shape[0]
        embed = self.llama.embed_tokens
        x = torch.cat([embed(instruction_prefix_ids)[None].expand(batch, -1, -1),
                       self.projector(message_embeddings).to(embed.weight.dtype),
                       embed(instruction_suffix_ids)[None].expand(batch, -1, -1)], dim=1)
        mask = torch.cat([torch.ones_like(instruction_prefix_ids)[None].expand(batch, -1), message_mask,
                          torch.ones_like(instruction_suffix_ids)[None].expand(batch, -1)], dim=1)
        positions = (torch.cumsum(mask, dim=1) - 1).clamp(min=0)
        hidden = self.llama(inputs_embeds=x, attention_mask=mask, position_ids=positions).last_hidden_state
        last = (mask * torch.arange(mask.shape[1])).argmax(dim=1)
        return self.head(hidden.gather(1, last[:, None, None].expand(-1, 1, hidden.shape[2])).squeeze(1))


def load_projector(variant: str, ft: Path, bert_hidden: int, llama_hidden: int) -> nn.Module:
    if variant == "logllm":
        projector = nn.Linear(bert_hidden, llama_hidden)
    else:
        projector = nn.Sequential(nn.Linear(bert_hidden, llama_hidden), nn.GELU(), nn.Linear(llama_hidden, llama_hidden))
    projector.load_state_dict(torch.load(ft / "projector.pt", map_location="cpu"))
    return projector.float()


def main() -> None:
    parser = argparse.ArgumentParser(description="Export a LogLLM / LogSentinel checkpoint to an onnx-classifier bundle (not run here).")
    parser.add_argument("--variant", choices=["logllm", "logsentinel"], required=True)
    parser.add_argument("--bert", type=Path, required=True)
    parser.add_argument("--llama", type=Path, required=True)
    parser.add_argument("--ft", type=Path, required=True, help="the fine-tuned folder: projector.pt, Llama_ft/, Bert_ft/, classifier.pt")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--reference-csv", type=Path, help="LogLLM CSV (Content, Label); its first rows become reference_logits.json")
    args = parser.parse_args()
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)

    bert_tokenizer = BertTokenizerFast.from_pretrained(str(args.bert), do_lower_case=True)
    llama_tokenizer = AutoTokenizer.from_pretrained(str(args.llama))
    bert = merged(BertModel.from_pretrained(str(args.bert), torch_dtype=torch.float32), args.ft / "Bert_ft").eval()
    llama = merged(AutoModelForCausalLM.from_pretrained(str(args.llama), torch_dtype=torch.float32), args.ft / "Llama_ft").eval()
    projector = load_projector(args.variant, args.ft, bert.config.hidden_size, llama.config.hidden_size)

    bos = llama_tokenizer.bos_token or ""
    if args.variant == "logllm":
        first_token = [llama_tokenizer(" " + label, add_special_tokens=False).input_ids[0] for label in LABELS]
        if len(set(first_token)) != len(LABELS):
            raise SystemExit(f"the labels share their first token {first_token}; compare whole label sequences instead")
        head = LabelHeadOnLmLogits(llama.lm_head, first_token)
        # LogLLM: ins1 keeps the tokenizer's BOS, ins2 and the answer prefix are tokenized alone without it.
        instruction = {"prefix": bos + "Below is a sequence of system log messages:",
                       "suffix": ". Is this sequence normal or anomalous? \\n", "answer_prefix": "The sequence is"}
    else:
        head = nn.Linear(llama.config.hidden_size, len(LABELS))
        head.load_state_dict(torch.load(args.ft / "classifier.pt", map_location="cpu"))
        instruction = {"prefix": bos + "Below is a sequence of system log messages:", "suffix": "", "answer_prefix": ""}
    decoder = BundleDecoder(llama, projector, head).eval()

    bert_tokenizer.save_pretrained(str(out / "encoder_tokenizer"))
    llama_tokenizer.save_pretrained(str(out / "decoder_tokenizer"))

    def ids(text: str) -> list[int]:
        return llama_tokenizer(text, add_special_tokens=False).input_ids

    prefix_ids = torch.tensor(ids(instruction["prefix"]))
    suffix_ids = torch.tensor(ids(instruction["suffix"]) + ids(instruction["answer_prefix"]))
    sample = bert_tokenizer(["node <*> failed", "ciod: error"], return_tensors="pt", padding=True)
    with torch.no_grad():
        torch.onnx.export(PooledBert(bert), (sample["input_ids"], sample["attention_mask"]), str(out / "encoder.onnx"),
                          input_names=["input_ids", "attention_mask"], output_names=["pooler_output"],
                          dynamic_axes={"input_ids": {0: "messages", 1: "tokens"}, "attention_mask": {0: "messages", 1: "tokens"},
                                        "pooler_output": {0: "messages"}}, opset_version=OPSET)
        embeddings = torch.randn(2, 3, bert.config.hidden_size)
        message_mask = torch.tensor([[1, 1, 0], [1, 1, 1]])
        # Over 2 GB the weights go to external data files next to decoder.onnx; onnxruntime finds them there.
        torch.onnx.export(decoder, (prefix_ids, suffix_ids, embeddings, message_mask), str(out / "decoder.onnx"),
                          input_names=["instruction_prefix_ids", "instruction_suffix_ids", "message_embeddings", "message_mask"],
                          output_names=["logits"],
                          dynamic_axes={"instruction_prefix_ids": {0: "prefix_tokens"}, "instruction_suffix_ids": {0: "suffix_tokens"},
                                        "message_embeddings": {0: "batch", 1: "messages"}, "message_mask": {0: "batch", 1: "messages"},
                                        "logits": {0: "batch"}}, opset_version=OPSET)

        bundle = {"format_version": 1, "name": out.name, "architecture": "logllm", "labels": LABELS,
                  "max_message_tokens": MAX_MESSAGE_TOKENS, "max_messages": MAX_MESSAGES, "instruction": instruction,
                  "preprocessing": {"masking": "logllm", "message_separator": MESSAGE_SEPARATOR},
                  "encoder": {"onnx": "encoder.onnx", "tokenizer": "encoder_tokenizer", "hidden_size": bert.config.hidden_size},
                  "decoder": {"onnx": "decoder.onnx", "tokenizer": "decoder_tokenizer"}}
        (out / "bundle.json").write_text(json.dumps(bundle, indent=2) + "\n")

        if args.reference_csv is not None:
            with args.reference_csv.open(newline="") as handle:
                rows = list(csv.DictReader(handle))[:4]
            windows = []
            for index, row in enumerate(rows):
                messages = preprocess_window(row["Content"], MAX_MESSAGES)
                encoded = bert_tokenizer(messages, max_length=MAX_MESSAGE_TOKENS, truncation=True)["input_ids"]
                padded = bert_tokenizer(messages, max_length=MAX_MESSAGE_TOKENS, truncation=True, padding=True, return_tensors="pt")
                pooled = PooledBert(bert)(padded["input_ids"], padded["attention_mask"])[None]
                logits = decoder(prefix_ids, suffix_ids, pooled, torch.ones(1, len(messages), dtype=torch.long))[0]
                windows.append({"id": f"row{index}", "input": row["Content"], "label": LABELS[int(row["Label"])],
                                "preprocessed": messages, "encoder_token_ids": encoded, "logits": logits.tolist()})
            (out / "reference_logits.json").write_text(json.dumps({
                "note": "PyTorch (fp32, LoRA merged) outputs of the exported graphs, one window at a time.", "windows": windows,
                "encoder_tokenizer": [], "decoder_tokenizer": {"instruction_prefix_ids": prefix_ids.tolist(),
                                                               "instruction_suffix_ids": suffix_ids.tolist()}}, indent=1) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
