"""The question path stays light: no Slack, no pandas, no sqlite-utils when asking."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.parametrize("module", ["indicators.engine", "indicators.render", "bot.cli"])
def test_question_path_imports_neither_slack_nor_pandas(module):
    code = (
        f"import sys, {module}; "
        "heavy = [m for m in ('slack_bolt', 'slack_sdk', 'pandas', 'sqlite_utils', 'matplotlib',"
        " 'apscheduler') if m in sys.modules]; print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_asking_on_a_built_store_imports_neither_slack_nor_pandas(store_path):
    code = (
        "import sys; from indicators.engine import Engine; from indicators import render;"
        f" e = Engine(__import__('pathlib').Path({str(store_path)!r}));"
        " render.text(e.ask('banen Leiden 2016'));"
        " print(','.join(m for m in ('slack_bolt', 'slack_sdk', 'pandas', 'sqlite_utils')"
        " if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_engine_package_never_imports_slack():
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "indicators"
    offenders = [
        str(p)
        for p in root.rglob("*.py")
        if "import slack" in p.read_text() or "from slack" in p.read_text()
    ]
    assert offenders == []
