"""The tail every ``with_structured_output`` shares: parse, and optionally keep the raw reply.

Both ``ChatLlamaCpp`` and ``ChatRouter`` build their structured-output runnables from a bound
model and a parser; LangChain's convention for ``include_raw=True`` (a dict of ``raw``,
``parsed`` and ``parsing_error``, never an exception) lives here once.
"""

from __future__ import annotations

from operator import itemgetter
from typing import Any

from langchain_core.output_parsers import BaseOutputParser
from langchain_core.runnables import Runnable, RunnableMap, RunnablePassthrough


def with_parser(
    bound: Runnable[Any, Any], parser: BaseOutputParser[Any], *, include_raw: bool
) -> Runnable[Any, Any]:
    """``bound | parser``; with ``include_raw``, a parse failure lands in ``parsing_error``."""
    if not include_raw:
        return bound | parser
    parse = RunnablePassthrough.assign(
        parsed=itemgetter("raw") | parser, parsing_error=lambda _: None
    )
    no_parse = RunnablePassthrough.assign(parsed=lambda _: None)
    return RunnableMap(raw=bound) | parse.with_fallbacks([no_parse], exception_key="parsing_error")
