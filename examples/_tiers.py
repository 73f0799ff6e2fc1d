"""Shared setup of the routing examples: an SLM in-process and an LLM tier.

The LLM is any OpenAI-compatible endpoint when ``--llm-base-url`` (or
``OPENAI_API_KEY``) is given; otherwise a larger local model stands in for it, so
the examples run offline on a laptop.
"""

from __future__ import annotations

import argparse
import os

from langchain_core.language_models import BaseChatModel

from hetero_agents.models import load_model


def add_tier_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--slm", default="smollm2-135m", help="catalog name or .gguf path")
    parser.add_argument(
        "--llm-local",
        default="qwen2.5-coder-0.5b",
        help="local stand-in for the LLM when no endpoint is given",
    )
    parser.add_argument("--llm-base-url", default=os.environ.get("OPENAI_BASE_URL"))
    parser.add_argument("--llm-model", default="gpt-4o-mini")
    parser.add_argument("--threads", type=int, default=None, help="llama.cpp threads")


def build_tiers(args: argparse.Namespace) -> tuple[BaseChatModel, BaseChatModel]:
    """``(slm, llm)`` as the command line asks."""
    slm = load_model(args.slm, n_threads=args.threads, temperature=0.0, max_tokens=256)
    if args.llm_base_url or os.environ.get("OPENAI_API_KEY"):
        from langchain_openai import ChatOpenAI

        llm: BaseChatModel = ChatOpenAI(
            model=args.llm_model, base_url=args.llm_base_url, temperature=0.0
        )
    else:
        llm = load_model(args.llm_local, n_threads=args.threads, temperature=0.0, max_tokens=256)
    return slm, llm


def slm_name(model: BaseChatModel) -> str:
    """The name the router records for an SLM: its model name when it has one."""
    name = getattr(model, "model_name", None)
    return name if isinstance(name, str) and name else "slm"
