"""Choosing the next token: llama.cpp's sampler chain plus a cheap grammar check.

``Llama.generate`` rebuilds its sampler each call and always runs the grammar over
the whole vocabulary, which on 2 cores costs ~15 ms per token for SmolLM2's 49k
tokens (more than the forward pass) and 3x that for Qwen's 152k. llama.cpp's own
server avoids this: it samples *without* the grammar, asks the grammar whether that
one token is allowed (almost always, inside JSON strings and numbers), and only on a
refusal masks the full vocabulary and samples again. :class:`TokenSampler` does the
same through the public C API, which also lets it hold a grammar for just one phase
of a response and read each token's log-probability from the logits it already has.
"""

from __future__ import annotations

import ctypes
from types import TracebackType
from typing import Any

import numpy as np
import numpy.typing as npt

from hetero_agents._extras import require
from hetero_agents.chat_models._plan import SamplingParams
from hetero_agents.errors import HeteroAgentsError

_TOKEN_DATA = np.dtype([("id", np.int32), ("logit", np.float32), ("p", np.float32)], align=True)

#: llama.cpp's default DRY sequence breakers: a repeat never spans these, so quoted
#: speech and markup in free text may recur freely while runaway phrases are penalised.
_DRY_BREAKERS = (b"\n", b":", b'"', b"*")

#: The breakers under a grammar: the same, less the double quote. In JSON every
#: string item starts and ends with one, so with it as a breaker DRY sees each item
#: of ``["Mike Brown", "Mike Brown", ...]`` as a fresh sequence and cannot stop a
#: small model repeating it until the array bound or ``max_tokens`` (a truncated
#: call is no call). Quotes need no protection here: where the grammar forces a
#: token a penalty cannot change it. The colon stays a breaker, so the first token
#: of a key's value is never penalised for following the same key as before (the
#: same tool called twice in parallel calls still gets to pick its name freely).
_DRY_BREAKERS_CONSTRAINED = (b"\n", b":", b"*")


class GrammarDeadEndError(HeteroAgentsError, RuntimeError):
    """The grammar allowed no token at all (a bug in the grammar, never the model's fault)."""


def log_softmax_at(logits: npt.NDArray[np.float32], token: int) -> float:
    """Log-probability of ``token`` under the softmax of ``logits`` (numerically stable)."""
    peak = float(logits.max())
    return float(logits[token]) - peak - float(np.log(np.exp(logits - peak).sum()))


class TokenSampler:
    """A llama.cpp sampler chain with an optional grammar, for one generation phase.

    Not thread-safe and not reusable across generations: build one per phase, under
    the model's lock, and close it (it owns C memory).

    Args:
        llama: The ``llama_cpp.Llama`` whose vocabulary the grammar is compiled for.
        params: Sampling settings.
        grammar: GBNF text (root rule ``root``) or ``None`` for free text.
    """

    def __init__(self, llama: Any, params: SamplingParams, grammar: str | None = None) -> None:
        self._lib = require("llama_cpp", "local")
        self._n_vocab = int(llama.n_vocab())
        self._params = params
        self._chain: Any = None
        self._grammar: Any = None
        vocab = self._lib.llama_model_get_vocab(llama.model)
        if grammar is not None:
            self._grammar = self._lib.llama_sampler_init_grammar(
                vocab, grammar.encode("utf-8"), b"root"
            )
            if not self._grammar:
                raise ValueError("llama.cpp rejected the generated grammar:\n" + grammar)
        if not params.is_plain_greedy:
            self._chain = self._build_chain(vocab)
        # Scratch buffers, allocated once per phase rather than once per token.
        self._ids = np.arange(self._n_vocab, dtype=np.int32)
        self._full = np.zeros(self._n_vocab, dtype=_TOKEN_DATA)
        self._one = np.zeros(1, dtype=_TOKEN_DATA)

    def _build_chain(self, vocab: Any) -> Any:
        lib, p = self._lib, self._params
        chain = lib.llama_sampler_chain_init(lib.llama_sampler_chain_default_params())
        if p.repeat_penalty != 1.0:
            lib.llama_sampler_chain_add(
                chain, lib.llama_sampler_init_penalties(self._n_vocab, 64, p.repeat_penalty, 0, 0)
            )
        if p.dry_multiplier > 0:
            kept = _DRY_BREAKERS_CONSTRAINED if self._grammar is not None else _DRY_BREAKERS
            breakers = (ctypes.c_char_p * len(kept))(*kept)
            lib.llama_sampler_chain_add(
                chain,
                lib.llama_sampler_init_dry(
                    vocab, p.dry_multiplier, 1.75, 2, 256, breakers, len(kept)
                ),
            )
        if p.temperature <= 0:
            lib.llama_sampler_chain_add(chain, lib.llama_sampler_init_greedy())
        else:
            seed = 0xFFFFFFFF if p.seed is None else p.seed & 0xFFFFFFFF  # LLAMA_DEFAULT_SEED
            lib.llama_sampler_chain_add(chain, lib.llama_sampler_init_top_k(p.top_k))
            lib.llama_sampler_chain_add(chain, lib.llama_sampler_init_top_p(p.top_p, 1))
            lib.llama_sampler_chain_add(chain, lib.llama_sampler_init_min_p(p.min_p, 1))
            lib.llama_sampler_chain_add(chain, lib.llama_sampler_init_temp(p.temperature))
            lib.llama_sampler_chain_add(chain, lib.llama_sampler_init_dist(seed))
        return chain

    def _view(self, buffer: npt.NDArray[Any]) -> Any:
        return self._lib.llama_token_data_array(
            data=ctypes.cast(buffer.ctypes.data, self._lib.llama_token_data_p),
            size=len(buffer),
            selected=-1,
            sorted=False,
        )

    def _pick(self, logits: npt.NDArray[np.float32], *, with_grammar: bool) -> int:
        if not with_grammar and self._chain is None:
            return int(logits.argmax())
        full = self._full
        full["id"] = self._ids
        full["logit"] = logits
        view = self._view(full)
        if with_grammar:
            self._lib.llama_sampler_apply(self._grammar, ctypes.byref(view))
        if self._chain is None:
            index = int(full["logit"].argmax())
        else:
            self._lib.llama_sampler_apply(self._chain, ctypes.byref(view))
            index = int(view.selected)
        if with_grammar and not np.isfinite(full["logit"][index]):
            raise GrammarDeadEndError("the grammar allows no next token; please report this")
        return int(full["id"][index])

    def _grammar_allows(self, token: int) -> bool:
        one = self._one
        one["id"][0] = token
        one["logit"][0] = 0.0
        self._lib.llama_sampler_apply(self._grammar, ctypes.byref(self._view(one)))
        return bool(np.isfinite(one["logit"][0]))

    def sample(self, logits: npt.NDArray[np.float32]) -> int:
        """Pick the next token from the last position's ``logits`` and record it."""
        token = self._pick(logits, with_grammar=False)
        if self._grammar is not None:
            if not self._grammar_allows(token):
                token = self._pick(logits, with_grammar=True)
            self._lib.llama_sampler_accept(self._grammar, token)
        if self._chain is not None:
            self._lib.llama_sampler_accept(self._chain, token)
        return token

    def close(self) -> None:
        """Free the C samplers (idempotent)."""
        for name in ("_chain", "_grammar"):
            sampler = getattr(self, name)
            if sampler:
                self._lib.llama_sampler_free(sampler)
            setattr(self, name, None)

    def __enter__(self) -> TokenSampler:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
