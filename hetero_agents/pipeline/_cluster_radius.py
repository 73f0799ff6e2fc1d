"""Each cluster's radius: the cosine distance up to which the router trusts its decision.

The router sends a call to its nearest centroid's tier only if the call is
within that cluster's ``threshold``; farther calls are unlike anything S4
evaluated and go to the LLM. The radius is::

    threshold = clip(QUANTILE-th weighted quantile of member distances * MARGIN,
                     FLOOR, CEILING)

* :data:`QUANTILE` 0.95: cover what the cluster typically holds, but not its
  farthest 5 % (in k-means those are mostly calls on the border with another
  cluster, the ones S4's verdict fits least).
* :data:`MARGIN` 1.2: a quantile measured on the calls seen so far
  underestimates the spread of the calls to come; 20 % more radius.
* :data:`FLOOR` 0.1 (cosine similarity 0.9): a cluster of one text, or of
  identical texts, has radius 0 and would reject even a reworded copy.
* :data:`CEILING` 1.0: beyond it a call is orthogonal to the centroid and
  belongs to nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from numpy.typing import NDArray

QUANTILE = 0.95
MARGIN = 1.2
FLOOR = 0.1
CEILING = 1.0


def radius(distances: NDArray[np.float64], weights: NDArray[np.float64]) -> float:
    """The threshold of a cluster whose members lie at ``distances`` (see module doc)."""
    if len(distances) == 0:
        return FLOOR
    spread = weighted_quantile(distances, weights, QUANTILE) * MARGIN
    return float(min(max(spread, FLOOR), CEILING))


def weighted_quantile(values: NDArray[np.float64], weights: NDArray[np.float64], q: float) -> float:
    """The smallest value below or at which at least ``q`` of the total weight lies."""
    order = np.argsort(values, kind="stable")
    cumulative = np.cumsum(weights[order])
    position = int(np.searchsorted(cumulative, q * cumulative[-1], side="left"))
    return float(values[order][min(position, len(values) - 1)])


def cosine_distances(
    vectors: NDArray[np.float32], centroids: NDArray[np.float32], labels: NDArray[np.intp]
) -> NDArray[np.float64]:
    """Each vector's cosine distance to its own centroid (vectors and centroids unit)."""
    similarity = np.einsum("ij,ij->i", vectors, centroids[labels]).astype(np.float64)
    distances: NDArray[np.float64] = np.clip(1.0 - similarity, 0.0, 2.0)
    return distances
