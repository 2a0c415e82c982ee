"""A full disk, a read-only store, a directory that cannot be made, a damaged store file:
every command ends with one clear line (what, where, what to do) and its exit status,
never a traceback, and the store is left as it was (a damaged one kept aside, byte for byte).

Read-only cases run the real ``econ071`` as a process without the right to override file
permissions (tests/unprivileged.py): as root, chmod alone would not stop it."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import unprivileged
from click.testing import CliRunner
from slack_harness import APP_TOKEN, BOT_TOKEN

from econ071.cli.boundary import ExitStatus
from econ071.cli.main import main
from econ071.store import health

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent / "econ071"
OBSERVATIONS = ROOT / "tests" / "fixtures" / "cbs" / "80590ned"


def digest(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None


def snapshot(db: Path) -> dict[str, str | None]:
    return {p.name: digest(p) for p in (db, Path(f"{db}-wal"))}


def checkpointed(db: Path) -> Path:
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return db


def one_line(output: str, status: ExitStatus, code: int, *words: str) -> str:
    """The output is one 'Error: …' line naming ``words``; the exit status is ``status``."""
    assert "Traceback" not in output, output
    assert code == status, (code, output)
    lines = [line for line in output.strip().splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("Error: ")]
    assert len(errors) == 1, output
    for word in words:
        assert word in errors[0], (word, output)
    return errors[0]


def invoke(*args: str, env: dict | None = None):
    result = CliRunner().invoke(main, list(args), env=env)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def run(*args: str, db: Path, unprivileged_: bool = False, extra: dict | None = None):
    env = {**os.environ, "ECON071_DB": str(db), **(extra or {})}
    return subprocess.run(
        [str(BIN), *args], capture_output=True, text=True, env=env, timeout=120,
        preexec_fn=unprivileged.drop if unprivileged_ else None,
    )  # fmt: skip


@pytest.fixture
def imported(fresh_store: Path) -> Path:
    """A store holding an import, checkpointed, every connection closed."""
    assert invoke("import", str(OBSERVATIONS)).exit_code == 0
    return checkpointed(fresh_store)


# -- a full disk ---------------------------------------------------------------------------


def big_csv(path: Path, rows: int) -> Path:
    with path.open("w") as fh:
        fh.write('"Leeftijd";"Regio\'s";"Perioden";"Bevolking op 1 januari (aantal)"\n')
        for i in range(rows):
            fh.write(f'"{i} jaar";"Leiden";"{2000 + i % 20}";"{1000 + i}"\n')
    return path


def test_an_import_onto_a_full_disk_is_one_line_and_changes_nothing(imported, tmp_path):
    """SQLite's own SQLITE_FULL (the store's size capped just above what it holds): the
    real error is named, not "cannot rollback - no transaction is active"."""
    csv = big_csv(tmp_path / "bevolking-99999ned.csv", 5_000)
    before = snapshot(imported)
    size_mb = imported.stat().st_size / 1e6
    result = invoke("import", str(csv), env={"ECON071_STORE_MAX_MB": f"{size_mb + 0.02:.3f}"})
    line = one_line(result.output, ExitStatus.FULL, result.exit_code,
                    "was not imported", "is full", str(imported), "Free some space")  # fmt: skip
    assert "rollback" not in line
    assert snapshot(imported) == before
    assert invoke("import", str(csv)).exit_code == 0  # with room, the same file imports


def test_a_write_error_of_the_disk_itself_is_one_line(imported, tmp_path):
    """The file system refuses to let the store grow (RLIMIT_FSIZE: the write fails half
    way, as on a disk that fills up during the import)."""
    csv = big_csv(tmp_path / "bevolking-99999ned.csv", 5_000)
    before = snapshot(imported)
    limit = imported.stat().st_size + 16 * 1024
    out = subprocess.run(
        [sys.executable, str(Path(__file__).parent / "unprivileged.py"), "--fsize", str(limit),
         str(BIN), "import", str(csv)],
        capture_output=True, text=True, timeout=120, env={**os.environ, "ECON071_DB": str(imported)},
    )  # fmt: skip
    # SQLite says SQLITE_IOERR (the write failed) or SQLITE_FULL (it fell short): both name
    # the store and a full disk as the likely cause.
    status = ExitStatus.FULL if out.returncode == ExitStatus.FULL else ExitStatus.IO_ERROR
    one_line(out.stderr, status, out.returncode, "was not imported", str(imported), "full")
    assert snapshot(imported) == before


def test_a_build_onto_a_full_disk_is_one_line(tmp_path, monkeypatch):
    db = tmp_path / "new" / "econ071.sqlite"
    monkeypatch.setenv("ECON071_DB", str(db))
    result = invoke("build", env={"ECON071_STORE_MAX_MB": "0.02"})
    one_line(result.output, ExitStatus.FULL, result.exit_code, "is full", str(db))
    assert invoke("ask", "banen Leiden 2016").exit_code == 0  # with room, it builds


# -- read-only store, directory that cannot be made ----------------------------------------

needs_permissions = pytest.mark.skipif(
    not unprivileged.works(), reason="cannot run a process that file permissions apply to"
)


@pytest.fixture
def read_only(imported: Path) -> Path:
    imported.chmod(0o444)
    imported.parent.chmod(0o555)
    yield imported
    imported.parent.chmod(0o755)
    imported.chmod(0o644)


@needs_permissions
@pytest.mark.parametrize(
    "args",
    [["import", str(OBSERVATIONS)], ["build"], ["ask", "banen Leiden 2016"], ["vragen"],
     ["summary", "--dry-run"], ["serve"]],
    ids=["import", "build", "ask", "vragen", "summary", "serve"],
)  # fmt: skip
def test_a_read_only_store_and_directory(read_only, args):
    before = snapshot(read_only)
    tokens = {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_APP_TOKEN": APP_TOKEN}
    out = run(*args, db=read_only, unprivileged_=True, extra=tokens)
    one_line(out.stderr, ExitStatus.READ_ONLY, out.returncode,
             str(read_only), "cannot be written", "writable")  # fmt: skip
    assert snapshot(read_only) == before


@needs_permissions
def test_a_read_only_store_file_still_answers_but_does_not_import(imported):
    imported.chmod(0o444)
    before = digest(imported)
    try:
        asked = run("ask", "banen Leiden 2016", db=imported, unprivileged_=True)
        assert asked.returncode == 0, asked.stderr
        assert "67.537" in asked.stdout
        out = run("import", str(OBSERVATIONS), db=imported, unprivileged_=True)
        one_line(out.stderr, ExitStatus.READ_ONLY, out.returncode, "was not imported",
                 str(imported), "cannot be written")  # fmt: skip
    finally:
        imported.chmod(0o644)
    assert digest(imported) == before


@needs_permissions
def test_a_directory_that_cannot_be_made(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o555)
    db = locked / "sub" / "econ071.sqlite"
    for args in (["ask", "banen"], ["build"], ["import", str(OBSERVATIONS)]):
        out = run(*args, db=db, unprivileged_=True)
        one_line(out.stderr, ExitStatus.NO_DIRECTORY, out.returncode,
                 f"the directory {db.parent} cannot be created", "ECON071_DB")  # fmt: skip
    locked.chmod(0o755)


@needs_permissions
def test_an_unwritable_template_cache_is_not_used(store_copy, tmp_path):
    cache = tmp_path / "cache"
    (cache / "jinja-plain").mkdir(parents=True)
    (cache / "jinja-plain").chmod(0o555)
    out = run("ask", "banen Leiden 2016", db=store_copy, unprivileged_=True,
              extra={"ECON071_CACHE_DIR": str(cache)})  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert "67.537" in out.stdout and "Traceback" not in out.stderr
    assert not list((cache / "jinja-plain").iterdir())


def test_a_template_cache_that_is_a_file_is_not_used(store_copy, tmp_path):
    blocker = tmp_path / "cache"
    blocker.write_text("not a directory")
    out = run("ask", "banen Leiden 2016", db=store_copy, extra={"ECON071_CACHE_DIR": str(blocker)})
    assert out.returncode == 0, out.stderr
    assert "67.537" in out.stdout


# -- a damaged store ----------------------------------------------------------------------


def garble(db: Path, how: str) -> bytes:
    data = db.read_bytes()
    if how == "garbage":
        data = bytes((i * 7919 + 13) % 251 for i in range(len(data)))
    elif how == "truncated":
        data = data[: len(data) // 3]
    else:  # its last pages lost: what is left can still be read
        data = data[: len(data) - 3 * 4096]
    db.write_bytes(data)
    return data


@pytest.mark.parametrize("how", ["garbage", "truncated", "tail"])
def test_a_damaged_store_with_imports_is_kept_aside_and_the_operator_told(imported, how):
    damaged = garble(imported, how)
    result = invoke("ask", "banen Leiden 2016")
    one_line(result.output, ExitStatus.DAMAGED, result.exit_code, str(imported), "is damaged",
             "moved aside", "econ071 build")  # fmt: skip
    [aside] = health.damaged_copies(imported)
    assert aside.read_bytes() == damaged
    assert not imported.exists()
    # Not silently replaced by a store without the imports: the operator decides.
    for args in (["ask", "banen"], ["import", str(OBSERVATIONS)], ["summary", "--dry-run"]):
        again = invoke(*args)
        one_line(again.output, ExitStatus.DAMAGED, again.exit_code, "no store", str(aside),
                 "econ071 build")  # fmt: skip
    assert invoke("build").exit_code == 0
    assert "67.537" in invoke("ask", "banen Leiden 2016").output
    assert aside.read_bytes() == damaged


def test_a_damaged_store_without_imports_is_rebuilt_from_data(fresh_store, caplog):
    damaged = garble(checkpointed(fresh_store), "tail")
    result = invoke("ask", "banen Leiden 2016")
    assert result.exit_code == 0, result.output
    assert "held no imports" in caplog.text  # a warning (on stderr), then the answer
    assert "67.537" in result.output
    [aside] = health.damaged_copies(fresh_store)
    assert aside.read_bytes() == damaged


@pytest.mark.parametrize(
    "args",
    [["vragen"], ["imports"], ["serve"], ["build"]],
    ids=["vragen", "imports", "serve", "build"],
)
def test_other_commands_on_a_garbage_store(imported, args, monkeypatch):
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("SLACK_APP_TOKEN", APP_TOKEN)
    garble(imported, "garbage")
    result = invoke(*args)
    if args == ["build"]:  # asked for: a fresh store, the damaged one kept aside
        assert result.exit_code == 0, result.output
        assert health.damaged_copies(imported) and imported.exists()
        return
    one_line(result.output, ExitStatus.DAMAGED, result.exit_code, str(imported), "damaged")


def test_the_wsgi_workers_say_the_same_line(imported):
    """gunicorn's workers load econ071.slackapp.wsgi:app themselves: a damaged store stops them with
    the command line's message (exit 4: gunicorn's "App failed to load"), no traceback."""
    from slack_harness import SIGNING_SECRET

    garble(imported, "garbage")
    env = {**os.environ, "ECON071_DB": str(imported), "SLACK_BOT_TOKEN": BOT_TOKEN,
           "SLACK_SIGNING_SECRET": SIGNING_SECRET}  # fmt: skip
    out = subprocess.run([sys.executable, "-c", "from econ071.slackapp import wsgi; wsgi.app"],
                         capture_output=True, text=True, env=env, timeout=120)  # fmt: skip
    assert out.returncode == 4, out.stderr
    assert "Traceback" not in out.stderr
    assert f"the store {imported} is damaged" in out.stderr


def test_a_store_path_that_is_a_directory(tmp_path, monkeypatch):
    monkeypatch.setenv("ECON071_DB", str(tmp_path))
    result = invoke("ask", "banen")
    one_line(result.output, ExitStatus.READ_ONLY, result.exit_code, "is a directory", "ECON071_DB")


def test_a_store_damaged_inside_is_named_when_an_answer_fails(imported):
    """Its header and catalog read well, the figures' pages do not: ``ask`` checks the
    store (quick_check) and says it is damaged, in one line, no traceback."""
    conn = sqlite3.connect(imported)
    root = conn.execute(
        "SELECT rootpage FROM sqlite_master WHERE name = 'figure_values'"
    ).fetchone()[0]
    size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    data = bytearray(imported.read_bytes())
    data[(root - 1) * size : root * size] = b"\xa5" * size
    imported.write_bytes(bytes(data))
    out = run("ask", "banen Leiden 2016", db=imported)
    one_line(out.stderr, ExitStatus.DAMAGED, out.returncode, str(imported), "is damaged",
             "quick_check")  # fmt: skip
    # Asked for, a build keeps the damaged file aside and starts afresh.
    assert invoke("build").exit_code == 0
    assert health.damaged_copies(imported)
    assert "67.537" in invoke("ask", "banen Leiden 2016").output


def test_the_boundary_maps_every_error_to_one_line_and_a_status():
    """What a new command (``econ071 sync``) gets by being added to the group."""
    import click

    from econ071.cli.boundary import Guarded
    from econ071.core.errors import Econ071Error

    class Unreachable(Econ071Error):
        exit_status = ExitStatus.UNAVAILABLE

    group = Guarded()
    cases = {
        "refused": (Econ071Error("a.csv, line 3: no"), ExitStatus.FAILED),
        "unreachable": (Unreachable("CBS cannot be reached"), ExitStatus.UNAVAILABLE),
        "full": (OSError(28, "No space left on device", "/x/econ071.sqlite"), ExitStatus.FULL),
        "bug": (KeyError("oops"), ExitStatus.INTERNAL),
        "memory": (MemoryError(), ExitStatus.OUT_OF_MEMORY),
    }
    for name, (error, _) in cases.items():

        def fail(error=error):
            raise error

        group.add_command(click.Command(name, callback=fail))
    for name, (_, status) in cases.items():
        result = CliRunner().invoke(group, [name])
        assert result.exit_code == status, (name, result.output)
        assert result.output.startswith("Error: ") and "Traceback" not in result.output
        assert len(result.output.strip().splitlines()) == 1, result.output
