"""Trains the offline generative pair: one tiny Llama-shaped causal LM, two checkpoints of one run
(base = after the first --base-steps steps, fine-tune = after all --steps), on two tasks at once:

- cause-remediation (ALSATE shape): one log line as the user turn, answered "Cause - …\\nRemediation - …";
  targets from the rules teacher (tools/train/ruleTargets.ts), so the suite leaves `rules` out.
- json-analysis (FPT shape): a chunk of 3-6 BGL messages in prompts/offline_json_analysis.txt, answered with FPT's
  JSON; targets from BGL's own per-line alert labels (critical = alert-labelled lines, see bgl_reference).

    nice /usr/bin/python3 tools/train/train_offline_lm_tiny.py [--steps 200] [--base-steps 40] [--seed 0]

Time-ordered split per loghub file: first 70 % trains, next 10 % validates, last 20 % is held out (BGL:
lines 1-1400 / 1401-1599 / 1601-2000, line 1600 used by no part; the default suite holds out 1601-2000 too). The tokenizer and the
training chats come from the training part only. Writes models/offline-lm-tiny-{base,ft}/ and the held-out test sets in
datasets/data/offline/ (the suites' data). CPU, minutes; not run in CI.
"""
import argparse
import collections
import copy
import json
import random
import time
from pathlib import Path

import torch

from hf_tokenizer_json import ByteLevelBpeEncoder, train_byte_level_bpe
from logllm_data import REPO_ROOT, read_loghub_lines
from train_causal_lm_tiny import (END, PAD, SPECIAL_TOKENS, SYSTEMS, TinyLlamaForCausalLM, greedy_generate,
                                  render_chat, rule_targets, train_step, write_model_folder)

TRAIN_PERCENT, HELD_OUT_FROM_PERCENT = 70, 80
MAX_LINE_CHARS = 240
JSON_LINE_CHARS = 100  # keeps a chunk near 200 tokens: training time on 2 shared cores
LABELLED_SYSTEMS = {"BGL", "Thunderbird"}  # their first field is the alert label, not part of the message
JSON_PROMPT = (REPO_ROOT / "prompts" / "offline_json_analysis.txt").read_text(encoding="utf-8")
CHUNK_LINES = (3, 6)
TRAIN_CHUNKINGS = 40  # random re-chunkings of the training part, so line positions vary
CR_TEST_PER_SYSTEM = 8
VOCAB_SIZE = 1024
CR_MAX_NEW_TOKENS, JSON_MAX_NEW_TOKENS = 48, 96
PER_TARGET_CAP = 300
BGL_INFO_LEVEL = "INFO"
# FPT-style scoring of the reference, as metrics/tasks/logRules.ts scores its rules answer.
CRITICAL_POINTS, WARNING_POINTS = 20, 2
DATA_OUT = REPO_ROOT / "datasets" / "data" / "offline"


def split_parts(lines: list[str]) -> tuple[list[str], list[str], list[str]]:
    """Training, validation and held-out lines: 1-1400 / 1401-1599 / 1601-2000 of a 2000-line file.

    Integer cuts: the shipped checkpoints were trained with a float cut, int(2000 * (0.7 + 0.1)) = 1599,
    that put line 1600 in the held-out part although the default suite's rules train on lines 1-1600.
    Line 1600 is now a gap no part uses: training and validation are the lines the checkpoints saw,
    and the held-out part starts at line 1601 as the cards say.
    """
    train_end, held_out_start = len(lines) * TRAIN_PERCENT // 100, len(lines) * HELD_OUT_FROM_PERCENT // 100
    return lines[:train_end], lines[train_end:held_out_start - 1], lines[held_out_start:]


