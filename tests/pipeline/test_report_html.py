"""The HTML report: one well-formed, offline, injection-proof document with the right numbers."""

from __future__ import annotations

import dataclasses
import math
import os
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from importlib import resources

import pytest
from report_fakes import CREATED, SPEC, clustering, comparison, example, report_data

from hetero_agents.errors import PipelineError
from hetero_agents.pipeline._report_charts import LLM_COLOUR, SLM_COLOUR
from hetero_agents.pipeline.records import CandidateScore, Cluster, Clustering, Selection
from hetero_agents.pipeline.report import build_report_data, render_html, write_report

VOID = {"meta", "br", "hr", "img", "input", "link", "col", "area", "base", "source", "wbr"}
SECTIONS = ("savings", "map", "clusters", "agreement", "curve", "drift", "method")
CALLS, SLM_CALLS = 11, 8


class Document(HTMLParser):
    """Parses a page, checking that every element closes in order, and keeps what it saw."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str, str | None]] = []
        self.ids: list[str] = []
        self.text: list[str] = []
        self.doctype = ""
        self.feed(page)
        self.close()

    def handle_decl(self, decl: str) -> None:
        self.doctype = decl

    def handle_starttag(self, tag, attrs):
        self.tags.append(f"svg:{tag}" if "svg" in self.stack else tag)  # SVG <title>s apart
        self.attrs += [(tag, name, value) for name, value in attrs]
        self.ids += [value for name, value in attrs if name == "id" and value]
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags.append(f"svg:{tag}" if "svg" in self.stack else tag)
        self.attrs += [(tag, name, value) for name, value in attrs]

    def handle_endtag(self, tag):
        assert self.stack, f"</{tag}> closes nothing"
        assert self.stack[-1] == tag, f"</{tag}> closes <{self.stack[-1]}>"
        self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)


def parse(page: str) -> Document:
    doc = Document(page)
    assert doc.stack == [], f"unclosed elements: {doc.stack}"
    assert doc.doctype.lower() == "doctype html"
    assert [doc.tags.count(t) for t in ("html", "head", "body", "title")] == [1, 1, 1, 1]
    return doc


def svgs(page: str) -> list[ET.Element]:
    """Every inline SVG, parsed as XML (so each must be well-formed on its own)."""
    return [ET.fromstring(match) for match in re.findall(r"<svg\b.*?</svg>", page, re.S)]


def text_of(page: str) -> str:
    return " ".join(parse(page).text)


def test_a_full_report_is_one_well_formed_document_with_every_section():
    page = render_html(report_data(comparison=comparison()))
    doc = parse(page)
    assert set(SECTIONS) | {"comparison"} <= set(doc.ids)
    charts = svgs(page)
    assert len(charts) == 1 + 3 + 1  # the map, one bar chart per cluster, the curve
    assert all(chart.tag == "svg" for chart in charts)


def test_headline_numbers_match_the_records():
    text = text_of(render_html(report_data()))
    llm_ms = (4 * 1000 + 2 * 3000 + 4 * 500 + 800) / CALLS
    routed_ms = (4 * 200 + 2 * 3000 + 4 * 300 + 800) / CALLS
    tokens, slm_tokens = 4 * 120 + 2 * 400 + 4 * 60 + 10, 4 * 120 + 4 * 60
    expected = [
        f"{SLM_CALLS / CALLS * 100:.1f}%",
        f"({SLM_CALLS} of {CALLS})",
        f"{slm_tokens / tokens * 100:.1f}%",
        f"${4 * 0.01 + 4 * 0.002:.4f}",  # cost saved
        f"${2 * 0.03 + 0.001:.4f} routed",
        f"{llm_ms - routed_ms:,.0f} ms",
        f"{llm_ms:,.0f} ms LLM",
        "2 of 3",
        "priced at $0 per token",
    ]
    for figure in expected:
        assert figure in text, figure


def test_comparison_table_shows_both_runs():
    text = text_of(render_html(report_data(comparison=comparison())))
    for figure in [
        "90.0%",
        "87.5%",
        f"{0.875 / 0.9 * 100:.1f}% of LLM-only success retained",
        "53,000",
        "55,100",
        "$0.5000",
        "$0.2000",
        "-60.0%",
        "4.20 s",
        "2.10 s",
        f"{80 / 118 * 100:.1f}%",
        "40 held-out tasks, seed 0",
    ]:
        assert figure in text, figure
    assert "comparison" not in parse(render_html(report_data())).ids


def test_map_circles_have_area_proportional_to_size_and_tier_colours():
    page = render_html(report_data())
    chart = svgs(page)[0]
    circles = {c.findtext("title").split(" ")[0]: c for c in chart.iter("circle")}
    assert set(circles) == {"#0", "#1", "#2"}
    radius = {key: float(c.get("r")) for key, c in circles.items()}
    assert radius["#1"] ** 2 / radius["#0"] ** 2 == pytest.approx(2 / 4, rel=0.01)
    assert radius["#0"] == radius["#2"]
    assert [circles[k].get("fill") for k in ("#0", "#1", "#2")] == [
        SLM_COLOUR,
        LLM_COLOUR,
        SLM_COLOUR,
    ]


def test_agreement_bars_mark_the_required_level_and_every_candidate():
    chart = svgs(render_html(report_data()))[1]  # cluster 0: three candidates x modes
    bars = [r for r in chart.iter("rect") if r.find("title") is not None]
    assert len(bars) == 3
    assert {b.get("fill") for b in bars if "few-shot" in b.findtext("title")} == {SLM_COLOUR}
    assert "required 95%" in "".join(chart.itertext())
    assert len([line for line in chart.iter("line") if line.get("class") == "required"]) == 1


def test_curve_marks_the_chosen_operating_point():
    chart = svgs(render_html(report_data()))[-1]
    chosen = [c for c in chart.iter("circle") if c.get("class") == "chosen"]
    assert len(chosen) == 1
    quality = 1 - 4 * 0.04 / CALLS
    assert f"{SLM_CALLS / CALLS:.1%} of calls on SLMs" in chosen[0].findtext("title")
    assert f"expected agreement {quality:.1%}" in chosen[0].findtext("title")
    points = chart.find("polyline").get("points").split()
    assert len(points) == 4  # the start and one point per scored cluster


def test_malicious_labels_are_text_not_markup():
    evil = (
        '<script>alert("x")</script><img src="https://evil.example/p.png" onerror="alert(1)">'
        " & ]]> \x07bell"
    )
    labels = [evil, "plain", "<b>bold</b>"]
    page = render_html(
        report_data(
            clustering=clustering(labels),
            title="<i>title</i>",
            selections=[Selection(0, "llm", '<a href="http://x">reason</a>', 0.95)],
            scores=[],
        )
    )
    doc = parse(page)
    assert not {"script", "img", "i", "b"} & {tag.removeprefix("svg:") for tag in doc.tags}
    assert all(name != "onerror" for _, name, _ in doc.attrs)
    assert [t for t, name, _ in doc.attrs if name == "href" and t == "a"] == [
        "a" for _ in SECTIONS
    ]  # only the navigation's links
    assert evil.replace("\x07", "") in " ".join(doc.text)
    assert "<i>title</i>" in " ".join(doc.text)
    svgs(page)  # still well-formed XML despite "]]>" and a control character


def test_nothing_is_loaded_from_anywhere():
    page = render_html(report_data(comparison=comparison()))
    doc = parse(page)
    tags = {tag.removeprefix("svg:") for tag in doc.tags}
    assert not {"script", "link", "img", "iframe", "object", "image", "use"} & tags
    for _tag, name, value in doc.attrs:
        assert name not in {"src", "srcset", "action", "xlink:href"}
        if name == "href":
            assert value.startswith("#"), value
    style = re.search(r"<style>(.*?)</style>", page, re.S).group(1)
    assert "url(" not in style
    assert "@import" not in style
    assert not re.search(r"https?://", page)


@pytest.mark.parametrize("empty", ["none", "no clusters"])
def test_an_empty_clustering_still_renders_every_section(empty):
    base = clustering()
    cl = None if empty == "none" else Clustering([], {}, {}, base.embedder, 4, "1")
    data = build_report_data(cl, examples=[], created_utc=CREATED)
    page = render_html(data)
    doc = parse(page)
    assert set(SECTIONS) <= set(doc.ids)
    assert svgs(page) == []
    assert "No clusters yet" in " ".join(doc.text)


def test_one_cluster_with_one_call():
    import numpy as np

    cluster = Cluster(0, "only task", np.ones(4, dtype=np.float32) / 2, 0.3, 1, call_ids=("a",))
    cl = Clustering([cluster], {"a": 0}, {"a": 0.0}, "hashing", 4, "1")
    score = CandidateScore(0, "smollm2-135m", "zero-shot", 1, 1.0, 1.0, 50.0, 98.0, "text")
    selection = Selection(0, "slm", "passes", 0.9, "smollm2-135m", "zero-shot", score=1.0)
    data = build_report_data(
        cl,
        scores=[score],
        selections=[selection],
        examples=[example("a", 10, 5, 0.001, 700.0)],
        created_utc=CREATED,
    )
    page = render_html(data)
    text = " ".join(parse(page).text)
    assert "100.0%" in text
    assert "(1 of 1)" in text
    assert "$0.0010" in text
    chart = svgs(page)[0]
    (circle,) = chart.iter("circle")
    width, height = (float(v) for v in chart.get("viewBox").split()[2:])
    assert (float(circle.get("cx")), float(circle.get("cy"))) == (width / 2, height / 2)
    assert len(svgs(page)[-1].find("polyline").get("points").split()) == 2


def test_write_report_is_atomic_and_complete(tmp_path):
    data = report_data()
    target = tmp_path / "deep" / "dir" / "report.html"
    written = write_report(data, target)
    assert written == target.resolve()
    assert written.read_text(encoding="utf-8") == render_html(data)
    assert os.listdir(target.parent) == ["report.html"]  # no temp file left behind


def test_a_failed_write_keeps_the_old_report_and_leaves_no_temp_file(tmp_path, monkeypatch):
    target = tmp_path / "report.html"
    target.write_text("old report", encoding="utf-8")

    def refuse(*_args, **_kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(PipelineError, match="could not write the report"):
        write_report(report_data(), target)
    assert target.read_text(encoding="utf-8") == "old report"
    assert os.listdir(tmp_path) == ["report.html"]


def test_writing_onto_a_directory_is_a_clear_error(tmp_path):
    with pytest.raises(PipelineError, match="choose a writable path"):
        write_report(report_data(), tmp_path)


def test_the_template_ships_inside_the_package():
    template = resources.files("hetero_agents.pipeline").joinpath("report_template.html")
    assert template.is_file()
    assert "$body" in template.read_text(encoding="utf-8")


def test_bar_lengths_follow_accuracy():
    chart = svgs(render_html(report_data()))[3]  # cluster 2: smollm2 0.90, qwen 0.96
    widths = {
        b.findtext("title").split(" ")[0]: float(b.get("width"))
        for b in chart.iter("rect")
        if b.find("title") is not None
    }
    assert widths["qwen2.5-coder-0.5b"] / widths["smollm2-135m"] == pytest.approx(
        0.96 / 0.9, rel=0.01
    )
    assert not math.isnan(sum(widths.values()))
    assert SPEC[2][0] in "".join(svgs(render_html(report_data()))[0].itertext())


def test_report_data_from_store_reads_the_latest_runs(tmp_path):
    from hetero_agents.logs import LogStore
    from hetero_agents.pipeline.report import report_data_from_store
    from hetero_agents.pipeline.store import PipelineStore

    expected = report_data()
    store = PipelineStore(LogStore(tmp_path / "logs.db"))
    with store.run("curate") as run:
        store.save_examples(run.id, list(expected.examples))
    with store.run("cluster") as run:
        store.save_clustering(run.id, expected.clustering)
    with store.run("select") as run:
        store.save_scores(run.id, list(expected.scores))
        store.save_selections(run.id, list(expected.selections))
    with store.run("drift") as run:
        store.save_drift(run.id, list(expected.drift))

    loaded = dataclasses.replace(report_data_from_store(store), created_utc=CREATED)
    assert render_html(loaded) == render_html(expected)


def test_a_crowded_map_labels_only_the_largest_clusters():
    import numpy as np

    from hetero_agents.pipeline._report_charts import MAP_LABELS

    rng = np.random.default_rng(1)
    clusters = [
        Cluster(k, f"task {k}", rng.normal(size=4).astype(np.float32), 0.3, size=k + 1)
        for k in range(MAP_LABELS + 10)
    ]
    data = build_report_data(Clustering(clusters, {}, {}, "h", 4, "1"), created_utc=CREATED)
    chart = svgs(render_html(data))[0]
    labels = [t.text for t in chart.iter("text") if t.text and t.text.startswith("#")]
    assert len(labels) == MAP_LABELS
    assert {label.split()[0] for label in labels} == {f"#{k}" for k in range(10, MAP_LABELS + 10)}
    assert len(list(chart.iter("circle"))) == MAP_LABELS + 10
