"""``hetero-agents logs``: browse, summarise, export and purge recorded calls.

Every command reads the database named by ``--db`` (or ``$HETERO_AGENTS_LOGS_DB``,
or the default in the user data directory) and never creates one: a missing
file is an error that says how to record one. ``--key`` (or
``$HETERO_AGENTS_LOG_KEY``) decrypts content written with encryption at rest.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal

import typer

from hetero_agents.cli._console import console, err_console, friendly_errors
from hetero_agents.errors import LogStoreError

app = typer.Typer(help="Browse and export recorded calls.", no_args_is_help=True)

DbOption = Annotated[
    Path | None,
    typer.Option(
        "--db",
        envvar="HETERO_AGENTS_LOGS_DB",
        help="Log database (default: the user data directory's logs.db).",
        show_default=False,
    ),
]
KeyOption = Annotated[
    str | None,
    typer.Option(
        "--key",
        envvar="HETERO_AGENTS_LOG_KEY",
        help="Encryption key of the content (if it was written encrypted).",
        show_default=False,
    ),
]
Since = Annotated[
    str | None, typer.Option(help="From this time: ISO date/time, or an age like 2h, 7d.")
]
Until = Annotated[str | None, typer.Option(help="Before this time: ISO date/time or an age.")]
Node = Annotated[str | None, typer.Option(help="Only this LangGraph node.")]
Model = Annotated[str | None, typer.Option(help="Only this model.")]
Tier = Annotated[str | None, typer.Option(help="Only this tier (slm or llm).")]
Status = Annotated[str | None, typer.Option(help="Only this status (ok or error).")]
Task = Annotated[str | None, typer.Option(help="Only this task.")]
Thread = Annotated[str | None, typer.Option("--thread", help="Only this thread id.")]
Search = Annotated[str | None, typer.Option(help="Full-text query over prompts and responses.")]

_AGE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


@app.command("list")
def list_calls(
    *,
    db: DbOption = None,
    key: KeyOption = None,
    limit: Annotated[int, typer.Option("--limit", "-n", help="How many calls.")] = 20,
    since: Since = None,
    until: Until = None,
    node: Node = None,
    model: Model = None,
    tier: Tier = None,
    status: Status = None,
    task: Task = None,
    thread: Thread = None,
    search: Search = None,
    oldest_first: Annotated[bool, typer.Option(help="Oldest calls first.")] = False,
) -> None:
    """The latest calls, one line each (inner calls of a router marked with ↳)."""
    from hetero_agents.cli._logs_views import calls_table

    filters = _filters(
        since=since,
        until=until,
        node=node,
        model=model,
        tier=tier,
        status=status,
        task=task,
        thread_id=thread,
        search=search,
    )
    with _store(db, key) as store:
        records = list(store.calls(limit=limit, newest_first=not oldest_first, **filters))
        if not records:
            err_console.print("no calls match")
            return
        console.print(calls_table(records, console.width))


@app.command()
def show(
    call_id: Annotated[str, typer.Argument(help="A call id, or a unique prefix of one.")],
    db: DbOption = None,
    key: KeyOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the record as JSON.")] = False,
) -> None:
    """One call in full: metadata, conversation, response, route and tool runs."""
    from hetero_agents.cli._logs_views import call_detail

    with _store(db, key) as store:
        record = store.get_call(call_id)
        if as_json:
            import json

            sys.stdout.write(json.dumps(record.to_dict(), ensure_ascii=False, indent=2) + "\n")
        else:
            console.print(call_detail(record))


@app.command()
def stats(
    *,
    db: DbOption = None,
    since: Since = None,
    until: Until = None,
    node: Node = None,
    model: Model = None,
    tier: Tier = None,
    task: Task = None,
    thread: Thread = None,
) -> None:
    """Calls, tokens, cost and p50/p95 latency by node, model and tier; logger health."""
    from hetero_agents.cli._logs_views import stats_tables

    filters = _filters(
        since=since, until=until, node=node, model=model, tier=tier, task=task, thread_id=thread
    )
    with _store(db, None) as store:
        for renderable in stats_tables(store.stats(**filters)):
            console.print(renderable)


@app.command()
def export(
    *,
    output: Annotated[
        str, typer.Option("--output", "-o", help="File to write, or - for stdout.")
    ] = "-",
    fmt: Annotated[
        Literal["openai", "jsonl", "otel"],
        typer.Option(
            "--format",
            "-f",
            help="openai: chat fine-tuning JSONL; jsonl: every field; otel: GenAI spans.",
        ),
    ] = "openai",
    db: DbOption = None,
    key: KeyOption = None,
    since: Since = None,
    until: Until = None,
    node: Node = None,
    model: Model = None,
    tier: Tier = None,
    status: Status = None,
    task: Task = None,
    thread: Thread = None,
    search: Search = None,
    include_content: Annotated[
        bool, typer.Option(help="otel: also attach messages and tool arguments.")
    ] = False,
) -> None:
    """Export calls as OpenAI fine-tuning data, plain JSONL, or OpenTelemetry spans."""
    filters = _filters(
        since=since,
        until=until,
        node=node,
        model=model,
        tier=tier,
        status=status,
        task=task,
        thread_id=thread,
        search=search,
    )
    with _store(db, key) as store, _destination(output) as fp:
        if fmt == "openai":
            count = store.export_openai(fp, **filters)
        elif fmt == "jsonl":
            count = store.export_jsonl(fp, **filters)
        else:
            from hetero_agents.logs.export import write_otel_jsonl

            records = store.calls(with_tool_runs=True, **filters)
            count = write_otel_jsonl(records, fp, include_content=include_content)
    err_console.print(f"exported {count} {'spans' if fmt == 'otel' else 'records'}")


@app.command()
def purge(
    older_than: Annotated[
        str, typer.Option(help="Delete calls older than this age (30d, 12h) or before a date.")
    ],
    db: DbOption = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    vacuum: Annotated[bool, typer.Option(help="Also shrink the file afterwards.")] = False,
) -> None:
    """Delete old calls and their tool runs (content is overwritten, not just unlinked)."""
    with _store(db, None) as store:
        before = _moment(older_than, "--older-than")
        doomed = store.count(until=before)
        if doomed == 0:
            err_console.print(f"nothing older than {before.isoformat()}")
            return
        if not yes:
            typer.confirm(f"delete {doomed} calls older than {before.isoformat()}?", abort=True)
        result = store.purge(before, vacuum=vacuum)
    err_console.print(f"deleted {result.calls} calls and {result.tools} tool runs")


@app.command()
def keygen() -> None:
    """Print a new key for encryption at rest (keep it in a secret store, not in the database)."""
    from hetero_agents.logs._crypto import ContentCipher

    with friendly_errors():
        sys.stdout.write(ContentCipher.generate_key() + "\n")


@app.command()
def path(db: DbOption = None) -> None:
    """Print the path of the log database the other commands use."""
    from hetero_agents.logs._paths import default_db_path

    sys.stdout.write(f"{db or default_db_path()}\n")


# --- helpers --------------------------------------------------------------------------------


@contextmanager
def _store(db: Path | None, key: str | None) -> Iterator[Any]:
    """Open an existing store (never create one) with typed errors shown as one line."""
    with friendly_errors():
        from hetero_agents.logs._paths import default_db_path
        from hetero_agents.logs.store import LogStore

        path = (db or default_db_path()).expanduser()
        if not path.exists():
            raise LogStoreError(
                f"no log database at {path}. Record calls with CallLogger/capture() first, "
                "or point --db (or $HETERO_AGENTS_LOGS_DB) at one."
            )
        store = LogStore(path, encryption_key=key)
        try:
            yield store
        finally:
            store.close()


@contextmanager
def _destination(output: str) -> Iterator[Any]:
    if output == "-":
        yield sys.stdout
        return
    from hetero_agents.logs._paths import prepare_private_file

    target = prepare_private_file(Path(output))  # exports hold content: owner-only
    with target.open("w", encoding="utf-8") as fp:
        yield fp


def _filters(*, since: str | None, until: str | None, **equal: str | None) -> dict[str, Any]:
    """The options given, as ``LogStore`` call filters (times parsed, unset ones left out)."""
    filters: dict[str, Any] = {name: value for name, value in equal.items() if value is not None}
    if since is not None:
        filters["since"] = _moment(since, "--since")
    if until is not None:
        filters["until"] = _moment(until, "--until")
    return filters


def _moment(text: str, option: str) -> datetime:
    """An age ("7d", "12h", "30m") counted back from now, or an ISO date/time (UTC if naive)."""
    age = _AGE.match(text)
    if age:
        amount, unit = float(age.group(1)), _UNITS[age.group(2)]
        return datetime.now(UTC) - timedelta(**{unit: amount})
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(
            f"{text!r} is neither an age (30m, 12h, 7d, 2w) nor an ISO date", param_hint=option
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
