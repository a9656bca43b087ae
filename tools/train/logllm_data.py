"""Loghub parsing, LogLLM windows and LogLLM's `<*>` masking, shared by the training scripts.

The masking is LogLLM's `replace_patterns` (guanwei49/LogLLM bf66b1c, customDataset.py); the
TypeScript port in harness/runners/logllmPreprocess.ts must stay identical, which the recorded
`preprocessed` messages in models/*/reference_logits.json check.
"""
import re
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
LOGHUB_DIR = REPO_ROOT / "datasets" / "data" / "loghub"

# LogLLM's log_format per labelled system (prepareData/sliding_window.py), as in datasets/loaders/loghubWindows.ts.
LOGLLM_LOG_FORMATS = {
    "BGL": "<Label> <Id> <Date> <Code1> <Time> <Code2> <Component1> <Component2> <Level> <Content>",
    "Thunderbird": "<Label> <Id> <Date> <Admin> <Month> <Day> <Time> <AdminAddr> <Content>",
}

MESSAGE_SEPARATOR = " ;-; "

_MASK_PATTERNS = [
    r"True",
    r"true",
    r"False",
    r"false",
    r"\b(zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|million|billion)\b",
    r"\b(Mon|Monday|Tue|Tuesday|Wed|Wednesday|Thu|Thursday|Fri|Friday|Sat|Saturday|Sun|Sunday)\b",
    r"\b(Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|Jun(?:e)?|Jul(?:y)?|Aug(?:ust)?|Sep(?:tember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\s+(\d{1,2})\s+\b",
    r"\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}(:\d{1,5})?",
    r"([0-9A-Fa-f]{2}:){11}[0-9A-Fa-f]{2}",
    r"([0-9A-Fa-f]{2}:){5}[0-9A-Fa-f]{2}",
    r"[a-zA-Z0-9]*[:\.]*([/\\]+[^/\\\s\[\]]+)+[/\\]*",
    r"\b[0-9a-fA-F]{8}\b",
    r"\b[0-9a-fA-F]{10}\b",
    r"(\w+[\w\.]*)@(\w+[\w\.]*)\-(\w+[\w\.]*)",
    r"(\w+[\w\.]*)@(\w+[\w\.]*)",
    r"[a-zA-Z\.\:\-\_]*\d[a-zA-Z0-9\.\:\-\_]*",
]
# re.ASCII: the TypeScript port's \b, \w, \d are ASCII-only (no `u` flag); the shipped logs are ASCII.
_MASK_REGEX = re.compile("|".join(_MASK_PATTERNS), re.ASCII)


def mask_variables(text: str) -> str:
    """LogLLM's replace_patterns: runs of 3+ dots become '.. ', then every variable-looking span '<*>'."""
    text = re.sub(r"[\.]{3,}", ".. ", text)
    return _MASK_REGEX.sub("<*>", text)


def preprocess_window(window_text: str, max_messages: int) -> list[str]:
    """LogLLM's dataset + collator: mask the joined window, split on ' ;-; ', keep the first max_messages."""
    return mask_variables(window_text).split(MESSAGE_SEPARATOR)[:max_messages]


def _log_format_regex(log_format: str) -> re.Pattern[str]:
    parts = re.split(r"(<[^<>]+>)", log_format)
    source = "".join(
        f"(?P<{part[1:-1]}>.*?)" if i % 2 == 1 else re.sub(r" +", r"\\s+", re.escape(part).replace("\\ ", " "))
        for i, part in enumerate(parts)
    )
    return re.compile(f"^{source}$")


def read_loghub_lines(system: str) -> list[str]:
    """The raw lines of datasets/data/loghub/<system>/<system>_2k.log (CRLF, no final newline)."""
    # Bytes, not read_text: universal-newline decoding would hide the CRLF the split relies on.
    text = (LOGHUB_DIR / system / f"{system}_2k.log").read_bytes().decode("utf-8")
    return [line for line in text.split("\r\n") if line != ""]


def parse_labelled_lines(system: str) -> list[tuple[str, int]]:
    """(Content, 1 if anomalous else 0) per line, parsed with LogLLM's log_format for the system."""
    regex = _log_format_regex(LOGLLM_LOG_FORMATS[system])
    parsed = []
    for number, line in enumerate(read_loghub_lines(system), start=1):
        match = regex.match(line.strip())
        if match is None:
            raise ValueError(f"{system}_2k.log:{number}: does not match the LogLLM log_format")
        parsed.append((match["Content"], 0 if match["Label"] == "-" else 1))
    return parsed


def fixed_windows(items: list, size: int, step: int) -> list[tuple[int, list]]:
    """(start index, items) of windows of `size` items every `step` items; LogLLM's fixedSize_window."""
    return [(start, items[start:start + size]) for start in range(0, len(items), step)]
