"""Readable names for clusters: distinctive words, dominant node and task, tools called.

Top terms are class-based tf-idf (c-TF-IDF): the texts of a cluster are read
as one document, a word's frequency in it is weighed against how common the
word is across all clusters, so words every cluster shares (the routing
text's ``system:`` / ``user:`` headers, "please", "calculate") sink and the
words that set a cluster apart rise. At most :data:`TEXTS_PER_CLUSTER`
distinct texts per cluster are read (a seeded sample): the words are stable
long before that, and labelling stays seconds at 100k calls.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from hetero_agents._extras import require

if TYPE_CHECKING:
    from numpy.typing import NDArray

TEXTS_PER_CLUSTER = 2000
TOP_TERMS = 5
TOP_TOOLS = 10
DOMINANT_SHARE = 0.5
"""A node or task names a cluster only if at least this share of its calls carry it."""

_HEADERS = frozenset({"system", "user", "tools"})
_WORD = r"(?u)\b[^\W\d_]\w+\b"  # two or more word characters, starting with a letter


def top_terms(
    texts: Sequence[str],
    labels: NDArray[np.intp],
    weights: NDArray[np.float64],
    n_clusters: int,
    *,
    seed: int,
) -> list[tuple[str, ...]]:
    """The :data:`TOP_TERMS` most distinctive words of each cluster, best first."""
    rows = _sample_rows(labels, n_clusters, seed)
    if len(rows) == 0:
        return [() for _ in range(n_clusters)]
    text = require("sklearn.feature_extraction.text", "pipeline")
    stop = sorted(text.ENGLISH_STOP_WORDS | _HEADERS)
    vectorizer = text.CountVectorizer(token_pattern=_WORD, stop_words=stop, lowercase=True)
    try:
        counts = vectorizer.fit_transform([texts[i] for i in rows])
    except ValueError:  # only stop words and numbers: nothing to name the clusters by
        return [() for _ in range(n_clusters)]
    membership = np.zeros((n_clusters, len(rows)))
    membership[labels[rows], np.arange(len(rows))] = weights[rows]
    per_cluster = np.asarray((counts.T @ membership.T).T)  # clusters x vocabulary
    scores = _c_tf_idf(per_cluster)
    vocabulary = vectorizer.get_feature_names_out()
    terms: list[tuple[str, ...]] = []
    for row in scores:
        best = np.argsort(-row, kind="stable")[:TOP_TERMS]
        terms.append(tuple(str(vocabulary[i]) for i in best if row[i] > 0))
    return terms


def dominant(values: Iterable[str | None]) -> str | None:
    """The most common value, if it covers :data:`DOMINANT_SHARE` of all (``None`` included)."""
    counter = Counter(values)
    total = sum(counter.values())
    counter.pop(None, None)
    if not counter:
        return None
    value, count = counter.most_common(1)[0]
    return value if count >= DOMINANT_SHARE * total else None


def answer_tools(responses: Iterable[Mapping[str, Any]]) -> tuple[str, ...]:
    """Tool names the recorded answers called, most frequent first."""
    counter: Counter[str] = Counter()
    for response in responses:
        data = response.get("data", response)
        for call in data.get("tool_calls") or ():
            name = call.get("name") if isinstance(call, Mapping) else None
            if isinstance(name, str) and name:
                counter[name] += 1
    return tuple(name for name, _ in counter.most_common(TOP_TOOLS))


def label(terms: Sequence[str], *, task: str | None, node: str | None, tools: Sequence[str]) -> str:
    """``"math-tutor · triangle, area, circle → calculate_area"`` (parts present only)."""
    words = ", ".join(terms[:3]) or "(no distinctive words)"
    named = f"{task or node} · {words}" if task or node else words
    return f"{named} → {', '.join(tools[:2])}" if tools else named


def _sample_rows(labels: NDArray[np.intp], n_clusters: int, seed: int) -> NDArray[np.intp]:
    rng = np.random.default_rng(seed)
    chosen: list[NDArray[np.intp]] = []
    for cluster in range(n_clusters):
        members = np.flatnonzero(labels == cluster)
        if len(members) > TEXTS_PER_CLUSTER:
            members = np.sort(rng.choice(members, TEXTS_PER_CLUSTER, replace=False))
        chosen.append(members)
    return np.concatenate(chosen) if chosen else np.zeros(0, dtype=np.intp)


def _c_tf_idf(per_cluster: NDArray[np.float64]) -> NDArray[np.float64]:
    """Term frequency per cluster x ``log(1 + mean words per cluster / word's total count)``."""
    words = per_cluster.sum(axis=1, keepdims=True)
    frequency = per_cluster / np.maximum(words, 1e-12)
    totals = per_cluster.sum(axis=0)
    idf = np.log1p(words.mean() / np.maximum(totals, 1e-12))
    scores: NDArray[np.float64] = frequency * idf
    return scores
