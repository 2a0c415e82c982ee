"""The question path stays light: no Slack, no pandas, no sqlite-utils when asking."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.parametrize("module", ["econ071", "econ071.rendering.render", "econ071.cli.main"])
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
        "import sys; from econ071.answering.engine import Engine; from econ071.rendering import render;"
        f" e = Engine(__import__('pathlib').Path({str(store_path)!r}));"
        " [render.text(e.ask(q)) for q in ('banen Leiden 2016', 'banen Teylingen',"
        " 'wat zegt de quick scan over zzp', 'uitleg werkloosheid', 'bronnen', 'lijst')];"
        " print(','.join(m for m in ('slack_bolt', 'slack_sdk', 'pandas', 'sqlite_utils')"
        " if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_engine_package_never_imports_slack():
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "econ071"
    front_ends = (root / "slackapp", root / "cli")
    offenders = [
        str(p)
        for p in root.rglob("*.py")
        if not any(p.is_relative_to(f) for f in front_ends)
        if "import slack" in p.read_text() or "from slack" in p.read_text()
    ]
    assert offenders == []


def test_data_files_with_new_mtimes_are_recognised_without_pandas(tmp_path):
    # A fresh checkout gives data/ new mtimes: the store compares contents (hashlib, not
    # the build's sqlite-utils and pandas) and answers without rebuilding.
    import os
    import shutil
    from pathlib import Path

    from econ071.store.build import build

    data = tmp_path / "data"
    shutil.copytree(Path(__file__).resolve().parent.parent / "data", data)
    db = tmp_path / "store.sqlite"
    build(db, data)
    for path in data.rglob("*.csv"):
        os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    code = (
        "import sys; from econ071.answering.engine import Engine; from econ071.rendering import render;"
        f" e = Engine(__import__('pathlib').Path({str(db)!r}));"
        " print(render.text(e.ask('banen Leiden 2016')).count('67.537'),"
        " ','.join(m for m in ('pandas', 'sqlite_utils') if m in sys.modules))"
    )
    env = {**os.environ, "ECON071_DATA_DIR": str(data)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env=env)  # fmt: skip
    assert out.stdout.strip() == "1"


def test_slack_answers_with_buttons_import_no_matplotlib(store_copy):
    # A trend's reply (its follow-ups, "Toon grafiek", CSV) is rendered without drawing:
    # matplotlib is imported only when the chart is uploaded, after the answer is out.
    # The operational database is made at start-up, as a running server has it (making it
    # runs sqlite-utils' migrations, which load pandas).
    from econ071.store.questionlog import QuestionLog

    QuestionLog(store_copy).prepare()
    code = (
        "import sys; from pathlib import Path; from econ071.slackapp.assistant import Assistant;"
        " from econ071.slackapp.settings import Settings; from econ071.answering.engine import Engine;"
        f" e = Engine(Path({str(store_copy)!r}));"
        " a = Assistant(Settings(mode='http', bot_token='xoxb-x'), e);"
        " r = a.reply('trend banen Leiden', share=True); a.reply('vergelijk banen', conversation=True);"
        " a.close(); print(len(r.blocks) > 3,"
        " ','.join(m for m in ('matplotlib', 'pandas') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "True"
