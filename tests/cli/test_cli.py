"""The econ071 command line, run as a real process: ask, ask --json, chat, build."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent / "econ071"


def run(*args: str, input: str | None = None, env_db: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "ECON071_DB": str(env_db)}
    return subprocess.run(
        [str(BIN), *args], input=input, capture_output=True, text=True, env=env, timeout=120
    )


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("cli") / "econ071.sqlite"


def test_ask_prints_the_figure_its_source_and_a_caveat(db):
    out = run("ask", "banen Leiden 2016", env_db=db)
    assert out.returncode == 0, out.stderr
    assert "67.537" in out.stdout
    assert "LISA" in out.stdout
    assert "Let op" in out.stdout
    assert "Traceback" not in out.stderr


def test_ask_uitleg_gives_the_long_form(db):
    short = run("ask", "banen Leiden 2016", env_db=db)
    out = run("ask", "--uitleg", "banen Leiden 2016", env_db=db)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines()[0] == short.stdout.splitlines()[0]  # the figure first
    assert "Wat het is:" in out.stdout and "Duiding in de quick scan" in out.stdout
    assert "Wat het is:" not in short.stdout and len(out.stdout) > len(short.stdout)


def test_ask_json_gives_the_structured_answer(db):
    out = run("ask", "--json", "banen leidn 2016", env_db=db)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["status"] == "answered"
    figure = data["figures"][0]
    assert figure["value"] == 67537
    assert figure["place"] == {"name": "Leiden", "code": "GM0546"}
    assert figure["period"] == "2016"
    assert figure["unit"] == "aantal"
    assert figure["source"]["id"] == "lisa_bzh"
    assert data["caveats"] and data["reply"]
    assert any(n["kind"] == "fuzzy" for n in data["notes"])


@pytest.mark.parametrize(
    "question, status",
    [
        ("xyzzy", "not found"),
        ("", "answered"),
        ("banen 1999", "not found"),
        ("<!channel>", "answered"),
    ],
)
def test_anything_a_user_types_exits_zero_with_a_status(db, question, status):
    out = run("ask", "--json", question, env_db=db)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["status"] == status


def test_chat_answers_line_by_line_until_an_empty_line(db):
    out = run("chat", input="banen Leiden 2016\nwerkloosheid\n\n", env_db=db)
    assert out.returncode == 0, out.stderr
    assert "67.537" in out.stdout
    assert "5,5%" in out.stdout and "7,6%" in out.stdout
