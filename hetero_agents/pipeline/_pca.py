"""Two-dimensional PCA of a few vectors (cluster centroids), for the report's map.

Plain numpy SVD: the report needs it for tens of centroids, not a library.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import ArrayLike, NDArray


def pca_2d(vectors: ArrayLike) -> tuple[NDArray[np.float64], tuple[float, float]]:
    """Project ``vectors`` (one per row) on their first two principal components.

    With three or fewer vectors the projection is exact (any three points lie in
    a plane), so distances on the map are the true distances between centroids.
    Each axis's sign is fixed (its largest loading positive) so the map does not
    mirror between two runs on the same data.

    Returns:
        The ``(n, 2)`` coordinates (zeros on an axis the data does not span) and
        the share of the variance each axis explains.
    """
    import numpy as np  # here, not at import: the report's other figures need no numpy

    data = np.asarray(vectors, dtype=np.float64)
    if data.ndim != 2:
        raise ValueError(f"expected one vector per row, got an array of shape {data.shape}")
    coords = np.zeros((data.shape[0], 2))
    if data.shape[0] == 0:
        return coords, (0.0, 0.0)
    centred = data - data.mean(axis=0)
    u, s, vt = np.linalg.svd(centred, full_matrices=False)
    n_axes = min(2, s.shape[0])
    for axis in range(n_axes):
        if vt[axis, np.argmax(np.abs(vt[axis]))] < 0:
            u[:, axis] = -u[:, axis]
    coords[:, :n_axes] = u[:, :n_axes] * s[:n_axes]
    variance = s**2
    total = float(variance.sum())
    shares = [float(v) / total if total > 0 else 0.0 for v in variance[:2]]
    shares += [0.0] * (2 - len(shares))
    return coords, (shares[0], shares[1])
