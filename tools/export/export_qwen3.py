"""NOT RUN IN THIS REPOSITORY: it needs the fine-tuned checkpoint, transformers, peft, optimum-onnx
(`pip install optimum-onnx`, which brings `optimum.exporters.onnx`) and onnx; no model hub access
is needed when the base model is a local folder.

Turns a fine-tuned Qwen3 (full weights, or base + LoRA adapter, e.g. FPT AI Studio's log-analysis
fine-tune) into the folder TransformersRunner loads — the layout of models/alsate-rules-lm-tiny:

    python tools/export/export_qwen3.py --model Qwen3-1.7B [--adapter lora_out/] --out models/qwen3-log-analysis [--fp16]

out/config.json, generation_config.json, tokenizer.json, tokenizer_config.json (+ chat_template.jinja
when transformers saves the template there; transformers.js reads both), onnx/model.onnx
(+ model.onnx_data over 2 GB) exported with past key values ("text-generation-with-past"), which is
what transformers.js' decoder loop feeds: input_ids, attention_mask, position_ids,
past_key_values.N.key/value → logits, present.N.key/value.
"""
import argparse
import json
import shutil
import tempfile
from pathlib import Path

import onnx

from optimum.exporters.onnx import main_export
from peft import PeftModel
from transformers import AutoModelForCausalLM, AutoTokenizer

TOKENIZER_FILES = ["tokenizer.json", "tokenizer_config.json", "chat_template.jinja", "special_tokens_map.json"]


def main() -> None:
    parser = argparse.ArgumentParser(description="Export a fine-tuned Qwen3 to the transformers.js ONNX layout (not run here).")
    parser.add_argument("--model", type=Path, required=True, help="base or fully fine-tuned checkpoint folder")
    parser.add_argument("--adapter", type=Path, help="LoRA adapter folder to merge into --model")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--fp16", action="store_true",
                        help="export fp16 weights (half the size; onnx/model_fp16.onnx, dtype: fp16 in the suite); "
                             "some optimum versions export fp16 only on a CUDA device")
    args = parser.parse_args()
    out: Path = args.out

    with tempfile.TemporaryDirectory() as work:
        source = args.model
        if args.adapter is not None:
            # ONNX has no adapters: fold LoRA into the weights first.
            merged = PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained(str(args.model), torch_dtype="auto"), str(args.adapter)).merge_and_unload()
            source = Path(work) / "merged"
            merged.save_pretrained(str(source))
            AutoTokenizer.from_pretrained(str(args.model)).save_pretrained(str(source))
        exported = Path(work) / "onnx"
        main_export(str(source), output=str(exported), task="text-generation-with-past", opset=17,
                    dtype="fp16" if args.fp16 else "fp32", device="cpu", do_validation=True)

        (out / "onnx").mkdir(parents=True, exist_ok=True)
        name = f"model{'_fp16' if args.fp16 else ''}.onnx"
        graph = onnx.load(str(exported / "model.onnx"), load_external_data=True)
        # Re-saved rather than copied: the graph names its external data file, which must match the new name.
        large = any(exported.glob("model.onnx_data*"))  # the exporter externalises weights past protobuf's 2 GB
        onnx.save_model(graph, str(out / "onnx" / name), save_as_external_data=large, all_tensors_to_one_file=True,
                        location=f"{name}_data")
        for file_name in ["config.json", "generation_config.json", *TOKENIZER_FILES]:
            if (exported / file_name).exists():
                shutil.copy(exported / file_name, out / file_name)

    config = json.loads((out / "config.json").read_text())
    has_external_data = any((out / "onnx").glob("*.onnx_data"))
    config["transformers.js_config"] = {"dtype": "fp16" if args.fp16 else "fp32", "use_external_data_format": has_external_data}
    (out / "config.json").write_text(json.dumps(config, indent=2) + "\n")
    print(f"wrote {out}; in a suite: provider: transformers, path: {out}, dtype: {'fp16' if args.fp16 else 'fp32'}"
          ", chat_template_kwargs: {enable_thinking: false} if the fine-tune answers without <think>")


if __name__ == "__main__":
    main()
