"""The ``hetero-agents`` command line.

Each command group lives in its own module and is registered here, so this
file stays an index rather than a 4,000-line ``cli.py``.
"""

from __future__ import annotations

import typer

from hetero_agents.cli.demo import demo
from hetero_agents.cli.logs import app as logs_app
from hetero_agents.cli.models import app as models_app
from hetero_agents.cli.pipeline import register as register_pipeline

app = typer.Typer(
    name="hetero-agents",
    help="Run most agent calls on small in-process models; call the LLM only where needed.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
app.add_typer(models_app, name="models")
app.add_typer(logs_app, name="logs")
app.command("demo")(demo)
register_pipeline(app)


def main() -> None:
    """Entry point of the ``hetero-agents`` console script."""
    app()