def legacy_held_out(lines: list[str]) -> list[str]:
    """The held-out part of the float cut the shipped checkpoints' run used (from line 1600): see replayed_draws."""
    return lines[len(lines) * HELD_OUT_FROM_PERCENT // 100 - 1:]


def message_of(system: str, raw: str) -> str:
    line = raw.strip()
    if system in LABELLED_SYSTEMS:
        line = line.split(" ", 1)[1]
    return line[:MAX_LINE_CHARS]


def bgl_reference(raw_lines: list[str]) -> dict:
    """FPT's JSON from BGL's labels: critical = alert-labelled lines, warning = other lines above INFO level."""
    critical, warning, categories, levels = [], [], [], []
    for number, raw in enumerate(raw_lines, 1):
        fields = raw.split()
        label, level = fields[0], fields[8]
        if label != "-":
            critical.append(number)
            categories.append(label)
        elif level != BGL_INFO_LEVEL:
            warning.append(number)
            levels.append(level)
    summary = [f"{category} alert" for category in dict.fromkeys(categories)]
    if not summary:
        summary = [f"{level} messages without alert" for level in dict.fromkeys(levels)]
    risk = min(100, CRITICAL_POINTS * len(critical) + WARNING_POINTS * len(warning))
    return {"risk_score": risk, "should_alert_user": bool(critical),
            "messages": {"critical": critical, "warning": warning}, "summary": summary}


def chunks(raw_lines: list[str], rng: random.Random) -> list[list[str]]:
    out, start = [], 0
    while start < len(raw_lines):
        length = rng.randint(*CHUNK_LINES)
        out.append(raw_lines[start:start + length])
        start += length
    return out


def bgl_message(raw: str) -> str:
    """<Component1> <Component2> <Level> <Content>: the ids, node names and timestamps before them cost ~100 tokens a line."""
    return " ".join(raw.split(" ", 9)[6:])[:JSON_LINE_CHARS]


def json_example(raw_chunk: list[str]) -> tuple[str, str]:
    # Compact, keys in schema order: what the transformers provider's json_schema decoding writes.
    return "\n".join(bgl_message(raw) for raw in raw_chunk), json.dumps(bgl_reference(raw_chunk), separators=(",", ":"))


def prompt_text(task: str, text: str) -> str:
    user = text if task == "cr" else JSON_PROMPT.replace("{{input}}", text)
    return render_chat([{"role": "user", "content": user}], True)


def write_jsonl(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "models")
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--base-steps", type=int, default=40)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--data-only", action="store_true", help="write the held-out sets in datasets/data/offline and stop")
    args = parser.parse_args()
    random.seed(args.seed)
    torch.manual_seed(args.seed)
    torch.set_num_threads(1)
    started = time.time()

    # Cause/remediation: distinct lines per part, a later part never repeats an earlier part's line.
    parts: dict[str, list[tuple[str, str]]] = {"train": [], "validation": [], "test": [], "legacy-test": []}
    for system in SYSTEMS:
        lines = read_loghub_lines(system)
        for name, part in zip(parts, [*split_parts(lines), legacy_held_out(lines)]):
            parts[name] += [(system, message_of(system, raw)) for raw in part]
    seen: set[str] = set()
    for name in ("train", "validation"):
        parts[name] = [(s, line) for s, line in dict.fromkeys(parts[name]) if line not in seen]
        seen.update(line for _, line in parts[name])
    for name in ("test", "legacy-test"):
        parts[name] = [(s, line) for s, line in dict.fromkeys(parts[name]) if line not in seen]
    rng = random.Random(args.seed)
    test_rng = random.Random()
    test_rng.setstate(rng.getstate())
    cr_test = [pair for system in SYSTEMS
               for pair in test_rng.sample([p for p in parts["test"] if p[0] == system], CR_TEST_PER_SYSTEM)]
    # The shipped checkpoints' run drew its test lines from the float cut's held-out part with `rng` before
    # its validation and training draws: that draw is replayed (its lines unused) so the training data, and
    # so the checkpoints, stay reproducible; the test lines above come from a copy of the same state.
    for system in SYSTEMS:
        rng.sample([p for p in parts["legacy-test"] if p[0] == system], CR_TEST_PER_SYSTEM)
    cr_validation = rng.sample(parts["validation"], 40)
    cr_lines = [line for _, line in parts["train"]] + [line for _, line in cr_validation] + [line for _, line in cr_test]
    targets = dict(zip(cr_lines, rule_targets(cr_lines)))
    by_target = collections.defaultdict(list)
    for _, line in parts["train"]:
        by_target[targets[line]].append(line)
    cr_train = [(line, target) for target, lines in by_target.items()
                for line in rng.sample(lines, min(len(lines), PER_TARGET_CAP))]

    # JSON analysis: BGL chunks; the training part is re-chunked many times.
    bgl_train, bgl_validation, bgl_test = split_parts(read_loghub_lines("BGL"))
    json_train = [json_example(c) for seed in range(TRAIN_CHUNKINGS) for c in chunks(bgl_train, random.Random(1000 + seed))]
    json_validation = [json_example(c) for c in chunks(bgl_validation, random.Random(2000))]
    json_test_chunks = chunks(bgl_test, random.Random(3000))
    json_test = [json_example(c) for c in json_test_chunks]
    print(f"cause/remediation: {len(cr_train)} training pairs over {len(by_target)} answers, {len(cr_test)} test lines; "
          f"json: {len(json_train)} training chunks, {len(json_validation)} validation, {len(json_test)} test", flush=True)

    # The held-out sets, and the trivial baseline for each: the most frequent training answer, whatever the input.
    cr_rows = [{"id": f"{system.lower()}-{index:02d}", "input": line, "reference": targets[line], "system": system}
               for index, (system, line) in enumerate(cr_test)]
    # Every other chunk: ~45 samples keep `npm run bench` short.
    # `lines`: the chunk's first and last line numbers in BGL_2k.log, so a test can check they are held out.
    first_held_out = len(read_loghub_lines("BGL")) * HELD_OUT_FROM_PERCENT // 100 + 1
    starts = [first_held_out + sum(len(c) for c in json_test_chunks[:index]) for index in range(len(json_test_chunks))]
    json_rows = [{"id": f"bgl-c{index:02d}", "input": text, "reference": target, "lines": [starts[index], starts[index] + len(json_test_chunks[index]) - 1]}
                 for index, (text, target) in enumerate(json_test)][::2]
    for name, rows, train_targets in (("cause-remediation", cr_rows, [targets[line] for _, line in parts["train"]]),  # before the cap
                                      ("bgl-json-analysis", json_rows, [t for _, t in json_train])):
        most_frequent = collections.Counter(train_targets).most_common(1)[0][0]
        write_jsonl(DATA_OUT / f"{name}-test.jsonl", rows)
        write_jsonl(DATA_OUT / f"{name}-most-frequent.jsonl", [{"id": row["id"], "output": most_frequent} for row in rows])
    if args.data_only:
        return

    bpe_corpus = ([t for pair in cr_train for t in pair] + [bgl_message(raw) for raw in bgl_train]
                  + [target for _, target in json_train[: len(json_train) // TRAIN_CHUNKINGS]] + [JSON_PROMPT] * 200)
    vocab, merges = train_byte_level_bpe(bpe_corpus, VOCAB_SIZE, SPECIAL_TOKENS)
    tokenizer = ByteLevelBpeEncoder(vocab, merges, SPECIAL_TOKENS)
    end_id, pad_id = vocab[END], vocab[PAD]
    print(f"tokenizer: {len(vocab)} tokens ({time.time() - started:.0f}s)", flush=True)

    def encoded(task: str, text: str, target: str) -> tuple[list[int], int]:
        prompt = tokenizer.encode(prompt_text(task, text))
        return prompt + tokenizer.encode(target + END), len(prompt)

    cr_encoded = [encoded("cr", *pair) for pair in cr_train]
    json_encoded = [encoded("json", *pair) for pair in json_train]
    print(f"longest json example {max(len(ids) for ids, _ in json_encoded)} tokens ({time.time() - started:.0f}s)", flush=True)

    model = TinyLlamaForCausalLM(len(vocab))
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.01)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=3e-3, total_steps=args.steps, pct_start=0.1)
    base_state = None
    model.train()
    for step in range(args.steps):
        # Alternate tasks by batch: the JSON batches are several times longer, so mixing would pad the short ones.
        examples = [random.choice(json_encoded if step % 2 else cr_encoded) for _ in range(args.batch)]
        loss = train_step(model, optimizer, schedule, examples, pad_id)
        if step + 1 == args.base_steps:
            base_state = copy.deepcopy(model.state_dict())
        if (step + 1) % 10 == 0:
            print(f"step {step + 1:5d}  loss {loss.item():.4f}  ({time.time() - started:.0f}s)", flush=True)

    checkpoints = {"base": base_state, "ft": copy.deepcopy(model.state_dict())}  # a copy: loading base overwrites the live tensors
    validation_sets = {"cr": ([(line, targets[line]) for _, line in cr_validation], CR_MAX_NEW_TOKENS),
                       "json": (json_validation, JSON_MAX_NEW_TOKENS)}
    for name, state in checkpoints.items():
        model.load_state_dict(state)
        model.eval()
        figures = {}
        # The validation part checks the fine-tune (the base is a snapshot of the same run); held-out figures come from the suites.
        for split, sets in (("validation", validation_sets),) if name == "ft" else ():
            for task, (pairs, max_new) in sets.items():
                answers = [tokenizer.decode(greedy_generate(model, tokenizer.encode(prompt_text(task, text)), end_id, max_new)[0])
                           for text, _ in pairs]
                figures[f"{split}_{task}_exact_match"] = sum(a == t for a, (_, t) in zip(answers, pairs)) / len(pairs)
                if task == "json":
                    alerts = []
                    for answer, (_, target) in zip(answers, pairs):
                        try:
                            alerts.append(json.loads(answer)["should_alert_user"] == json.loads(target)["should_alert_user"])
                        except (ValueError, KeyError, TypeError):
                            alerts.append(False)
                    figures[f"{split}_json_alert_accuracy_unconstrained"] = sum(alerts) / len(alerts)
        metrics = {"checkpoint": name, "steps": args.base_steps if name == "base" else args.steps, "seed": args.seed,
                   "pytorch_greedy": figures, "train_seconds": round(time.time() - started),
                   "parameters": sum(p.numel() for p in model.parameters()),
                   "cr_train_pairs": len(cr_train), "json_train_chunks": len(json_train)}
        print(json.dumps(metrics, indent=1), flush=True)
        out = args.out / f"offline-lm-tiny-{name}"
        out.mkdir(parents=True, exist_ok=True)
        write_model_folder(out, model, vocab, merges, JSON_MAX_NEW_TOKENS)
        (out / "training_metrics.json").write_text(json.dumps(metrics, indent=1) + "\n")

    print(f"done in {time.time() - started:.0f}s", flush=True)


if __name__ == "__main__":
    main()
