"""The Berkeley Function Calling Leaderboard's ``simple`` and ``multiple`` (Python) questions.

BFCL's questions, function documents and accepted answers ship as data files
inside the ``bfcl-eval`` wheel (Apache-2.0). The package itself pins a heavy
stack of dependencies, so it is installed ``--no-deps`` and never imported:
the files are found through ``importlib.metadata`` and read as JSON lines.

Each question becomes a :class:`BfclQuestion` with OpenAI tool schemas that
compile to a grammar, so the same record drives a constrained model, a raw
model, the AST checker (:mod:`hetero_agents.evals.ast_match`) and, later, the
end-to-end demo's workload.
"""

from __future__ import annotations

import functools
import importlib.metadata
import json
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, get_args

from hetero_agents.errors import EvalDataError, EvalDataNotInstalledError
from hetero_agents.evals._schema import bfcl_function_to_tool

BfclCategory = Literal["simple", "multiple"]
"""The BFCL categories this loader serves: one function, or one call among several."""

BFCL_DISTRIBUTION = "bfcl-eval"
BFCL_VERSION = "2026.3.23"
BFCL_INSTALL = f"pip install --no-deps {BFCL_DISTRIBUTION}=={BFCL_VERSION}"

# category -> file name, both under bfcl_eval/data/ (questions) and .../possible_answer/.
_FILES: dict[str, str] = {
    "simple": "BFCL_v4_simple_python.json",
    "multiple": "BFCL_v4_multiple.json",
}
_DATA_PREFIX = "bfcl_eval/data/"


ChatTurn = dict[str, str]
"""One message of a question in OpenAI chat form (``role``, ``content``): a plain dict,
so a question's messages can go straight to ``invoke`` or ``create_chat_completion``."""


@dataclass(frozen=True, slots=True)
class PossibleCall:
    """One call BFCL accepts: the function and, per argument, every accepted value.

    Attributes:
        name: The function that must be called.
        allowed: Argument name -> accepted values. An empty string among the
            values means the argument may be left out.
    """

    name: str
    allowed: Mapping[str, Sequence[Any]]


@dataclass(frozen=True, slots=True)
class BfclQuestion:
    """A BFCL question with its tools and ground truth, ready to send to a model.

    Attributes:
        id: BFCL's id, e.g. ``"simple_python_12"``.
        category: ``"simple"`` or ``"multiple"``.
        messages: The conversation to send (BFCL's first and only turn).
        tools: OpenAI tool schemas (``{"type": "function", "function": ...}``)
            whose parameters are closed, valid JSON Schema.
        ground_truth: The calls that count as correct, in order (one for these
            categories).

    Records are shared by every caller in the process (the data is parsed once),
    so treat ``tools`` and ``ground_truth`` as read-only.
    """

    id: str
    category: BfclCategory
    messages: tuple[ChatTurn, ...]
    tools: tuple[dict[str, Any], ...]
    ground_truth: tuple[PossibleCall, ...]

    @property
    def function_names(self) -> tuple[str, ...]:
        """Names of the functions offered to the model, in BFCL's order."""
        return tuple(tool["function"]["name"] for tool in self.tools)

    def parameters(self, name: str) -> Mapping[str, Any] | None:
        """The JSON Schema of ``name``'s arguments, or ``None`` if no such tool is offered."""
        for tool in self.tools:
            if tool["function"]["name"] == name:
                params: Mapping[str, Any] = tool["function"]["parameters"]
                return params
        return None


def bfcl_data_dir() -> Path:
    """Locate ``bfcl_eval/data`` inside the installed ``bfcl-eval`` distribution.

    Raises:
        EvalDataNotInstalledError: ``bfcl-eval`` is not installed (names the command).
    """
    try:
        dist = importlib.metadata.distribution(BFCL_DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError as exc:
        raise EvalDataNotInstalledError(BFCL_DISTRIBUTION, BFCL_INSTALL) from exc
    return Path(str(dist.locate_file(_DATA_PREFIX)))


def load_questions(category: BfclCategory) -> tuple[BfclQuestion, ...]:
    """Every question of ``category``, in BFCL's order (parsed once per process).

    Raises:
        EvalDataNotInstalledError: ``bfcl-eval`` is not installed.
        EvalDataError: Unknown category, or the installed version lacks the
            expected files or has a layout this loader does not understand.
    """
    if category not in _FILES:
        allowed = ", ".join(get_args(BfclCategory))
        raise EvalDataError(f"unknown BFCL category {category!r}; choose one of: {allowed}")
    return _load(bfcl_data_dir(), category)


def sample_questions(category: BfclCategory, n: int, *, seed: int = 0) -> list[BfclQuestion]:
    """A reproducible sample of ``n`` questions of ``category``, in BFCL's order.

    The sample depends only on ``(category, n, seed)`` and the data version, so
    two runs (or two models) see exactly the same questions.

    Raises:
        EvalDataError: ``n`` is not between 1 and the number of questions.
    """
    questions = load_questions(category)
    if not 1 <= n <= len(questions):
        raise EvalDataError(
            f"asked for {n} {category!r} questions; BFCL has {len(questions)}: "
            f"pick 1..{len(questions)}"
        )
    picked = sorted(random.Random(seed).sample(range(len(questions)), n))  # noqa: S311
    return [questions[i] for i in picked]


@functools.cache
def _load(data_dir: Path, category: str) -> tuple[BfclQuestion, ...]:
    name = _FILES[category]
    questions = _read_jsonl(data_dir / name)
    answers = {row["id"]: row for row in _read_jsonl(data_dir / "possible_answer" / name)}
    records: list[BfclQuestion] = []
    for row in questions:
        answer = answers.get(row["id"])
        if answer is None:
            raise EvalDataError(f"BFCL question {row['id']!r} has no possible answer in {name}")
        records.append(_record(row, answer, category))
    return tuple(records)


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise EvalDataError(
            f"BFCL data file not found: {path}. This loader reads bfcl-eval=={BFCL_VERSION}; "
            f"run: {BFCL_INSTALL}"
        ) from exc
    try:
        return [json.loads(line) for line in text.splitlines() if line.strip()]
    except json.JSONDecodeError as exc:
        raise EvalDataError(f"BFCL data file is not JSON lines: {path} ({exc})") from exc


def _record(row: Mapping[str, Any], answer: Mapping[str, Any], category: str) -> BfclQuestion:
    try:
        turns = row["question"][0]
        messages = tuple({"role": str(t["role"]), "content": str(t["content"])} for t in turns)
        tools = tuple(bfcl_function_to_tool(f) for f in row["function"])
        truth = tuple(
            PossibleCall(name=fname, allowed=args)
            for call in answer["ground_truth"]
            for fname, args in call.items()
        )
    except (KeyError, IndexError, TypeError, AttributeError) as exc:
        raise EvalDataError(
            f"BFCL record {row.get('id')!r} has an unexpected layout: {exc}"
        ) from exc
    return BfclQuestion(
        id=str(row["id"]),
        category="simple" if category == "simple" else "multiple",
        messages=messages,
        tools=tools,
        ground_truth=truth,
    )
