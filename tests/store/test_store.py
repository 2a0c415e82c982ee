"""The indicator store: integrity of the figures, provenance, deterministic and atomic builds."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from pathlib import Path

import pytest

from econ071.core.errors import DataError
from econ071.store.build import build
from econ071.store.figures import ensure_built

ROOT = Path(__file__).resolve().parents[2]
SIX = ("GM0537", "GM0546", "GM0547", "GM0579", "GM0626", "GM0638")


@pytest.fixture(scope="module")
def db(store_path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(store_path)
    yield conn
    conn.close()


def one(db, sql, *params):
    row = db.execute(sql, params).fetchone()
    return row[0] if row else None


@pytest.mark.parametrize("year, total", [("2010", 119003), ("2016", 120198)])
def test_six_municipalities_sum_to_the_071_total(db, year, total):
    stored_total = one(
        db,
        "SELECT value FROM figures WHERE indicator='banen' AND place='X_071' AND period=?"
        " AND breakdown IS NULL",
        year,
    )
    assert stored_total == total
    placeholders = ",".join("?" * len(SIX))
    sql = "SELECT place, value FROM figures WHERE indicator='banen' AND period=?"
    sql += f" AND breakdown IS NULL AND place IN ({placeholders})"  # noqa: S608
    parts = db.execute(sql, (year, *SIX)).fetchall()
    assert {p for p, _ in parts} == set(SIX)
    assert sum(v for _, v in parts) == total


@pytest.mark.parametrize("year, total", [("2010", 119003), ("2016", 120198)])
def test_sectors_sum_to_the_071_total(db, year, total):
    rows = db.execute(
        "SELECT breakdown, value FROM figures WHERE indicator='banen' AND place='X_071'"
        " AND period=? AND breakdown LIKE 'sector:%'",
        (year,),
    ).fetchall()
    assert len(rows) == 14
    assert sum(v for _, v in rows) == total


def test_each_column_of_sector_shares_sums_to_100(db):
    columns = db.execute(
        "SELECT place, sum(value), count(*) FROM figures WHERE indicator='aandeel_sector'"
        " AND chapter = 'H1.3' GROUP BY place"
    ).fetchall()
    assert {p for p, _, _ in columns} >= {"X_071", "CR25", "CR23", "NL01"}
    for place, total, count in columns:
        assert count == 13, place
        assert abs(round(total, 6) - 100) <= 0.1, (place, total)


def test_every_figure_has_a_catalog_entry_a_unit_and_a_source(db):
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    orphans = db.execute(
        "SELECT f.indicator, f.place FROM figures f LEFT JOIN indicators i ON i.id = f.indicator"
        " LEFT JOIN sources s ON s.id = f.source LEFT JOIN places p ON p.code = f.place"
        " WHERE i.id IS NULL OR s.id IS NULL OR p.code IS NULL OR i.unit IS NULL"
        " OR i.unit = ''"
    ).fetchall()
    assert orphans == []
    unsourced = db.execute(
        "SELECT id FROM indicators WHERE sources IS NULL OR sources = ''"
    ).fetchall()
    assert unsourced == []


def test_no_orphan_sources_places_or_indicators(db):
    unused_sources = db.execute(
        "SELECT id FROM sources WHERE id NOT IN (SELECT source FROM figures)"
        " AND id NOT IN (SELECT value FROM indicators, json_each('[\"' ||"
        " replace(sources, '|', '\",\"') || '\"]'))"
    ).fetchall()
    assert unused_sources == []
    unused_places = db.execute(
        "SELECT code FROM places WHERE code NOT IN (SELECT place FROM figures)"
        " AND code NOT IN (SELECT place FROM place_members)"
        " AND code NOT IN (SELECT member FROM place_members)"
        " AND NOT EXISTS (SELECT 1 FROM caveats c WHERE '|' || c.place || '|'"
        " LIKE '%|' || code || '|%')"
    ).fetchall()
    assert unused_places == []
    # Indicators without figures are allowed only when the catalog says where they would
    # come from (the Index071 parameters the report names without figures).
    silent = db.execute(
        "SELECT id FROM indicators WHERE id NOT IN (SELECT indicator FROM figures)"
        " AND (availability IS NULL OR availability = '')"
    ).fetchall()
    assert silent == []


def test_ranges_and_approximations_are_kept_as_published(db):
    zoeterwoude = db.execute(
        "SELECT value, low, high, qualifier, value_text FROM figures"
        " WHERE indicator='ao_aandeel' AND place='GM0638'"
    ).fetchone()
    assert zoeterwoude[0] is None
    assert (zoeterwoude[1], zoeterwoude[2], zoeterwoude[3]) == (6.5, 7.5, "range")
    leiden_single = db.execute(
        "SELECT value, qualifier FROM figures WHERE indicator = 'aandeel_alleenwonenden'"
        " AND place='GM0546'"
    ).fetchone()
    assert leiden_single == (30, "almost")
    margins = dict(
        (p, (lo, hi))
        for p, lo, hi in db.execute(
            "SELECT place, low, high FROM figures WHERE indicator='werklozen'"
        )
    )
    assert margins["GM0546"] == (4452, 4517)
    assert margins["GM0638"] == (150, 193)


def test_every_value_traces_to_source_publication_and_chapter(db):
    untraced = db.execute(
        "SELECT f.indicator, f.place FROM figures f JOIN sources s ON s.id = f.source"
        " WHERE f.origin = 'seed' AND (f.chapter IS NULL OR f.chapter = ''"
        " OR s.organisation = '' OR coalesce(s.publication, s.via, '') = '')"
    ).fetchall()
    assert untraced == []


def test_bijstand_per_municipality_keeps_its_reference_date(db):
    rows = db.execute(
        "SELECT place, ref_date FROM figures WHERE indicator IN ('bijstand_tot67',"
        " 'bijstandsgerelateerd', 'bijstand_totaal', 'bijstand_aandeel') AND place LIKE 'GM%'"
    ).fetchall()
    assert len(rows) == 24  # the six municipalities x the four columns of the table
    assert {date for _, date in rows} == {"2016-12-31"}


def _seed_dump(path: Path) -> list:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(
            "SELECT indicator, place, period, breakdown, value, low, high, qualifier, source,"
            " chapter FROM figures ORDER BY indicator, place, period, breakdown, source, chapter"
        ).fetchall()
    finally:
        conn.close()


def test_build_is_deterministic(tmp_path):
    a, b = tmp_path / "a.sqlite", tmp_path / "b.sqlite"
    build(a, ROOT / "data")
    build(b, ROOT / "data")
    build(b, ROOT / "data")  # a rebuild over an existing store changes nothing
    assert _seed_dump(a) == _seed_dump(b)


@pytest.fixture
def data_copy(tmp_path) -> Path:
    copy = tmp_path / "data"
    shutil.copytree(ROOT / "data", copy)
    return copy


def test_store_is_rebuilt_when_data_changes_and_keeps_imported_figures(tmp_path, data_copy):
    db_path = tmp_path / "store.sqlite"
    ensure_built(db_path, data_copy)
    conn = sqlite3.connect(db_path)
    with conn:
        conn.execute(
            "INSERT INTO figures (indicator, place, period, value, qualifier, source, chapter,"
            " origin) VALUES ('banen', 'GM0546', '2023', 70000, 'exact', 'lisa_bzh', 'import-test',"
            " 'import')"
        )
    conn.close()
    ensure_built(db_path, data_copy)  # nothing changed: no rebuild, nothing lost
    figures = data_copy / "figures"
    target = next(p for p in sorted(figures.glob("*.csv")) if "67537" in p.read_text())
    target.write_text(target.read_text().replace("67537", "67538", 1))
    ensure_built(db_path, data_copy)
    conn = sqlite3.connect(db_path)
    try:
        values = {
            r[0]: r[1]
            for r in conn.execute(
                "SELECT period, value FROM figures WHERE indicator='banen' AND place='GM0546'"
                " AND breakdown IS NULL"
            )
        }
    finally:
        conn.close()
    assert values["2016"] == 67538  # the change in data/ is in the store
    assert values["2023"] == 70000  # the imported figure survived the rebuild


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize(
    "mutate, expected",
    [
        (lambda t: t.replace("67537", "zes", 1), ("line", "value", "expected a number")),
        (lambda t: t.replace(",GM0546,", ",GM9999,", 1), ("line", "place", "GM9999")),
        # The same check as an import of the same format (schema.PERIOD).
        (
            lambda t: t.replace(",GM0546,2016,", ",GM0546,2016-Q1,", 1),
            ("line", "period", "'2016-Q1'; expected a year"),
        ),
        (lambda t: t.replace("indicator,place", "indicatr,place", 1), ("line 1", "header")),
    ],
)
def test_bad_data_file_names_file_line_field_and_changes_nothing(
    tmp_path, data_copy, mutate, expected
):
    db_path = tmp_path / "store.sqlite"
    build(db_path, data_copy)
    before = _sha(db_path)
    target = next(
        p for p in sorted((data_copy / "figures").glob("*.csv")) if "67537" in p.read_text()
    )
    target.write_text(mutate(target.read_text()))
    with pytest.raises(DataError) as err:
        build(db_path, data_copy)
    message = str(err.value)
    assert target.name in message
    for fragment in expected:
        assert fragment in message
    assert _sha(db_path) == before


def test_a_seed_figure_that_repeats_an_imported_one_is_a_precise_error(tmp_path):
    db_path = tmp_path / "store.sqlite"
    build(db_path, ROOT / "data")
    conn = sqlite3.connect(db_path)
    with conn:
        conn.execute(  # as if an import had brought it (figures is a view over these)
            "UPDATE figure_values SET import_id = 0"
            " WHERE indicator = (SELECT id FROM codes WHERE code = 'banen')"
            " AND place = (SELECT id FROM codes WHERE code = 'GM0546')"
            " AND period = (SELECT id FROM codes WHERE code = '2016') AND breakdown = 0"
        )
    conn.close()
    with pytest.raises(DataError) as err:
        build(db_path, ROOT / "data")
    assert "repeats one already imported" in str(err.value)
    conn = sqlite3.connect(db_path)
    try:  # rolled back: the imported figure is still there, once
        rows = conn.execute(
            "SELECT origin, value FROM figures WHERE indicator = 'banen' AND place = 'GM0546'"
            " AND period = '2016' AND breakdown IS NULL"
        ).fetchall()
    finally:
        conn.close()
    assert rows == [("import", 67537.0)]
