"""``econ071 import`` and ``econ071 imports``: load CBS exports (OData v4, StatLine CSV) and
tidy CSV files into the store, and list what was imported. The work is done by
econ071.importing; here errors become messages and results become lines."""

from __future__ import annotations

from pathlib import Path

import click

from econ071.core.errors import Econ071Error
from econ071.store.health import StoreProblem


@click.command("import")
@click.argument("paths", nargs=-1, required=True,
                type=click.Path(exists=True, path_type=Path))  # fmt: skip
@click.option("--mapping", "mappings", multiple=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A mapping file (YAML) besides data/mappings/*.yml; may be repeated.")  # fmt: skip
@click.option("--table", "table_id", help="CBS table id of a StatLine CSV whose name lacks it.")
def import_command(
    paths: tuple[Path, ...], mappings: tuple[Path, ...], table_id: str | None
) -> None:
    """Import CBS tables and tidy CSV files: PATH is an OData v4 folder (or one of its
    JSON files), a StatLine CSV download or a tidy figures CSV. Each file is read, checked
    and loaded in one transaction: a file with an error anywhere changes nothing.
    """
    from econ071.core import paths as store_paths
    from econ071.importing import import_file

    done = 0
    for path in paths:
        try:
            r = import_file(store_paths.db_path(), path, mapping_files=list(mappings),
                            table_id=table_id)  # fmt: skip
        except StoreProblem as exc:  # the store, not the file: its own exit status
            before = f" ({done} file(s) before this one were imported)" if done else ""
            raise StoreProblem(exc.kind, f"{path} was not imported{before}: {exc}") from None
        except Econ071Error as exc:
            if done:
                click.echo(f"({done} file(s) before this one were imported.)", err=True)
            raise click.ClickException(
                f"{path} was not imported, the store is unchanged:\n{exc}"
            ) from None
        done += 1
        table = f"table {r.table_id}" if r.table_id else "no table id"
        click.echo(
            f"{r.file}: {r.format}, {table} ({r.title}): {r.added} added, {r.changed} changed,"
            f" {r.unchanged} unchanged"
            + (f"; {r.computed} computed for the 071 region" if r.computed else "")
        )
        for warning in r.warnings:
            click.echo(f"  note: {warning}")


@click.command("imports")
@click.option("--since", help="Only imports at or after this date (YYYY-MM-DD).")
def imports_command(since: str | None) -> None:
    """List the imports recorded in the store, newest first."""
    from econ071.store import figures as store
    from econ071.store.imports import imports_since

    conn = store.connect()
    rows = imports_since(conn, since)
    conn.close()
    from econ071.cli.sync_commands import status_lines

    synced = status_lines()
    if synced:
        click.echo("CBS tables followed by econ071 sync:")
        for line in synced:
            click.echo(f"  {line}")
    if not rows:
        click.echo("No imports yet.")
        return
    for r in rows:
        click.echo(
            f"#{r['id']} {r['imported_at']} {r['format']} {r['table_id'] or '-'} {r['file']}:"
            f" {r['rows_added']} added, {r['rows_changed']} changed,"
            f" {r['rows_unchanged']} unchanged (sha256 {r['sha256'][:12]})"
        )
