"""Trains a tiny Llama-shaped causal LM on a deterministic log task and writes it in the layout
transformers.js loads from a local folder (config.json, generation_config.json, tokenizer.json,
tokenizer_config.json with a chat template, onnx/model.onnx with a KV cache).

    /usr/bin/python3 tools/train/train_causal_lm_tiny.py [--out models/alsate-rules-lm-tiny] [--steps 700] [--seed 0]

Task: ALSATE-style chat (optional ALSATE system prompt, one log line as the user turn) answered with
the rules baseline's cause/remediation for that line, minus the quoted excerpt:
"Cause - <rule>\\nRemediation - <advice>". The targets come from harness/runners/rules.ts through
tools/train/ruleTargets.ts (run with tsx here), so the model imitates the
baseline, nothing more. Lines: all six shipped loghub 2k logs; time-ordered split per file (first 90 %
train, last 10 % held out). CPU, minutes; not run in CI.
"""
import argparse
import collections
import json
import random
import subprocess
import time
from pathlib import Path

import jinja2
import onnx
import torch
from torch import nn

from hf_tokenizer_json import ByteLevelBpeEncoder, train_byte_level_bpe, write_byte_level_bpe_tokenizer
from logllm_data import REPO_ROOT, read_loghub_lines
from tiny_blocks import LlamaBlock, RMSNorm, RotaryAngles, causal_bias

SYSTEMS = ["Apache", "BGL", "HDFS", "Linux", "OpenSSH", "Thunderbird"]
TRAIN_SHARE = 0.9
SYSTEM_PROMPT = (REPO_ROOT / "prompts" / "alsate_system.txt").read_text(encoding="utf-8")
SYSTEM_PROMPT_SHARE = 0.3  # some training chats carry ALSATE's system prompt, so both prompt shapes work
MAX_LINE_CHARS = 240
PAD, END = "<|pad|>", "<|end|>"
SPECIAL_TOKENS = [PAD, END, "<|system|>", "<|user|>", "<|assistant|>"]
CHAT_TEMPLATE = (
    "{% for message in messages %}<|{{ message['role'] }}|>\n{{ message['content'] }}<|end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|assistant|>\n{% endif %}"
)
VOCAB_SIZE = 1024
MODEL = {"hidden": 128, "layers": 2, "heads": 4, "ffn": 256, "rope_theta": 10000.0, "max_positions": 512}
MAX_NEW_TOKENS = 48
PER_TARGET_CAP = 300  # keeps the informational answer from drowning the rest
OPSET = 17


