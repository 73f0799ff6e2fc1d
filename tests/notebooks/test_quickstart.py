"""The quickstart notebook runs top to bottom on the tiny model, and is stored without outputs."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

NOTEBOOK = Path(__file__).parents[2] / "notebooks" / "quickstart.ipynb"


def test_the_notebook_is_stored_without_outputs() -> None:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code, "the quickstart has no code"
    for cell in code:
        assert cell.outputs == []
        assert cell.execution_count is None


@pytest.mark.model
@pytest.mark.timeout(900)
def test_the_notebook_runs_end_to_end(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from nbclient import NotebookClient

    monkeypatch.setenv("HETERO_AGENTS_NOTEBOOK_LLM", "smollm2-135m")
    monkeypatch.setenv("HETERO_AGENTS_NOTEBOOK_SLM", "smollm2-135m")
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(
        notebook,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    ).execute()
    text = "\n".join(
        output.get("text", "")
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
    )
    assert "calls logged" in text
    assert "artifact:" in text
    assert "'tier':" in text  # the router's decision is in the answer's metadata
    assert "report:" in text
