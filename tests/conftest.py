"""Shared fixtures: a real SQLite store built from the real data/ in a temporary file."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

ROOT = Path(__file__).resolve().parent.parent

# CI runs the property tests with a fixed seed, so that a red build is reproducible;
# developers' runs explore new examples every time.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture(scope="session")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store built once per test session from data/ (the real figures)."""
    from econ071.store.build import build

    path = tmp_path_factory.mktemp("store") / "econ071.sqlite"
    build(path, ROOT / "data")
    return path


@pytest.fixture
def store_copy(store_path: Path, tmp_path: Path) -> Path:
    """A private copy of the session's store, free to write to (SQLite's backup API:
    safe with WAL)."""
    import sqlite3
    from contextlib import closing

    path = tmp_path / "store-copy.sqlite"
    with closing(sqlite3.connect(store_path)) as src, closing(sqlite3.connect(path)) as dst:
        src.backup(dst)
    return path


@pytest.fixture(scope="session")
def engine(store_path: Path):
    from econ071.answering.engine import Engine

    return Engine(store_path)


@pytest.fixture(autouse=True)
def _isolated_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test touches the user's own store or key: ECON071_DB and the question log's key
    file point into tmp_path unless a test sets them itself."""
    if not os.environ.get("ECON071_KEEP_DB_FOR_TESTS"):
        monkeypatch.setenv("ECON071_DB", str(tmp_path / "econ071.sqlite"))
    # The question log's key: never the user's own, never beside the store.
    monkeypatch.setenv("ECON071_LOG_KEY_FILE", str(tmp_path / "config" / "econ071" / "log.key"))
    monkeypatch.delenv("ECON071_LOG_KEY", raising=False)
    monkeypatch.delenv("ECON071_OPS_DB", raising=False)
    monkeypatch.delenv("ECON071_DATA_DIR", raising=False)
    monkeypatch.setenv("MPLBACKEND", "Agg")


@pytest.fixture
def ask(engine):
    """ask(question, mode='plain') -> (answer, reply text)."""
    from econ071.rendering import render

    def _ask(question: str, mode: str = "plain"):
        answer = engine.ask(question)
        reply = render.text(answer) if mode == "plain" else render.render(answer).text
        return answer, reply

    return _ask


# -- Slack (econ071/slackapp): the real app in HTTP mode, Slack's Web API as a local stand-in


@pytest.fixture(scope="module")
def slack_api():
    """Slack's Web API on 127.0.0.1 (tests/slack_standin.py), one per test module."""
    from slack_standin import SlackStandIn

    with SlackStandIn() as standin:
        yield standin


@pytest.fixture
def slack(slack_api):
    """The module's stand-in with the calls of earlier tests cleared."""
    slack_api.clear()
    return slack_api


@pytest.fixture(scope="module")
def slack_env(slack_api, store_path: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Settings for the app in HTTP mode, with its own copy of the store."""
    from slack_harness import BOT_TOKEN, SIGNING_SECRET, copy_store

    db = copy_store(store_path, tmp_path_factory.mktemp("slack-store"))
    return {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": slack_api.url,
        "ECON071_DB": str(db),
    }


@pytest.fixture(scope="module")
def http_app(slack_env: dict):
    """The Bolt app behind its WSGI adapter, served on 127.0.0.1 (tests/slack_harness.py)."""
    from slack_harness import HttpApp

    with HttpApp(slack_env) as app:
        yield app


@pytest.fixture
def sender(http_app):
    """Signs and posts slash commands, events and interactions as Slack does."""
    from slack_harness import SlackSender

    return SlackSender(http_app.url)


# -- importing CBS data (tests/test_import_*.py) ------------------------------------------
CBS_FIXTURES = ROOT / "tests" / "fixtures" / "cbs"


@pytest.fixture(scope="session")
def seed_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store built from data/ and never imported into: tests copy it (see fresh_store)."""
    from econ071.store.build import build

    path = tmp_path_factory.mktemp("seed") / "econ071.sqlite"
    build(path, ROOT / "data")
    return path


@pytest.fixture
def fresh_store(seed_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the seed store at ECON071_DB, for tests that import."""
    import shutil
    import sqlite3

    conn = sqlite3.connect(seed_store)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    path = tmp_path / "econ071.sqlite"
    shutil.copyfile(seed_store, path)
    monkeypatch.setenv("ECON071_DB", str(path))
    return path


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite tests/golden/answers.json from today's answers (review its diff)",
    )
