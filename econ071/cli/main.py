"""The ``econ071`` command line: ask, chat, build (and the Slack side: serve, summary).

Slack, pandas and the scheduler are imported inside the commands that need them, so
that ``econ071 ask`` starts fast.
"""

from __future__ import annotations

import json
import sys

import click

from econ071.cli.boundary import Guarded
from econ071.core.answer import Status


def _engine():
    from econ071.answering.engine import Engine

    return (
        Engine()
    )  # a store that cannot be used: one line from the boundary (econ071.cli.boundary)


@click.group(cls=Guarded, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="econ071")
def main() -> None:
    """Economie071's indicator assistant: figures on the 071 labour market, in Dutch,
    with their sources and caveats."""


@main.command()
@click.argument("question", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help="Print the structured answer as JSON.")
@click.option(
    "--uitleg", "long", is_flag=True,
    help="The long form: the report's interpretations, every caveat and the definition.",
)  # fmt: skip
def ask(question: tuple[str, ...], as_json: bool, long: bool) -> None:
    """Answer QUESTION as the assistant would, e.g. econ071 ask "banen Leiden 2016"."""
    from econ071.rendering import render

    engine = _engine()
    text = " ".join(question)
    answer = engine.ask(text, long=long)
    if (
        answer.status == Status.ERROR
    ):  # a store damaged past its header: say so, not "Er ging iets mis"
        from econ071.store import health

        if problem := health.diagnose(engine.db_path):
            raise problem
    if as_json:
        from econ071.core.cleantext import clean

        reply = render.text(answer)
        # JSON escapes C0 controls itself; clean() takes out the rest (bidi, C1) and
        # keeps the JSON valid.
        click.echo(clean(json.dumps(answer.to_json(reply), ensure_ascii=False, indent=2)))
    else:
        click.echo(render.text(answer))


@main.command()
def chat() -> None:
    """Ask questions interactively in the terminal (empty line or Ctrl-D to stop)."""
    from econ071.rendering import render

    engine = _engine()
    click.echo("Stel een vraag (bijvoorbeeld: banen Leiden 2016). Lege regel om te stoppen.")
    while True:
        try:
            line = input("071> ")
        except (EOFError, KeyboardInterrupt):
            click.echo()
            break
        if not line.strip():
            break
        click.echo(render.text(engine.ask(line)))
        click.echo()


@main.command()
def build() -> None:
    """(Re)build the SQLite store from data/ (imported figures are kept)."""
    from econ071.core import paths
    from econ071.store.build import build as build_store

    counts = build_store(paths.db_path(), paths.data_dir())
    click.echo(f"Built {paths.db_path()}: " + ", ".join(f"{v} {k}" for k, v in counts.items()))


# Commands that live in their own modules (one line each; keep them lazy to import).
from econ071.cli import slack_commands  # noqa: E402 (Slack itself is imported inside the commands)

main.add_command(slack_commands.serve)
main.add_command(slack_commands.vragen)
main.add_command(slack_commands.manifest)
from econ071.cli import summary_commands  # noqa: E402 (slack_sdk, matplotlib: inside the command)

main.add_command(summary_commands.summary)
from econ071.cli import import_commands  # noqa: E402 (pandas: inside the command)

main.add_command(import_commands.import_command)
main.add_command(import_commands.imports_command)
from econ071.cli import sync_commands  # noqa: E402 (httpx, pandas: inside the command)

main.add_command(sync_commands.sync_command)
# -- end of command registrations --

if __name__ == "__main__":
    sys.exit(main())
