"""Figures imported from CBS beside the quick scan's: the newest period first, the report's
own earlier figure mentioned, provisional figures said to be provisional, and the source
line naming the CBS table and its release."""

from __future__ import annotations

import sqlite3

import pytest

from econ071.rendering import render


@pytest.fixture(scope="module")
def imported_engine(tmp_path_factory, store_path):
    from contextlib import closing

    from econ071.answering.engine import Engine

    path = tmp_path_factory.mktemp("imported") / "econ071.sqlite"
    with closing(sqlite3.connect(store_path)) as src, closing(sqlite3.connect(path)) as dst:
        src.backup(dst)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN")
    conn.execute(
        "INSERT INTO sources (id, organisation, publication, method, licence, origin)"
        " VALUES ('cbs_81575ned', 'CBS', 'Banen van werknemers; regio (81575ned)', 'register',"
        " 'CC BY 4.0', 'import')"
    )
    for code in ("cbs_81575ned", "2019", "Voorlopig"):
        conn.execute("INSERT OR IGNORE INTO codes (code) VALUES (?)", (code,))
    ids = dict(conn.execute("SELECT code, id FROM codes WHERE code IS NOT NULL"))
    cur = conn.execute(
        "INSERT INTO imports (file, sha256, format, table_id, title, imported_at, rows_added)"
        " VALUES ('81575ned.json', 'x', 'cbs-odata', '81575ned', 'Banen; regio',"
        " '2026-11-30T09:00:00', 1)"
    )
    from econ071.store import imports as records

    records.ensure(conn)
    conn.execute(
        "INSERT INTO import_details (import_id, source, release) VALUES (?, 'cbs', '2026-11-27')",
        (cur.lastrowid,),
    )
    conn.execute(
        "INSERT INTO figure_values (indicator, place, period, breakdown, source, chapter, value,"
        " status, import_id) VALUES (?, ?, ?, 0, ?, 0, 70125, ?, ?)",
        (ids["banen"], ids["GM0546"], ids["2019"], ids["cbs_81575ned"], ids["Voorlopig"],
         cur.lastrowid),
    )  # fmt: skip
    conn.execute(
        "INSERT INTO meta (key, value) VALUES ('imported_at', '2026-11-30T09:00:00')"
        " ON CONFLICT (key) DO UPDATE SET value = excluded.value"
    )
    conn.execute("COMMIT")
    conn.close()
    return Engine(path)


def test_the_newest_imported_figure_comes_first_with_the_reports_earlier_one(imported_engine):
    answer = imported_engine.ask("banen Leiden")
    reply = render.text(answer)
    first = reply.splitlines()[0]
    assert "70.125" in first and "2019" in first, reply
    assert "voorlopig" in first, reply  # a provisional figure says so where it is given
    assert "In de quick scan: 67.537 (in 2016)" in reply


def test_the_source_line_names_the_cbs_table(imported_engine):
    reply = render.text(imported_engine.ask("banen Leiden 2019"))
    source = next(line for line in reply.splitlines() if line.startswith("Bron"))
    assert "81575ned" in source and "27 november 2026" in source, reply


def test_asking_for_the_reports_year_still_gives_the_reports_figure(imported_engine):
    reply = render.text(imported_engine.ask("banen Leiden 2016"))
    assert reply.splitlines()[0].startswith("Banen") and "67.537" in reply.splitlines()[0]
