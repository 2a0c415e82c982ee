"""Shared fixtures: a real SQLite store built from the real data/ in a temporary file."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store built once per test session from data/ (the real figures)."""
    from indicators.build import build

    path = tmp_path_factory.mktemp("store") / "econ071.sqlite"
    build(path, ROOT / "data")
    return path


@pytest.fixture(scope="session")
def engine(store_path: Path):
    from indicators.engine import Engine

    return Engine(store_path)


@pytest.fixture(autouse=True)
def _isolated_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test touches the user's own store: ECON071_DB points into tmp_path unless a
    test sets it itself."""
    if not os.environ.get("ECON071_KEEP_DB_FOR_TESTS"):
        monkeypatch.setenv("ECON071_DB", str(tmp_path / "econ071.sqlite"))
    monkeypatch.delenv("ECON071_DATA_DIR", raising=False)
    monkeypatch.setenv("MPLBACKEND", "Agg")


@pytest.fixture
def ask(engine):
    """ask(question, mode='plain') -> (answer, reply text)."""
    from indicators import render

    def _ask(question: str, mode: str = "plain"):
        answer = engine.ask(question)
        reply = render.text(answer) if mode == "plain" else render.mrkdwn(answer)
        return answer, reply

    return _ask
