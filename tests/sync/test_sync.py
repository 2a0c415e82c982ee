"""`econ071 sync` against a local stand-in of CBS's OData v4 API (tests/cbs_standin.py)
serving the captured tables (tests/fixtures/cbs, Bron: CBS, CC BY 4.0). No network."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from cbs_standin import CbsStandIn
from click.testing import CliRunner

from econ071.cli.main import main
from econ071.sync import query, tables

FIXTURES = Path(__file__).parent.parent / "fixtures" / "cbs"
LEIDEN_2019 = "124.899"  # Bevolking op 1 januari 2019, Leiden (03759ned)


@pytest.fixture
def cbs():
    with CbsStandIn(page_size=40) as standin:
        standin.add(FIXTURES / "03759ned")
        standin.add(FIXTURES / "80590ned")
        yield standin


@pytest.fixture
def env(cbs, fresh_store):
    """Tiny waits: back-off 10 ms, Retry-After capped at 50 ms, time-out 1 s."""
    return {
        "ECON071_CBS_URL": cbs.url,
        "ECON071_SYNC_BACKOFF": "0.01",
        "ECON071_SYNC_MAX_WAIT": "0.05",
        "ECON071_SYNC_TIMEOUT": "1",
        "ECON071_SYNC_ATTEMPTS": "4",
    }


def run(env: dict, *args: str, code: int = 0):
    result = CliRunner().invoke(main, list(args), env=env)
    assert result.exit_code == code, result.output
    return result


def ask(env: dict, question: str) -> str:
    return run(env, "ask", question).output


def figure(db: Path, indicator: str, place: str, period: str, source: str = "cbs_03759ned"):
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT value, status FROM figures WHERE indicator = ? AND place = ? AND period = ?"
            " AND breakdown IS NULL AND source = ?",
            (indicator, place, period, source),
        ).fetchone()


def test_first_sync_through_two_503s_answers_the_figures(cbs, env, fresh_store):
    cbs.fail("Observations", 503, retry_after="1", times=2)
    out = run(env, "sync", "03759ned").output
    assert "03759ned: release 2026-06-23:" in out and "figures added" in out
    assert LEIDEN_2019 in ask(env, "bevolking Leiden 2019")
    reply = ask(env, "bevolking Leiden 2019")
    assert "(03759ned)" in reply
    # Only what is needed: the served regions, not Bergen or Utrecht that CBS also has.
    with sqlite3.connect(fresh_store) as conn:
        places = {r[0] for r in conn.execute(
            "SELECT DISTINCT place FROM figures WHERE source = 'cbs_03759ned'")}  # fmt: skip
    assert places <= {*query.REGIONS, "X_071"} and {"GM0546", "NL01", "PV28"} <= places


def test_pages_are_followed_and_regions_chunked(cbs, env, fresh_store):
    run({**env, "ECON071_SYNC_CHUNK": "3"}, "sync", "03759ned")
    requests = cbs.requests_to("Observations")
    series = [r for r in requests if "$skip" not in r.query]
    assert len(series) == 3  # 8 served regions in the table, 3 to a request
    for r in series:
        assert r.query["$filter"].count("RegioS eq") <= 3
        assert "Geslacht eq 'T001038'" in r.query["$filter"]  # the table's own filter
        assert "Measure eq 'M000352'" in r.query["$filter"]  # mapped measures only
    assert any("$skip" in r.query for r in requests)  # followed @odata.nextLink
    expected = [o for o in cbs.tables["03759ned"].observations
                if o["RegioS"] in query.REGIONS and o["Geslacht"] == "T001038"
                and o["BurgerlijkeStaat"] == "T001019" and o["Perioden"] >= "2015"]  # fmt: skip
    with sqlite3.connect(fresh_store) as conn:
        stored = conn.execute(
            "SELECT count(*) FROM figures WHERE source = 'cbs_03759ned' AND computed = 0"
        ).fetchone()[0]
    assert stored == len(expected) > 40


def test_unchanged_table_costs_one_small_request(cbs, env):
    run(env, "sync", "03759ned")
    cbs.clear()
    out = run(env, "sync", "03759ned").output
    assert "03759ned: current (release 2026-06-23, no download)" in out
    assert [r.entity for r in cbs.requests] == ["Properties"]


def _new_release(cbs: CbsStandIn, leiden_2019: float = 124900) -> None:
    table = cbs.tables["03759ned"]
    table.properties.update(Version="202612010000", ObservationsModified="2026-12-01T00:00:00+01:00",
                            ReleaseDate="2026-12-01T00:00:00+01:00")  # fmt: skip
    for obs in table.observations:
        if (obs["RegioS"], obs["Perioden"], obs["Measure"]) == ("GM0546", "2019JJ00", "M000352"):
            obs["Value"] = leiden_2019
    for code in table.entities["PeriodenCodes"]["value"]:
        if code["Identifier"] == "2026JJ00":
            code["Status"] = "Voorlopig"


def test_new_release_is_picked_up_with_history_and_provisional_status(cbs, env, fresh_store):
    run(env, "sync", "03759ned")
    _new_release(cbs)
    out = run(env, "sync", "03759ned").output
    # Leiden 2019 revised; 2026 now provisional for 8 regions × 2 measures
    assert "release 2026-12-01" in out and "17 changed" in out
    assert figure(fresh_store, "bevolking", "GM0546", "2019") == (124900, "definitief")
    assert figure(fresh_store, "bevolking", "GM0546", "2026")[1] == "voorlopig"
    with sqlite3.connect(fresh_store) as conn:
        old, new = conn.execute(
            "SELECT old_value, new_value FROM figure_history h JOIN codes c ON c.id = h.place"
            " JOIN codes p ON p.id = h.period WHERE c.code = 'GM0546' AND p.code = '2019'"
        ).fetchone()
        row = conn.execute("SELECT title, release_date, source, version FROM cbs_tables"
                           " WHERE table_id = '03759ned'").fetchone()  # fmt: skip
    assert (old, new) == (124899, 124900)
    assert row == ("Bevolking op 1 januari en gemiddeld; geslacht, leeftijd en regio",
                   "2026-12-01", "cbs_03759ned", "202612010000")  # fmt: skip
    assert "voorlopig" in ask(env, "bevolking Leiden 2026").lower()


def test_retry_after_is_honoured(cbs, env):
    cbs.fail("Properties", 429, retry_after="1")
    run({**env, "ECON071_SYNC_MAX_WAIT": "5"}, "sync", "80590ned")
    first, second = cbs.requests_to("Properties")[:2]
    assert second.at - first.at >= 0.9  # the server's 1 s, not the 10 ms back-off


def test_time_outs_are_retried_then_reported(cbs, env, fresh_store):
    cbs.delay("Properties", 1.5)
    assert (
        "80590ned: release"
        in run({**env, "ECON071_SYNC_TIMEOUT": "0.3"}, "sync", "80590ned").output
    )
    cbs.delay("Properties", 1.0, times=10)
    result = run({**env, "ECON071_SYNC_TIMEOUT": "0.2", "ECON071_SYNC_ATTEMPTS": "2"},
                 "sync", "03759ned", code=1)  # fmt: skip
    [line] = [x for x in result.output.splitlines() if x.startswith("failed:")]
    assert "03759ned" in line and "time-out" in line and "gave up after 2 tries" in line


def test_a_dropped_connection_is_retried(cbs, env):
    cbs.drop("Observations")
    assert "figures added" in run(env, "sync", "80590ned").output


def test_a_truncated_page_refuses_the_table_and_keeps_the_figures(cbs, env, fresh_store):
    run(env, "sync", "03759ned")
    _new_release(cbs, leiden_2019=1)
    cbs.clear()
    cbs.truncate("Observations", times=4)  # every one of the 4 tries of a page ends halfway
    result = run(env, "sync", "03759ned", "80590ned", code=1)
    failed = [x for x in result.output.splitlines() if x.startswith("failed:")]
    assert len(failed) == 1 and "03759ned" in failed[0] and "ends early" in failed[0]
    assert "80590ned: release" in result.output  # the other table is synced all the same
    assert figure(fresh_store, "bevolking", "GM0546", "2019") == (124899, "definitief")
    status = run(env, "sync", "--status").output
    assert "03759ned: release 2026-06-23;" in status and "last error" in status


def test_an_unknown_table_is_one_clear_line(cbs, env, fresh_store):
    result = run(env, "sync", "99999NED", code=1)
    assert result.output.strip().splitlines()[0] == (
        f"failed: 99999NED: table 99999NED not found at {cbs.url}/CBS/99999NED (HTTP 404);"
        " check its id in data/cbs_tables.csv (upper/lower case matters)"
    )
    assert "Traceback" not in result.output
    assert "is not a CBS table id" in run(env, "sync", "bevolking", code=1).output


def test_a_reissued_table_is_followed_to_its_successor(cbs, env, fresh_store):
    cbs.copy_table("03759ned", "85999NED")
    old = cbs.tables["03759ned"].properties
    old["Status"] = "Gestopt"
    old["Description"] = "Deze tabel is gestopt. Zie voor actuele cijfers tabel 85999NED."
    out = run(env, "sync", "03759ned").output
    assert "03759ned is discontinued (CBS status 'Gestopt'); followed its successor 85999NED" in out
    assert figure(fresh_store, "bevolking", "GM0546", "2019", "cbs_85999ned")[0] == 124899
    cbs.clear()
    run(env, "sync", "03759ned")  # next time straight to the successor, one request
    assert [(r.table, r.entity) for r in cbs.requests] == [("85999NED", "Properties")]
    assert "03759ned → 85999NED (successor)" in run(env, "sync", "--status").output


def test_a_discontinued_table_without_successor_is_reported(cbs, env, fresh_store):
    cbs.tables["80590ned"].properties["Status"] = "Gestopt"
    result = run(env, "sync", "80590ned", code=1)
    assert "80590ned is discontinued" in result.output and "names no successor" in result.output


def test_followed_tables_file_matches_cbs_metadata():
    """Every table marked confirmed: its measure codes and filter codes are in CBS's own
    metadata (the captures), and it has some of the regions served."""
    followed = tables.load(Path(__file__).resolve().parents[2] / "data")
    confirmed = [t for t in followed if t.confirmed]
    assert {t.table_id for t in confirmed} == {"03759ned", "80590ned", "85554NED"}
    from econ071.importing import mapping

    maps = mapping.load(Path(__file__).resolve().parents[2] / "data" / "mappings")
    for t in confirmed:
        folder = FIXTURES / t.table_id
        docs = {}
        for path in folder.glob("*.json"):
            doc = json.loads(path.read_text(encoding="utf-8"))
            docs[doc["@odata.context"].rsplit("#", 1)[1]] = doc
        measures = {m["Identifier"] for m in docs["MeasureCodes"]["value"]}
        rules = [r for r in maps.measures if r.table and r.table.lower() == t.table_id.lower()]
        assert rules and all(r.code in measures for r in rules), t.table_id
        for dim, code in __import__("re").findall(r"(\w+) eq '([^']+)'", t.filter or ""):
            if dim != "Perioden":
                codes = {c["Identifier"] for c in docs[f"{dim}Codes"]["value"]}
                assert code in codes, (t.table_id, dim, code)
        if "RegioSCodes" in docs:
            regions = {c["Identifier"] for c in docs["RegioSCodes"]["value"]}
            assert regions & set(query.REGIONS), t.table_id


def test_the_weekly_summary_names_what_cbs_published_and_the_telling_change(cbs, env,
                                                                          fresh_store):  # fmt: skip
    from datetime import UTC, datetime

    from econ071.answering.engine import Engine
    from econ071.summary import content as summary
    from econ071.summary import render as summary_render

    run(env, "sync", "03759ned")
    text = summary_render.text(summary.build(Engine(fresh_store), now=datetime.now(UTC)))
    news = text[text.index("Nieuw in de database") : text.index("Vragen aan de assistent")]
    assert ("Het CBS publiceerde: “Bevolking op 1 januari en gemiddeld; geslacht, leeftijd en"
            " regio” (tabel 03759ned, 23 juni 2026)." in news)  # fmt: skip
    # the 071 area's population, 1 January 2026 against 2025 (CBS; summed from the six)
    import re

    # the 071 area first (summed from the six), the larger of its relative changes
    found = re.search(r"Opvallend voor het 071-gebied: (.+) in het 071-gebied steeg van"
                      r" ([\d.]+) \((\d{4})\) naar ([\d.]+) \((\d{4})\)\. Bron: CBS, tabel"
                      r" 03759ned\.", news)  # fmt: skip
    assert found, news
    label, old, old_year, new, new_year = found.groups()
    assert label in ("Bevolking op 1 januari", "Gemiddelde bevolking")
    assert int(new_year) == int(old_year) + 1


def test_periods_the_store_cannot_hold_are_left_out_not_the_table(cbs, env, fresh_store):
    table = cbs.tables["80590ned"]
    table.entities["PeriodenCodes"]["value"].append(
        {"Identifier": "2019HJ01", "Index": 999, "Title": "2019 1e halfjaar", "Status": "Definitief"})  # fmt: skip
    table.observations.append({**table.observations[0], "Id": 99999, "Perioden": "2019HJ01"})
    out = run(env, "sync", "80590ned").output
    assert "1 observations of other regions or of periods the store cannot hold" in out
    with sqlite3.connect(fresh_store) as conn:
        assert conn.execute("SELECT count(*) FROM figures WHERE source = 'cbs_80590ned'"
                            " AND period LIKE '2019%'").fetchone()[0] > 0  # fmt: skip


def test_imports_lists_the_followed_tables_status(cbs, env, fresh_store):
    run(env, "sync", "80590ned")
    out = run(env, "imports").output
    assert "CBS tables followed by econ071 sync:" in out
    assert "  80590ned: release 2026-07-16; checked " in out
    assert "  85554NED: never synced" in out
    assert f"{cbs.url}/CBS/80590ned: " in out  # the import, recorded with the table's URL
