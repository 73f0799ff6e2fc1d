"""The report's arithmetic, checked against figures worked out by hand (see report_fakes)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from report_fakes import QWEN, clustering, report_data, selections

from hetero_agents.errors import PipelineError
from hetero_agents.pipeline._pca import pca_2d
from hetero_agents.pipeline.records import Selection
from hetero_agents.pipeline.report import report_figures

CALLS = 4 + 2 + 4 + 1  # three clusters and one unclustered call
SLM_CALLS = 4 + 4  # clusters 0 and 2


def test_shares_of_calls_and_tokens_moved():
    savings = report_figures(report_data()).savings
    tokens = 4 * 120 + 2 * 400 + 4 * 60 + 10
    assert (savings.calls, savings.slm_calls) == (CALLS, SLM_CALLS)
    assert savings.call_share == pytest.approx(SLM_CALLS / CALLS)
    assert (savings.tokens, savings.slm_tokens) == (tokens, 4 * 120 + 4 * 60)
    assert savings.token_share == pytest.approx((4 * 120 + 4 * 60) / tokens)


def test_cost_saved_prices_local_models_at_zero_by_default():
    savings = report_figures(report_data()).savings
    llm_cost = 4 * 0.01 + 2 * 0.03 + 4 * 0.002 + 0.001
    assert savings.llm_cost_usd == pytest.approx(llm_cost)
    assert savings.cost_saved_usd == pytest.approx(4 * 0.01 + 4 * 0.002)
    assert savings.routed_cost_usd == pytest.approx(2 * 0.03 + 0.001)


def test_an_slm_price_is_charged_on_the_moved_tokens():
    savings = report_figures(report_data(slm_usd_per_mtok=10.0)).savings
    moved_tokens = 4 * 120 + 4 * 60
    assert savings.cost_saved_usd == pytest.approx(4 * 0.01 + 4 * 0.002 - moved_tokens * 10 / 1e6)


def test_latency_uses_the_chosen_candidates_measured_time():
    savings = report_figures(report_data()).savings
    llm_ms = (4 * 1000 + 2 * 3000 + 4 * 500 + 800) / CALLS
    routed_ms = (4 * 200 + 2 * 3000 + 4 * 300 + 800) / CALLS  # qwen few-shot 200, zero-shot 300
    assert savings.llm_latency_ms == pytest.approx(llm_ms)
    assert savings.routed_latency_ms == pytest.approx(routed_ms)
    assert savings.latency_saved_ms == pytest.approx(llm_ms - routed_ms)


def test_figures_not_recorded_are_none_not_zero():
    bare = [
        type(e)(e.call_id, e.text, e.messages, e.tools, e.response, e.split, e.group)
        for e in report_data().examples
    ]
    savings = report_figures(report_data(examples=bare)).savings
    assert savings.token_share is None
    assert savings.llm_cost_usd is None
    assert savings.cost_saved_usd is None
    assert savings.latency_saved_ms is None
    assert savings.call_share == pytest.approx(SLM_CALLS / CALLS)  # sizes still count


def test_rows_pair_each_cluster_with_its_chosen_and_best_score():
    rows = report_figures(report_data()).rows
    assert [row.cluster.id for row in rows] == [0, 1, 2]
    assert [row.on_slm for row in rows] == [True, False, True]
    assert (rows[0].chosen.candidate, rows[0].chosen.mode) == (QWEN, "few-shot")
    assert rows[1].chosen is None
    assert rows[2].best.accuracy == 0.96
    assert [s.mode for s in rows[0].scores if s.candidate == QWEN] == ["zero-shot", "few-shot"]
    assert report_figures(report_data()).unassigned == 1


def test_curve_moves_clusters_in_order_of_agreement():
    curve = report_figures(report_data()).curve
    # best agreement: cluster 0 = 1.0, cluster 2 = 0.96, cluster 1 = 0.5
    assert [p.cluster_id for p in curve] == [None, 0, 2, 1]
    assert [p.share_moved for p in curve] == pytest.approx([0, 4 / CALLS, 8 / CALLS, 10 / CALLS])
    expected_quality = [1.0, 1.0, 1 - 4 * 0.04 / CALLS, 1 - (4 * 0.04 + 2 * 0.5) / CALLS]
    assert [p.quality for p in curve] == pytest.approx(expected_quality)
    assert curve[-1].cost_saved_usd == pytest.approx(4 * 0.01 + 4 * 0.002 + 2 * 0.03)


def test_operating_point_is_where_the_selections_sit():
    point = report_figures(report_data()).operating_point
    assert point.share_moved == pytest.approx(SLM_CALLS / CALLS)
    assert point.quality == pytest.approx(1 - 4 * (1 - 0.96) / CALLS)


def test_pca_keeps_the_distances_between_three_centroids():
    rng = np.random.default_rng(7)
    vectors = rng.normal(size=(3, 16))
    coords, explained = pca_2d(vectors)
    for i, j in itertools.combinations(range(3), 2):
        assert np.linalg.norm(coords[i] - coords[j]) == pytest.approx(
            np.linalg.norm(vectors[i] - vectors[j])
        )
    assert sum(explained) == pytest.approx(1.0)


def test_pca_signs_follow_the_data_not_the_solver():
    rng = np.random.default_rng(3)
    vectors = rng.normal(size=(6, 8))
    a, _ = pca_2d(vectors)
    b, _ = pca_2d(-vectors)
    # the same loadings serve both, so mirrored data gives exactly the mirrored map
    assert np.allclose(a, -b)
    one, explained = pca_2d(vectors[:1])
    assert one.tolist() == [[0.0, 0.0]]
    assert explained == (0.0, 0.0)


def test_two_centroids_lie_on_the_first_axis():
    coords, explained = pca_2d(np.array([[1.0, 0.0], [0.0, 1.0]]))
    assert coords[:, 1] == pytest.approx([0.0, 0.0])
    assert abs(coords[0, 0] - coords[1, 0]) == pytest.approx(np.sqrt(2))
    assert explained == pytest.approx((1.0, 0.0))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"selections": [*selections(), Selection(9, "llm", "x", 0.9)]}, "cluster 9"),
        ({"selections": [*selections(), selections()[0]]}, "same cluster"),
        ({"slm_usd_per_mtok": -1.0}, "slm_usd_per_mtok"),
    ],
)
def test_records_that_do_not_belong_together_are_refused(change, message):
    with pytest.raises(PipelineError, match=message):
        report_data(**change)


def test_an_empty_clustering_gives_empty_figures():
    empty = clustering()
    empty = type(empty)([], {}, {}, empty.embedder, empty.dim, empty.text_version)
    figures = report_figures(report_data(clustering=empty, scores=[], selections=[], drift=[]))
    assert figures.rows == ()
    assert figures.positions == {}
    assert figures.unassigned == CALLS  # every curated call is outside any cluster
    assert figures.savings.call_share == 0.0
