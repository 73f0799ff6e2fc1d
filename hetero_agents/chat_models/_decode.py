"""The token loop: evaluate a prompt, then sample, yield and evaluate one token at a time.

Written against ``Llama``'s public low-level surface (``eval``, ``n_tokens``,
``input_ids``, ``ctx``, ``model``) instead of ``create_completion`` because the chat
model needs things that API cannot give together: a grammar for only part of a
response, the log-probability of each token without ``logits_all=True`` (which keeps
``n_ctx x n_vocab`` floats and slows every forward pass), text that streams per token
without re-detokenising the whole completion each step, and the ability to stop and
rewind mid-response.

The KV cache is reused across calls: the longest common prefix of the new prompt and
what the context already holds is kept, so a growing agent conversation only pays
for its new turns.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from hetero_agents._extras import require
from hetero_agents.chat_models._plan import SamplingParams
from hetero_agents.chat_models._sampling import TokenSampler, log_softmax_at

FinishReason = Literal["stop", "length"]


@dataclass(frozen=True, slots=True)
class Step:
    """One generated token.

    Attributes:
        token: The token id.
        piece: Its bytes (UTF-8, possibly part of a character).
        logprob: The raw model's log-probability of it.
    """

    token: int
    piece: bytes
    logprob: float


class LlamaDecoder:
    """Runs the token loop on one ``llama_cpp.Llama``. Callers must hold its lock.

    Args:
        llama: The loaded model.
    """

    def __init__(self, llama: Any) -> None:
        self._lib = require("llama_cpp", "local")
        self._llama = llama
        self._vocab = self._lib.llama_model_get_vocab(llama.model)
        self._n_vocab = int(llama.n_vocab())
        self._n_ctx = int(llama.n_ctx())
        model = llama.model
        # Recurrent state cannot be cut back to a prefix; such models re-read the prompt.
        self._partial_reuse = not (
            self._lib.llama_model_is_recurrent(model) or self._lib.llama_model_is_hybrid(model)
        )
        self._pieces: dict[int, bytes] = {}
        self._piece_buffer = ctypes.create_string_buffer(256)

    @property
    def n_ctx(self) -> int:
        """The context window in tokens."""
        return self._n_ctx

    def sampler(self, params: SamplingParams, grammar: str | None = None) -> TokenSampler:
        """A fresh sampler for one generation phase on this model."""
        return TokenSampler(self._llama, params, grammar)

    def tokenize(self, text: str, *, special: bool) -> list[int]:
        """Tokenise ``text`` without adding BOS (chat templates write their own)."""
        return list(self._llama.tokenize(text.encode("utf-8"), add_bos=False, special=special))

    def piece(self, token: int) -> bytes:
        """The bytes of one token (cached: the vocabulary never changes).

        Control tokens render as empty; they end turns and are never shown.
        """
        cached = self._pieces.get(token)
        if cached is None:
            buffer = self._piece_buffer
            n = self._lib.llama_token_to_piece(self._vocab, token, buffer, len(buffer), 0, False)
            if n < 0:  # the buffer was too small; -n is the size needed
                buffer = ctypes.create_string_buffer(-n)
                n = self._lib.llama_token_to_piece(self._vocab, token, buffer, -n, 0, False)
            cached = self._pieces[token] = buffer.raw[:n]
        return cached

    def _prime(self, prompt: Sequence[int]) -> None:
        """Make the context hold exactly ``prompt`` with fresh logits for its last token."""
        llama = self._llama
        keep = 0
        if self._partial_reuse and llama.n_tokens > 0:
            width = min(int(llama.n_tokens), len(prompt))
            cached = llama.input_ids[:width]
            differs = np.flatnonzero(cached != np.asarray(prompt[:width], dtype=cached.dtype))
            keep = int(differs[0]) if differs.size else width
            keep = min(keep, len(prompt) - 1)  # re-evaluate at least one token for logits
        if keep == 0:
            llama.reset()
        llama.n_tokens = keep  # ``eval`` drops the KV cells from here on
        llama.eval(prompt[keep:])

    def run(
        self,
        prompt: Sequence[int],
        sampler: TokenSampler,
        max_new_tokens: int,
        check: Callable[[], None],
    ) -> Generator[Step, None, None]:
        """Generate up to ``max_new_tokens`` tokens after ``prompt``.

        The caller stops early by closing the iterator; the last yielded token is
        then simply not evaluated, which leaves the context consistent. After normal
        exhaustion :attr:`finish_reason` says why generation ended.

        Args:
            prompt: Token ids; must be shorter than the context window.
            sampler: Picks each token (and applies any grammar).
            max_new_tokens: Budget for this call.
            check: Called before each token; raises to abort (timeout, cancellation).
        """
        self.finish_reason: FinishReason = "length"
        llama, lib = self._llama, self._lib
        check()
        self._prime(prompt)
        for _ in range(max_new_tokens):
            check()
            pointer = lib.llama_get_logits_ith(llama.ctx, -1)
            logits = np.ctypeslib.as_array(pointer, shape=(self._n_vocab,))
            token = sampler.sample(logits)
            if lib.llama_vocab_is_eog(self._vocab, token):
                self.finish_reason = "stop"
                return
            yield Step(token, self.piece(token), log_softmax_at(logits, token))
            if llama.n_tokens >= self._n_ctx:
                return  # the context is full: "length"
            llama.eval([token])
