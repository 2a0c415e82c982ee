"""``econ071 sync``: keep the followed CBS tables current (econ071.sync); ``--status``
lists per table its release, when it was checked and changed, and the last error."""

from __future__ import annotations

import sys

import click

from econ071.core.errors import Econ071Error


def _safe(text: str) -> str:
    """Text from CBS or a server shown in a terminal: no control characters."""
    return "".join(c if c.isprintable() else " " for c in text)


class _Progress:
    """One line per table, rewritten in place on a terminal (a long sync shows it moves)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled, self.shown = enabled, False

    def __call__(self, table_id: str, pages: int, observations: int) -> None:
        if self.enabled:
            line = f"{table_id}: {pages} pages, {observations:,} observations".replace(",", ".")
            click.echo(f"\r{_safe(line)}\x1b[K", nl=False, err=True)
            self.shown = True

    def done(self) -> None:
        if self.shown:
            click.echo("\r\x1b[K", nl=False, err=True)
            self.shown = False


@click.command("sync")
@click.argument("tables", nargs=-1)
@click.option("--status", "show_status", is_flag=True,
              help="Show each followed table's release, last check, last change and error.")  # fmt: skip
@click.option("--force", is_flag=True, help="Download even when CBS has no new release.")
def sync_command(tables: tuple[str, ...], show_status: bool, force: bool) -> None:
    """Bring the followed CBS tables (data/cbs_tables.csv) up to date from CBS's open
    data; TABLES names some (e.g. 83625NED 03759ned; any CBS table id). A table whose
    release is unchanged costs one small request; a changed one is downloaded and imported
    in one transaction, like econ071 import. Exit status 1 when any table failed.
    ECON071_CBS_URL points elsewhere than https://datasets.cbs.nl/odata/v1."""
    from econ071.core import paths

    if show_status:
        for line in status_lines(list(tables)):
            click.echo(line)
        return
    from econ071.sync.client import Settings
    from econ071.sync.run import FAILED, sync

    try:
        settings = Settings.from_env()
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    progress = _Progress(sys.stderr.isatty())
    try:
        outcomes = sync(paths.db_path(), list(tables), settings=settings, force=force,
                        progress=progress)  # fmt: skip
    except (Econ071Error, ValueError) as exc:
        progress.done()
        raise click.ClickException(_safe(str(exc))) from None
    progress.done()
    failed = 0
    for outcome in outcomes:
        if outcome.status == FAILED:
            failed += 1
            click.echo(f"failed: {_safe(outcome.message)}", err=True)
        else:
            click.echo(_safe(outcome.message))
    if not outcomes:
        click.echo("No tables followed: data/cbs_tables.csv lists none.")
    if failed:
        click.echo(f"{failed} of {len(outcomes)} table(s) failed; their figures are unchanged.",
                   err=True)  # fmt: skip
        sys.exit(1)


def status_lines(names: list[str] = ()) -> list[str]:
    """Per followed table (or each table named): its release, last check and change, and
    the last error."""
    from econ071.core import paths
    from econ071.store import figures as store
    from econ071.sync import state, tables

    try:
        followed = tables.select(tables.load(paths.data_dir()), list(names))
        conn = store.connect()
    except (Econ071Error, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    try:
        lines = []
        for table in followed:
            st = state.followed(conn, table.table_id)
            name = table.table_id
            if st is None:
                lines.append(f"{name}: never synced")
                continue
            if st.table_id.lower() != name.lower():
                name = f"{name} → {st.table_id} (successor)"
            release = st.release_date or st.version or "none imported"
            line = (f"{name}: release {release}; checked {st.checked_at or '-'};"
                    f" changed {st.changed_at or '-'}")  # fmt: skip
            if st.last_error:
                line += f"; last error ({st.error_at}): {st.last_error}"
            lines.append(_safe(line))
        return lines
    finally:
        conn.close()