class TinyLlamaForCausalLM(nn.Module):
    def __init__(self, vocab_size: int):
        super().__init__()
        hidden, heads = MODEL["hidden"], MODEL["heads"]
        self.embed_tokens = nn.Embedding(vocab_size, hidden)
        self.rotary = RotaryAngles(hidden // heads, MODEL["rope_theta"])
        self.layers = nn.ModuleList(LlamaBlock(hidden, heads, MODEL["ffn"]) for _ in range(MODEL["layers"]))
        self.norm = RMSNorm(hidden)
        self.lm_head = nn.Linear(hidden, vocab_size, bias=False)

    def forward(self, input_ids, attention_mask, position_ids, *past):
        """transformers.js' decoder-with-past interface: past = (key0, value0, key1, value1, ...), each [batch, heads, past, head_dim]."""
        x = self.embed_tokens(input_ids)
        cos, sin = self.rotary(position_ids)
        bias = causal_bias(attention_mask, input_ids.shape[1])
        present = []
        for index, layer in enumerate(self.layers):
            x, key, value = layer(x, cos, sin, bias, past[2 * index], past[2 * index + 1])
            present += [key, value]
        return (self.lm_head(self.norm(x)), *present)


def empty_past(batch: int) -> list[torch.Tensor]:
    head_dim = MODEL["hidden"] // MODEL["heads"]
    return [torch.zeros(batch, MODEL["heads"], 0, head_dim) for _ in range(2 * MODEL["layers"])]


def rule_targets(lines: list[str]) -> list[str]:
    """Runs tools/train/ruleTargets.ts over the lines with tsx, inside the repository so its imports (zod, …) resolve."""
    result = subprocess.run(["node", "--import", "tsx", str(REPO_ROOT / "tools" / "train" / "ruleTargets.ts")], check=True,
                            cwd=REPO_ROOT, input="".join(json.dumps({"line": line}) + "\n" for line in lines),
                            capture_output=True, text=True)
    return [json.loads(row)["target"] for row in result.stdout.splitlines()]


def render_chat(messages: list[dict], add_generation_prompt: bool) -> str:
    return jinja2.Template(CHAT_TEMPLATE).render(messages=messages, add_generation_prompt=add_generation_prompt)


def chat_messages(line: str, with_system: bool) -> list[dict]:
    return ([{"role": "system", "content": SYSTEM_PROMPT}] if with_system else []) + [{"role": "user", "content": line}]


@torch.no_grad()
def greedy_generate(model: TinyLlamaForCausalLM, prompt_ids: list[int], end_id: int,
                    max_new_tokens: int = MAX_NEW_TOKENS) -> tuple[list[int], torch.Tensor]:
    """Greedy decoding with the KV cache, as transformers.js runs the exported graph; also returns the prompt's last logits."""
    ids = torch.tensor([prompt_ids])
    mask = torch.ones_like(ids)
    outputs = model(ids, mask, torch.arange(ids.shape[1])[None], *empty_past(1))
    first_logits = outputs[0][0, -1].clone()
    generated: list[int] = []
    while len(generated) < max_new_tokens:
        next_id = int(outputs[0][0, -1].argmax())
        generated.append(next_id)
        if next_id == end_id:
            break
        mask = torch.cat([mask, torch.ones(1, 1, dtype=torch.long)], dim=1)
        position = torch.tensor([[mask.shape[1] - 1]])
        outputs = model(torch.tensor([[next_id]]), mask, position, *outputs[1:])
    return generated, first_logits


def train_step(model: TinyLlamaForCausalLM, optimizer, schedule, examples: list[tuple[list[int], int]], pad_id: int) -> torch.Tensor:
    """One optimizer step on (token ids, prompt length) chats, right-padded; the loss covers the answer tokens only."""
    batch_size, width = len(examples), max(len(ids) for ids, _ in examples)
    ids = torch.full((batch_size, width), pad_id)
    mask = torch.zeros(batch_size, width, dtype=torch.long)
    labels = torch.full((batch_size, width), -100)
    for row, (seq, prompt_length) in enumerate(examples):
        ids[row, : len(seq)] = torch.tensor(seq)
        mask[row, : len(seq)] = 1
        # Next-token targets for the answer only: position t predicts token t + 1.
        labels[row, prompt_length - 1: len(seq) - 1] = torch.tensor(seq[prompt_length:])
    logits = model(ids, mask, torch.arange(width)[None].repeat(batch_size, 1), *empty_past(batch_size))[0]
    loss = nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), labels.reshape(-1), ignore_index=-100)
    optimizer.zero_grad()
    loss.backward()
    nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()
    schedule.step()
    return loss


def export_onnx(model: TinyLlamaForCausalLM, out: Path) -> None:
    (out / "onnx").mkdir(parents=True, exist_ok=True)
    batch, seq, past_length = 2, 3, 4
    head_dim = MODEL["hidden"] // MODEL["heads"]
    past = [torch.randn(batch, MODEL["heads"], past_length, head_dim) for _ in range(2 * MODEL["layers"])]
    past_names = [f"past_key_values.{i}.{kind}" for i in range(MODEL["layers"]) for kind in ("key", "value")]
    present_names = [f"present.{i}.{kind}" for i in range(MODEL["layers"]) for kind in ("key", "value")]
    dynamic = {"input_ids": {0: "batch_size", 1: "sequence_length"},
               "attention_mask": {0: "batch_size", 1: "total_sequence_length"},
               "position_ids": {0: "batch_size", 1: "sequence_length"},
               "logits": {0: "batch_size", 1: "sequence_length"}}
    dynamic.update({name: {0: "batch_size", 2: "past_sequence_length"} for name in past_names})
    dynamic.update({name: {0: "batch_size", 2: "total_sequence_length"} for name in present_names})
    torch.onnx.export(model, (torch.ones(batch, seq, dtype=torch.long), torch.ones(batch, past_length + seq, dtype=torch.long),
                              torch.arange(past_length, past_length + seq)[None].repeat(batch, 1), *past),
                      str(out / "onnx" / "model.onnx"),
                      input_names=["input_ids", "attention_mask", "position_ids", *past_names],
                      output_names=["logits", *present_names], dynamic_axes=dynamic,
                      opset_version=OPSET, do_constant_folding=True)
    onnx.checker.check_model(onnx.load(str(out / "onnx" / "model.onnx")))


