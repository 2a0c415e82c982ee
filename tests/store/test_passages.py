"""The report's passages, searchable: data/passages.csv in the store's FTS5 index, found by
what partners ask about the quick scan and the slides."""

from __future__ import annotations

import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from econ071.core.errors import DataError
from econ071.store import passages
from econ071.store.build import build

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def conn(store_path):
    """The session's store, built by econ071.store.build from the real data/ (conftest)."""
    with closing(sqlite3.connect(store_path)) as c:
        yield c


def ids(conn, question: str) -> list[str]:
    return [p.id for p in passages.search(conn, question)]


def test_the_quick_scan_on_zzp_ers_is_found_in_its_chapter(conn):
    found = passages.search(conn, "wat zegt de quick scan over zzp'ers")
    assert found, "nothing found"
    assert all(p.document == "quickscan" for p in found)
    top = found[0]
    assert top.reference == "hoofdstuk 4.4 De opmars van de micro-ondernemingen"
    assert "zzp’ers" in top.text
    assert [p.score for p in found] == sorted((p.score for p in found), reverse=True)


def test_why_incapacity_is_high_in_zoeterwoude_finds_swetterhage(conn):
    found = passages.search(conn, "waarom is de arbeidsongeschiktheid in Zoeterwoude hoog")
    assert any("Swetterhage" in p.text for p in found)
    assert found[0].reference == "hoofdstuk 5 De kwetsbare populatie"


@pytest.mark.parametrize(
    "question, slide",
    [
        ("wat bedoelen de dia's met werkzekerheid", "dia-03"),
        ("welke beleidsopties noemen de slides", "dia-17"),
        ("hoe groot is de basiskans op een werkzeker loopbaanvervolg", "dia-11"),
        ("wat is de hoofdboodschap van de presentatie", "dia-26"),
    ],
)
def test_a_question_about_the_slides_finds_the_slide(conn, question, slide):
    found = passages.search(conn, question)
    assert found[0].id == slide
    assert found[0].document == "slides"
    assert found[0].reference.startswith("dia ")


def test_naming_a_document_searches_that_document_first(conn):
    # 'werkzekerheid' is a slides word; the quick scan has 'werkloosheid' and 'werk' aplenty.
    assert all(p.document == "slides" for p in passages.search(conn, "werk volgens de dia's"))
    assert all(p.document == "quickscan" for p in passages.search(conn, "werk in de quick scan"))


def test_stemming_finds_werkzekerheid_by_werkzeker_and_folds_diacritics(conn):
    assert passages.stems("werkzekerheid") == passages.stems("werkzeker")
    assert ids(conn, "werkzeker")[:1] == ids(conn, "werkzekerheid")[:1]
    assert ids(conn, "werkzeker")
    assert ids(conn, "Oekraine referendum") == ids(conn, "Oekraïne-referendum")
    assert ids(conn, "kennissteden")  # steden/stad: one stem
    assert passages.stems("centrumstad") == passages.stems("centrumsteden")


def test_stop_words_and_document_words_are_not_searched_for():
    assert passages.query_terms("wat zegt de quick scan over zzp'ers?") == ["zzp", "zzper"]
    assert passages.query_terms("Wat? Waarom? Welke? Volgens de dia's") == []


@pytest.mark.parametrize(
    "text", ["", "   ", "xyzzy qwrtp", "?!#@", "de het een", "wat zegt de quick scan"]
)
def test_garbage_and_empty_questions_give_an_empty_list(conn, text):
    assert passages.search(conn, text) == []


@pytest.mark.parametrize(
    "text",
    [
        '"',
        'zzp" OR "',
        "NEAR(zzp werk)",
        "zorg*",
        "^zorg",
        "zorg AND",
        "(((",
        "-zorg",
        "a:b",
        "'; DROP TABLE passages; --",
    ],
)
def test_fts5_syntax_typed_by_a_user_is_searched_as_words(conn, text):
    assert isinstance(passages.search(conn, text), list)
    assert conn.execute("SELECT count(*) FROM passages").fetchone()[0] > 100


@given(st.text(max_size=300))
def test_any_string_gives_a_list_never_an_exception(conn, text):
    found = passages.search(conn, text, limit=3)
    assert isinstance(found, list) and len(found) <= 3
    assert all(isinstance(p, passages.Passage) for p in found)


def test_the_build_loads_every_passage_once_and_the_index_matches(conn):
    rows = conn.execute("SELECT count(*), count(DISTINCT id) FROM passages").fetchone()
    indexed = conn.execute("SELECT count(*) FROM passages_fts").fetchone()[0]
    with (ROOT / "data" / "passages.csv").open(encoding="utf-8") as f:
        lines = sum(1 for _ in f) - 1
    assert rows == (lines, lines) and indexed == lines
    docs = dict(conn.execute("SELECT document, count(*) FROM passages GROUP BY document"))
    assert docs["quickscan"] > 100 and docs["slides"] > 15


def test_passages_are_clean_text(conn):
    for pid, text in conn.execute("SELECT id, text FROM passages"):
        assert "  " not in text and "●" not in text, pid
        assert not text.startswith(("32 ", "37 ")), f"{pid}: a page number"
        assert "Kennisverslag UWV 2014-2" not in text, f"{pid}: a footnote"


@pytest.fixture
def data_copy(tmp_path) -> Path:
    copy = tmp_path / "data"
    shutil.copytree(ROOT / "data", copy)
    return copy


@pytest.mark.parametrize(
    "replace, field",
    [
        (("quickscan", "kwikscan"), "document"),
        (("hoofdstuk 4.4 De opmars van de micro-ondernemingen", ""), "reference"),
        (("qs-h1-02", "qs-h1-01"), "id"),
    ],
)
def test_a_bad_passage_row_is_refused_naming_file_line_and_field(
    conn, data_copy, tmp_path, replace, field
):
    path = data_copy / "passages.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(*replace, 1), encoding="utf-8")
    store = tmp_path / "store.sqlite"
    with closing(sqlite3.connect(store)) as copy:  # a built store, as a user has one
        conn.backup(copy)
    with pytest.raises(DataError) as err:
        build(store, data_copy)
    assert err.value.file.endswith("passages.csv")
    assert isinstance(err.value.line, int) and err.value.line > 1
    assert err.value.field == field
    with closing(sqlite3.connect(store)) as c:  # nothing half-written
        assert (
            c.execute("SELECT count(*) FROM passages WHERE document = 'kwikscan'").fetchone()[0]
            == 0
        )
        assert c.execute("SELECT count(*) FROM passages_fts").fetchone()[0] > 100


def test_the_passages_module_stays_off_pandas_and_slack():
    import subprocess
    import sys

    code = (
        "import sys, econ071.store.passages; "
        "bad = [m for m in ('pandas', 'sqlite_utils', 'slack_bolt', 'slack_sdk') if m in sys.modules]; "
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
