"""Clean text out: control and format characters typed by anyone never reach a terminal
or Slack raw (econ071.core.cleantext.clean, on every surface)."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import time
import unicodedata
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from slack_harness import BOT_USER_ID, SlackSender, all_text, message_event

from econ071.core.cleantext import clean
from econ071.rendering import render
from econ071.store.questionlog import QuestionLog

ROOT = Path(__file__).resolve().parents[2]
BAD = {"Cc", "Cf", "Cs", "Zl", "Zp"}
ATTACK = "\x1b[2J\x1b]0;pwned\x07\u202ebanen\u200d Leiden\u2066 2016\x9b31m\u200b"


def _bad(text: str, allowed: str = "") -> list[str]:
    return [c for c in text if unicodedata.category(c) in BAD and c not in allowed]


@given(st.text())
def test_nothing_raw_survives(text):
    out = clean(text)
    assert _bad(out, allowed="\n\t") == []
    assert len(out) <= len(text)
    assert clean(out) == out  # idempotent


@given(st.text())
def test_one_line_mode_has_no_line_breaks_or_tabs(text):
    out = clean(text, newlines=False)
    assert _bad(out) == [] and "\n" not in out and "\t" not in out


@given(st.text(st.characters(exclude_categories=("Cc", "Cf", "Cs", "Zl", "Zp"))))
def test_ordinary_text_is_untouched(text):
    assert clean(text) == text


def test_controls_are_made_visible_and_format_characters_removed():
    assert clean("\x1b[31mrood\x1b[0m") == "␛[31mrood␛[0m"
    assert clean("a\rb\x00c\x7f") == "a␍b␀c␡"
    assert clean("\x9b2J") == "\ufffd2J"
    assert clean("admin\u202egpj.exe") == "admingpj.exe"
    assert clean("Lei\u200bden\u200d\ufeff\u2066") == "Leiden"
    assert clean("regel 1\nregel 2\tx") == "regel 1\nregel 2\tx"
    assert clean("regel 1\nregel 2\tx", newlines=False) == "regel 1␤regel 2 x"
    assert clean("€ 1.000 – café 👍") == "€ 1.000 – café 👍"


def test_slack_escape_cleans_too():
    assert render.slack_escape("\x1b[2J<!channel>\u202e") == "␛[2J&lt;!channel&gt;"


def test_terminal_answers_are_clean(engine):
    reply = render.text(engine.ask(ATTACK))
    assert _bad(reply, allowed="\n") == []


# -- over the wire: typed in Slack, read back in Slack and in the administrator's terminal --


def _logged_rows(db: Path, fragment: str, timeout: float = 5.0):
    deadline = time.monotonic() + timeout
    while True:
        rows = [q for q in QuestionLog(db).questions() if fragment in q.text]
        if rows or time.monotonic() > deadline:
            return rows
        time.sleep(0.02)


def test_an_esc_sequence_typed_in_slack_never_reaches_slack_or_the_terminal_raw(
    http_app, slack, slack_env
):
    sender = SlackSender(http_app.url)
    body = sender.command(ATTACK, slack.response_url()).json()
    shown = json.dumps(body, ensure_ascii=False)
    assert _bad(all_text(body["blocks"]) + body["text"], allowed="\n") == []
    assert "\x1b" not in shown and "\u202e" not in shown and "␛[2J" in all_text(body["blocks"])
    sender.event(message_event(f"<@{BOT_USER_ID}> {ATTACK}", ts="1700030000.000001"))
    [post] = slack.wait_for("chat.postMessage")
    assert _bad(all_text(post.params["blocks"]) + post.params["text"], allowed="\n") == []

    db = Path(slack_env["ECON071_DB"])
    rows = _logged_rows(db, "pwned")
    assert rows and all(_bad(r.text) == [] for r in rows)
    # An older row, logged raw before this version, is cleaned on the way out as well.
    QuestionLog(db).record("\x1b]0;oud\x07\x1b[2Jbanen\u202e", status="answered")
    env = {**os.environ, "ECON071_DB": str(db)}
    for args in ([], ["--json"], ["--csv"]):
        out = subprocess.run([sys.executable, "-m", "econ071.cli.main", "vragen", *args], cwd=ROOT,
                             env=env, capture_output=True, timeout=60)  # fmt: skip
        assert out.returncode == 0, out.stderr
        assert b"\x1b" not in out.stdout and b"\x07" not in out.stdout
        text = out.stdout.decode()
        assert "\u202e" not in text and "\x9b" not in text
        assert "␛]0;oud␇␛[2Jbanen" in text.replace("\\u241b", "␛")
    rows = list(csv.DictReader(io.StringIO(out.stdout.decode())))
    assert {"asked_at", "status", "text", "understood"} <= set(rows[0])


def test_csv_output_defuses_formulas(store_copy, monkeypatch):
    from click.testing import CliRunner

    from econ071.cli.main import main

    monkeypatch.setenv("ECON071_DB", str(store_copy))
    log = QuestionLog(store_copy)
    log.prepare()
    log.record('=HYPERLINK("http://x","klik")', status="not found")
    result = CliRunner().invoke(main, ["vragen", "--csv"])
    assert result.exit_code == 0, result.output
    [row] = list(csv.DictReader(io.StringIO(result.output)))
    assert row["text"] == '\'=HYPERLINK("http://x","klik")' and row["status"] == "not found"


def test_the_fast_path_spaces_are_exactly_the_unicode_spaces():
    from econ071.core.cleantext import _SPACES

    spaces = {chr(c) for c in range(0x110000) if unicodedata.category(chr(c)) == "Zs"}
    assert set(_SPACES) == spaces - {" "}


def test_log_lines_reach_the_administrator_clean():
    import logging

    from econ071.slackapp.settings import RedactingFilter

    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "vraag %s", ("\x1b[2Jhoi\u202e",),
                               None)  # fmt: skip
    try:
        raise ValueError("\x1b]0;titel\x07")
    except ValueError:
        import sys

        record.exc_info = sys.exc_info()
    RedactingFilter(("geheim",)).filter(record)
    assert record.getMessage() == "vraag ␛[2Jhoi"
    assert "\x1b" not in record.exc_text and "␛]0;titel␇" in record.exc_text
