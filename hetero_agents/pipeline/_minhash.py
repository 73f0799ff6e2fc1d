"""MinHash signatures of texts, vectorised, in time linear in the total text length.

The signature is *one-permutation hashing* (Li, Owen & Zhang 2012) with
rotation densification (Shrivastava & Li 2014): every character shingle of a
text is hashed once, the hash's top bits pick one of ``bins`` bins and its low
32 bits compete for that bin's minimum; a bin no shingle fell into borrows the
minimum of the next non-empty bin to its right, mixed with the distance. The
fraction of equal bins of two signatures estimates the Jaccard similarity of
the two shingle sets (standard error about ``sqrt(J(1 - J) / bins)``, 0.027 at
J = 0.9 with 128 bins). Classic MinHash costs ``bins`` hash evaluations per
shingle; this costs one, and runs as a handful of numpy operations over a whole
chunk of texts at once rather than a Python loop over shingles.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

SHINGLE = 5
"""Shingle length in bytes of UTF-8 (characters, for ASCII text)."""

BINS = 128
"""Signature length; a power of two so that the top hash bits pick the bin."""

_EMPTY = np.uint32(0xFFFFFFFF)
_MIX1 = np.uint64(0xFF51AFD7ED558CCD)
_MIX2 = np.uint64(0xC4CEB9FE1A85EC53)
_GOLDEN = np.uint64(0x9E3779B1)
_BASE = np.uint64(1_000_003)
_CHUNK_BYTES = 4_000_000


def signatures(
    texts: Sequence[str], *, bins: int = BINS, shingle: int = SHINGLE
) -> NDArray[np.uint32]:
    """The ``(len(texts), bins)`` MinHash signatures of ``texts``.

    Texts shorter than one shingle are padded with spaces, so every text has at
    least one shingle (two such texts are equal only if the texts are).

    Raises:
        ValueError: ``bins`` is not a power of two, or ``shingle`` is below 1.
    """
    if bins < 2 or bins & (bins - 1) or bins > 1 << 16:
        raise ValueError(f"bins must be a power of two between 2 and 65536, got {bins}")
    if shingle < 1:
        raise ValueError(f"shingle must be at least 1, got {shingle}")
    out = np.empty((len(texts), bins), dtype=np.uint32)
    start = 0
    while start < len(texts):
        stop, size = start, 0
        while stop < len(texts) and (stop == start or size < _CHUNK_BYTES):
            size += len(texts[stop]) + shingle
            stop += 1
        out[start:stop] = _chunk(texts[start:stop], bins, shingle)
        start = stop
    return out


def similarity(signature: NDArray[np.uint32], others: NDArray[np.uint32]) -> NDArray[np.float64]:
    """Estimated Jaccard similarity of one signature to each row of ``others``."""
    result: NDArray[np.float64] = (others == signature).mean(axis=-1)
    return result


def _chunk(texts: Sequence[str], bins: int, shingle: int) -> NDArray[np.uint32]:
    encoded = [text.encode("utf-8").ljust(shingle) for text in texts]
    lengths = np.fromiter((len(data) for data in encoded), dtype=np.int64, count=len(encoded))
    data = np.frombuffer(b"".join(encoded), dtype=np.uint8).astype(np.uint64)
    # Polynomial hash of every window of `shingle` bytes (windows crossing two texts
    # are computed too and simply never selected below).
    n_windows = data.size - shingle + 1
    hashes = np.zeros(n_windows, dtype=np.uint64)
    for offset in range(shingle):
        hashes = hashes * _BASE + data[offset : offset + n_windows]
    hashes = _fmix64(hashes)
    counts = lengths - shingle + 1
    text_starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    window_starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    owner = np.repeat(np.arange(len(texts), dtype=np.int64), counts)
    positions = np.arange(int(counts.sum()), dtype=np.int64) + np.repeat(
        text_starts - window_starts, counts
    )
    selected = hashes[positions]
    bits = bins.bit_length() - 1
    bin_of = (selected >> np.uint64(64 - bits)).astype(np.int64)
    values = (selected & np.uint64(0xFFFFFFFF)).astype(np.uint32)
    signature = np.full(len(texts) * bins, _EMPTY, dtype=np.uint32)
    np.minimum.at(signature, owner * bins + bin_of, values)
    return _densify(signature.reshape(len(texts), bins))


def _densify(signature: NDArray[np.uint32]) -> NDArray[np.uint32]:
    """Fill empty bins from the next non-empty bin to the right (circularly)."""
    empty = signature == _EMPTY
    if not empty.any():
        return signature
    bins = signature.shape[1]
    doubled = np.concatenate((signature, signature), axis=1)
    index = np.where(np.concatenate((~empty, ~empty), axis=1), np.arange(2 * bins), 2 * bins)
    nearest = np.minimum.accumulate(index[:, ::-1], axis=1)[:, ::-1][:, :bins]
    nearest = np.minimum(nearest, 2 * bins - 1)  # rows with no shingle at all (none exist)
    borrowed = np.take_along_axis(doubled, nearest, axis=1).astype(np.uint64)
    distance = (nearest - np.arange(bins)).astype(np.uint64)
    mixed = ((borrowed + distance * _GOLDEN) & np.uint64(0xFFFFFFFF)).astype(np.uint32)
    return np.where(empty, mixed, signature)


def _fmix64(values: NDArray[np.uint64]) -> NDArray[np.uint64]:
    """MurmurHash3's 64-bit finaliser: spreads the polynomial hash over all bits."""
    values = values ^ (values >> np.uint64(33))
    values = values * _MIX1
    values = values ^ (values >> np.uint64(33))
    values = values * _MIX2
    return values ^ (values >> np.uint64(33))


__all__ = ["BINS", "SHINGLE", "signatures", "similarity"]
