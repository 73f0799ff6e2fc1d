"""Evaluation tools: BFCL questions, BFCL-style AST matching, schema validity, text tool calls.

Used by the benchmarks, by the conversion pipeline (is the small model's call
the same as the large model's?) and by the demo (BFCL as a workload). All of it
is plain Python and JSON; ``jsonschema`` is imported only by
:class:`ToolCallValidator`, and the BFCL data comes from ``bfcl-eval`` when
it is asked for.
"""

from hetero_agents.evals.ast_match import (
    MATCH,
    MatchResult,
    MismatchKind,
    ast_match,
    calls_match,
    check_call,
)
from hetero_agents.evals.bfcl import (
    BFCL_INSTALL,
    BFCL_VERSION,
    BfclCategory,
    BfclQuestion,
    ChatTurn,
    PossibleCall,
    bfcl_data_dir,
    load_questions,
    sample_questions,
)
from hetero_agents.evals.text_calls import TextToolCall, parse_tool_calls, tool_system_prompt
from hetero_agents.evals.validity import ToolCallValidator

__all__ = [
    "BFCL_INSTALL",
    "BFCL_VERSION",
    "MATCH",
    "BfclCategory",
    "BfclQuestion",
    "ChatTurn",
    "MatchResult",
    "MismatchKind",
    "PossibleCall",
    "TextToolCall",
    "ToolCallValidator",
    "ast_match",
    "bfcl_data_dir",
    "calls_match",
    "check_call",
    "load_questions",
    "parse_tool_calls",
    "sample_questions",
    "tool_system_prompt",
]
