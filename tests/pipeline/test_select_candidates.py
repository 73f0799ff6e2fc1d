"""Candidates: catalog names, GGUF paths and user models, resolved without loading anything."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from langchain_core.messages import AIMessage
from select_fakes import always, clustering, weather_example

from hetero_agents.errors import PipelineError
from hetero_agents.models import CATALOG
from hetero_agents.pipeline.candidates import (
    Candidate,
    catalog_candidate,
    load_candidate,
    model_candidate,
    release_candidate,
    resolve_candidates,
)
from hetero_agents.pipeline.select import select


def test_catalog_footprint_is_the_file_size_without_loading():
    candidate = catalog_candidate("smollm2-135m", n_threads=1)
    assert candidate.name == "smollm2-135m"
    assert candidate.footprint_mb == pytest.approx(CATALOG["smollm2-135m"].size / 1e6)
    assert candidate.supports_lora


def test_gguf_path_footprint_and_lora_adds_the_adapter(tmp_path):
    gguf = tmp_path / "mine.Q4.gguf"
    gguf.write_bytes(b"GGUF" + b"\0" * 3_000_000)
    adapter = tmp_path / "a.gguf"
    adapter.write_bytes(b"\0" * 500_000)
    candidate = catalog_candidate(gguf)
    assert candidate.name == "mine.Q4"
    assert candidate.footprint_mb == pytest.approx(3.000004)
    assert candidate.footprint_with(adapter) == pytest.approx(3.500004)


def test_unknown_sizes_sort_last():
    assert catalog_candidate("/nowhere/model.gguf").footprint_mb == math.inf
    assert model_candidate("remote", always(AIMessage(content="x"))).footprint_mb == math.inf


def test_resolve_accepts_names_paths_candidates_and_a_mapping(tmp_path):
    fake = always(AIMessage(content="x"))
    mixed = resolve_candidates(["smollm2-135m", Candidate("c", 1.0, model=fake)])
    assert [c.name for c in mixed] == ["smollm2-135m", "c"]
    mapped = resolve_candidates({"mine": fake, "small": "smollm2-135m"})
    assert [(c.name, c.source) for c in mapped] == [("mine", "user"), ("small", "smollm2-135m")]
    with pytest.raises(PipelineError, match="unsupported candidate"):
        resolve_candidates([42])  # type: ignore[list-item]
    with pytest.raises(PipelineError, match="needs a name"):
        resolve_candidates([fake])  # type: ignore[list-item]


def test_user_models_are_used_as_is_and_never_freed():
    fake = always(AIMessage(content="x"))
    candidate = model_candidate("mine", fake, footprint_mb=5)
    assert load_candidate(candidate) is fake
    release_candidate(candidate, fake)  # nothing to free: must not touch the model
    assert fake.invoke("hi").text == "x"
    with pytest.raises(PipelineError, match="LoRA"):
        load_candidate(candidate, lora=Path("a.gguf"))


def test_a_missing_gguf_fails_every_cluster_but_not_the_stage():
    examples = [weather_example("e0", "Paris"), weather_example("e1", "Rome")]
    result = select(
        clustering({0: examples[:1], 1: examples[1:]}),
        examples,
        ["/nowhere/model.gguf"],
        modes=("zero-shot",),
        progress=False,
    )
    assert [(s.cluster_id, s.errors) for s in result.scores] == [(0, 1), (1, 1)]
    assert "no such model file" in result.scores[0].details["load_error"]
    assert [s.tier for s in result.selections] == ["llm", "llm"]
