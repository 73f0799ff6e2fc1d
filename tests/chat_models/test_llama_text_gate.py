"""TextGate: stop sequences and tool-call starts are found across token boundaries,
and nothing that might belong to them is released early."""

from __future__ import annotations

from hetero_agents.chat_models._text_gate import GateEvent, TextGate


def feed_all(gate: TextGate, pieces: list[str]) -> tuple[str, GateEvent | None]:
    shown = ""
    for piece in pieces:
        released, event = gate.feed(piece)
        shown += released
        if event is not None:
            return shown, event
    return shown + gate.flush(), None


def test_plain_text_passes_through_unchanged() -> None:
    gate = TextGate([], watch_tool_calls=False)
    assert feed_all(gate, ["Hel", "lo", ", world"]) == ("Hello, world", None)


def test_stop_sequence_split_over_pieces_is_cut_and_never_shown() -> None:
    gate = TextGate(["STOP"], watch_tool_calls=False)
    shown, event = feed_all(gate, ["one ST", "O", "P two"])
    assert shown == "one "
    assert event == GateEvent("stop", 4)


def test_a_false_start_of_a_stop_sequence_is_released_later() -> None:
    gate = TextGate(["STOP"], watch_tool_calls=False)
    released, _ = gate.feed("go ST")
    assert released == "go "  # "ST" is held: it may begin STOP
    released, _ = gate.feed("ART")
    assert released == "START"


def test_earliest_stop_wins() -> None:
    gate = TextGate(["b", "a"], watch_tool_calls=False)
    assert feed_all(gate, ["xxab"]) == ("xx", GateEvent("stop", 2))


def test_tagged_call_after_text_keeps_the_text_and_hides_the_tag() -> None:
    gate = TextGate([], watch_tool_calls=True)
    shown, event = feed_all(gate, ["Let me check.", "\n<tool", "_call>", '\n{"name"'])
    assert shown == "Let me check.\n"
    assert event == GateEvent("tagged_call", len("Let me check.\n"))


def test_bare_json_call_at_the_start_is_detected_and_nothing_leaks() -> None:
    gate = TextGate([], watch_tool_calls=True)
    shown, event = feed_all(gate, ["{", '"', "name", '":', ' "get'])
    assert shown == ""
    assert event == GateEvent("bare_call", 0)


def test_bare_json_call_in_a_code_fence_is_detected() -> None:
    gate = TextGate([], watch_tool_calls=True)
    text = '```json\n{\n  "name": "f"'
    shown, event = feed_all(gate, list(text))
    assert shown == ""
    assert event == GateEvent("bare_call", text.index("{"))


def test_json_that_is_not_a_call_is_plain_text() -> None:
    gate = TextGate([], watch_tool_calls=True)
    assert feed_all(gate, ['{"res', 'ult": 5}']) == ('{"result": 5}', None)


def test_code_fence_that_is_not_a_call_is_released_once_decided() -> None:
    gate = TextGate([], watch_tool_calls=True)
    released, _ = gate.feed("```py")
    assert released == ""
    released, _ = gate.feed("thon\nprint(1)")
    assert released == "```python\nprint(1)"


def test_bare_json_is_only_a_call_at_the_start() -> None:
    gate = TextGate([], watch_tool_calls=True)
    assert feed_all(gate, ['Use {"name": 1}']) == ('Use {"name": 1}', None)


def test_without_tools_tags_are_ordinary_text() -> None:
    gate = TextGate([], watch_tool_calls=False)
    assert feed_all(gate, ["<tool_call>x"]) == ("<tool_call>x", None)


def test_whitespace_only_answer_is_flushed_at_the_end() -> None:
    gate = TextGate([], watch_tool_calls=True)
    assert feed_all(gate, ["  ", "\n"]) == ("  \n", None)
