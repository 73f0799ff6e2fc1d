"""S5 finetune: input checks, and a short LoRA that measurably changes what the SLM says."""

from __future__ import annotations

import random
import re
import sys
from pathlib import Path

import pytest
from langchain_core.messages import AIMessage, HumanMessage, message_to_dict

from hetero_agents.errors import MissingExtraError, PipelineError
from hetero_agents.pipeline.finetune import MIN_EXAMPLES, LoraResult, finetune
from hetero_agents.pipeline.records import Example, Split

CODE = re.compile(r"^\s*ZQX-\d+")
TRAIN_TEMPLATES = (
    "What is the ticket code for order {n}?",
    "Give me the tracking code of parcel {n}.",
    "Which code belongs to invoice {n}?",
    "Code for shipment {n}, please.",
)
#: Held-out prompts: unseen numbers, and two phrasings never trained on.
HELD_OUT = (
    "What is the ticket code for order 311?",
    "Give me the tracking code of parcel 472.",
    "Which code is assigned to booking 515?",
    "Which code is assigned to booking 628?",
    "Code for the parcel 733?",
    "Code for the parcel 844?",
)


def _example(i: int, prompt: str, answer: str, split: Split = "train") -> Example:
    return Example(
        call_id=f"call-{i}",
        text=prompt,
        messages=[message_to_dict(HumanMessage(prompt))],
        tools=None,
        response=message_to_dict(AIMessage(answer)),
        split=split,
        group="codes",
    )


def _codes_cluster(n: int, seed: int = 0) -> list[Example]:
    """A cluster whose LLM always answers with a bare ``ZQX-<number>`` code."""
    rng = random.Random(seed)
    numbers = rng.sample(range(100, 999), n)
    return [
        _example(i, TRAIN_TEMPLATES[i % len(TRAIN_TEMPLATES)].format(n=k), f"ZQX-{k}")
        for i, k in enumerate(numbers)
    ]


def test_too_few_train_examples_says_how_many_are_needed(tmp_path: Path) -> None:
    few = _codes_cluster(MIN_EXAMPLES - 1)
    with pytest.raises(PipelineError, match=f"at least {MIN_EXAMPLES} examples but only 3"):
        finetune(few, out=tmp_path)


def test_eval_split_is_never_trained_on(tmp_path: Path) -> None:
    held = [_example(i, "p", "a", split="eval") for i in range(10)]
    with pytest.raises(PipelineError, match="only 0 train-split"):
        finetune(held, out=tmp_path)


def test_bad_settings_are_refused_before_any_work(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="positive: rank, steps"):
        finetune(_codes_cluster(8), out=tmp_path, steps=0, rank=-1)


def test_missing_finetune_extra_names_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "peft", None)  # what an uninstalled package looks like
    with pytest.raises(MissingExtraError, match="finetune"):
        finetune(_codes_cluster(8), out=tmp_path)


def _share_in_format(lora: Path | None, smollm2_path: Path) -> tuple[float, list[str]]:
    from hetero_agents import ChatLlamaCpp

    chat = ChatLlamaCpp(
        model_path=str(smollm2_path),
        lora_path=str(lora) if lora else None,
        n_threads=1,
        max_tokens=8,
    )
    answers = [str(chat.invoke(prompt).content) for prompt in HELD_OUT]
    return sum(bool(CODE.match(a)) for a in answers) / len(answers), answers


@pytest.mark.model
def test_short_finetune_teaches_the_clusters_format_on_held_out_prompts(
    smollm2_path: Path, tmp_path: Path
) -> None:
    pytest.importorskip("peft")
    before, base_answers = _share_in_format(None, smollm2_path)
    assert before <= 1 / 6, base_answers  # the base model does not answer like this

    result = finetune(
        _codes_cluster(12),
        base_model=str(smollm2_path),
        out=tmp_path / "cluster-3",  # a folder: the adapter goes inside
        steps=10,
        learning_rate=2e-3,
        batch_size=4,
        max_length=128,
        seed=0,
        progress=False,
    )
    assert isinstance(result, LoraResult)
    assert result.path == tmp_path / "cluster-3" / "adapter.gguf"
    assert result.path.stat().st_size < 5_000_000  # an adapter, not a model
    assert (result.steps, result.n_examples, result.skipped) == (10, 12, 0)
    assert len(result.losses) == 10
    assert sum(result.losses[-3:]) / 3 < result.losses[0] / 4  # it learned

    after, tuned_answers = _share_in_format(result.path, smollm2_path)
    assert after >= 0.5, tuned_answers
    assert after - before >= 0.5