def write_model_folder(out: Path, model: TinyLlamaForCausalLM, vocab: dict[str, int], merges: list[tuple[str, str]],
                       max_new_tokens: int) -> None:
    """Writes the folder transformers.js loads: onnx/model.onnx, tokenizer files with the chat template, config.json, generation_config.json."""
    end_id, pad_id = vocab[END], vocab[PAD]
    export_onnx(model, out)
    write_byte_level_bpe_tokenizer(out, vocab, merges, SPECIAL_TOKENS, {
        "tokenizer_class": "Qwen2Tokenizer", "model_max_length": MODEL["max_positions"], "padding_side": "left",
        "eos_token": END, "pad_token": PAD, "add_bos_token": False,
        "clean_up_tokenization_spaces": False, "chat_template": CHAT_TEMPLATE,
    })
    head_dim = MODEL["hidden"] // MODEL["heads"]
    config = {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "vocab_size": len(vocab),
              "hidden_size": MODEL["hidden"], "intermediate_size": MODEL["ffn"], "num_hidden_layers": MODEL["layers"],
              "num_attention_heads": MODEL["heads"], "num_key_value_heads": MODEL["heads"], "head_dim": head_dim,
              "max_position_embeddings": MODEL["max_positions"], "rms_norm_eps": 1e-6, "rope_theta": MODEL["rope_theta"],
              "hidden_act": "silu", "tie_word_embeddings": False, "use_cache": True, "torch_dtype": "float32",
              "bos_token_id": None, "eos_token_id": end_id, "pad_token_id": pad_id,
              "transformers.js_config": {"dtype": "fp32"}}
    (out / "config.json").write_text(json.dumps(config, indent=2) + "\n")
    (out / "generation_config.json").write_text(json.dumps(
        {"eos_token_id": end_id, "pad_token_id": pad_id, "do_sample": False, "max_new_tokens": max_new_tokens}, indent=2) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "models" / "alsate-rules-lm-tiny")
    parser.add_argument("--steps", type=int, default=700)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads; one is fastest for models this small")
    args = parser.parse_args()
    random.seed(args.seed)
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    started = time.time()

    train_lines, test_lines = [], []
    for system in SYSTEMS:
        lines = [line.strip()[:MAX_LINE_CHARS] for line in read_loghub_lines(system)]
        cut = int(len(lines) * TRAIN_SHARE)
        train_lines += lines[:cut]
        test_lines += lines[cut:]
    train_lines = list(dict.fromkeys(train_lines))
    test_lines = [line for line in dict.fromkeys(test_lines) if line not in set(train_lines)]
    targets = rule_targets(train_lines + test_lines)
    train_pairs = list(zip(train_lines, targets[: len(train_lines)]))
    test_pairs = list(zip(test_lines, targets[len(train_lines):]))

    by_target = collections.defaultdict(list)
    for pair in train_pairs:
        by_target[pair[1]].append(pair)
    train_pairs = [p for pairs in by_target.values() for p in random.sample(pairs, min(len(pairs), PER_TARGET_CAP))]
    print(f"{len(train_pairs)} training pairs over {len(by_target)} answers; {len(test_pairs)} held-out lines", flush=True)

    # The BPE corpus weights each text as often as training shows it, so the system prompt gets its own merges.
    bpe_corpus = [SYSTEM_PROMPT] * round(SYSTEM_PROMPT_SHARE * len(train_pairs)) + [t for pair in train_pairs for t in pair]
    vocab, merges = train_byte_level_bpe(bpe_corpus, VOCAB_SIZE, SPECIAL_TOKENS)
    tokenizer = ByteLevelBpeEncoder(vocab, merges, SPECIAL_TOKENS)
    end_id, pad_id = vocab[END], vocab[PAD]
    print(f"tokenizer: {len(vocab)} tokens ({time.time() - started:.0f}s)", flush=True)

    def training_example(line: str, target: str) -> tuple[list[int], int]:
        prompt = tokenizer.encode(render_chat(chat_messages(line, random.random() < SYSTEM_PROMPT_SHARE), True))
        return prompt + tokenizer.encode(target + END), len(prompt)

    model = TinyLlamaForCausalLM(len(vocab))
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.01)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=3e-3, total_steps=args.steps, pct_start=0.1)
    batch_size = 16
    model.train()
    for step in range(args.steps):
        loss = train_step(model, optimizer, schedule, [training_example(*random.choice(train_pairs)) for _ in range(batch_size)], pad_id)
        if (step + 1) % 50 == 0:
            print(f"step {step + 1:5d}  loss {loss.item():.4f}  ({time.time() - started:.0f}s)", flush=True)

    model.eval()
    rng = random.Random(args.seed)
    evaluated = rng.sample(test_pairs, min(200, len(test_pairs)))
    metrics = {"held_out_lines": len(evaluated),
               "informational_share": sum(t.startswith("Cause - No error") for _, t in evaluated) / len(evaluated)}
    for with_system in (True, False):
        answers = [(tokenizer.decode(greedy_generate(model, tokenizer.encode(render_chat(chat_messages(line, with_system), True)), end_id)[0]), target)
                   for line, target in evaluated]
        flagged = [(text, target) for text, target in answers if not target.startswith("Cause - No error")]
        metrics["with_system_prompt" if with_system else "user_turn_only"] = {
            "exact_match": sum(text == target for text, target in answers) / len(answers),
            "cause_line_match": sum(text.split("\n")[0] == target.split("\n")[0] for text, target in answers) / len(answers),
            "cause_line_match_flagged_lines": sum(text.split("\n")[0] == target.split("\n")[0] for text, target in flagged) / max(1, len(flagged)),
            "flagged_lines": len(flagged),
        }
    metrics.update({"train_pairs": len(train_pairs), "answers": len(by_target), "steps": args.steps, "seed": args.seed,
                    "train_seconds": round(time.time() - started), "parameters": sum(p.numel() for p in model.parameters())})
    print(json.dumps(metrics, indent=1), flush=True)

    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    write_model_folder(out, model, vocab, merges, MAX_NEW_TOKENS)

    is_informational = {line: target.startswith("Cause - No error") for line, target in evaluated}
    reference_lines = [line for line in is_informational if is_informational[line]][:2] + [
        line for line in is_informational if not is_informational[line]][:2] + [
        "Dec 04 10:12:41 ubuntu kernel: Out of memory: Killed process 2213 (chrome)",
        "Jun 14 15:16:01 combo sshd(pam_unix)[19939]: authentication failure; logname= uid=0 euid=0 tty=NODEVssh ruser= rhost=218.188.2.4",
    ]
    references = []
    for index, line in enumerate(reference_lines):
        messages = chat_messages(line, index % 2 == 0)
        prompt = render_chat(messages, True)
        prompt_ids = tokenizer.encode(prompt)
        generated, last_logits = greedy_generate(model, prompt_ids, end_id)
        references.append({"messages": messages, "prompt": prompt, "prompt_ids": prompt_ids,
                           "last_logits": last_logits.tolist(), "generated_ids": generated,
                           "text": tokenizer.decode(generated)})
    (out / "reference_generations.json").write_text(json.dumps(
        {"note": "PyTorch greedy decoding (KV cache) of the exported model; max_new_tokens "
                 f"{MAX_NEW_TOKENS}. The runner must reproduce text and token ids at temperature 0, and last_logits to 1e-4.",
         "references": references}, indent=1) + "\n")
    (out / "metrics.json").write_text(json.dumps(metrics, indent=1) + "\n")
    print(f"wrote {out} in {time.time() - started:.0f}s")


if __name__ == "__main__":
    main()
