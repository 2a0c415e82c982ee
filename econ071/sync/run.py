"""Sync one followed table after another.

Per table: ``Properties`` first — when its ``Version`` and ``ObservationsModified`` are what
was imported (and the request is the same), that one small request is all. Otherwise the
metadata and the observations (filtered: regions served, mapped measures, the table's own
filter; region lists in chunks; every page followed through ``@odata.nextLink``) are
streamed page by page into a temporary folder, and that folder is imported by
``econ071.importing.load.import_file`` — the same one-transaction import as
``econ071 import``: any failed page means nothing is imported and the figures stay as
they were; a new release replaces values and keeps the old ones in ``figure_history``.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import yaml

from econ071.core import paths
from econ071.core.errors import Econ071Error
from econ071.importing import mapping
from econ071.store import figures as store
from econ071.sync import query, state
from econ071.sync.client import CbsError, Client, NotFound, Settings
from econ071.sync.tables import FollowedTable, load, select

CURRENT, UPDATED, FAILED = "current", "updated", "failed"
Progress = Callable[[str, int, int], None]  # (table id, pages, observations so far)


@dataclass(frozen=True)
class Outcome:
    table_id: str  # as followed (data/cbs_tables.csv or the command line)
    synced: str  # the table actually read (a successor, when the table was reissued)
    status: str  # current | updated | failed
    message: str  # one line, for the terminal and the log
    added: int = 0
    changed: int = 0
    observations: int = 0  # downloaded
    import_id: int | None = None

    @property
    def ok(self) -> bool:
        return self.status != FAILED


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _day(value: object) -> str | None:
    text = str(value or "")
    return text[:10] if len(text) >= 10 and text[4] == "-" else None


def sync(db_path: Path | None = None, names: list[str] = (), *, data_dir: Path | None = None,
         settings: Settings | None = None, force: bool = False,
         progress: Progress | None = None, transport=None) -> list[Outcome]:  # fmt: skip
    """Sync the tables named (default: every followed table); one Outcome per table."""
    data_dir = data_dir or paths.data_dir()
    db_path = store.ensure_built(db_path, data_dir)
    tables = select(load(data_dir), list(names))
    settings = settings or Settings.from_env()
    conn = store.connect(db_path, ensure=False, timeout=30, autocommit=True)
    try:
        state.ensure(conn)
        with Client(settings, transport=transport) as client:
            run = _Run(conn, client, db_path, data_dir, force, progress)
            return [run.table(t) for t in tables]
    finally:
        conn.close()


class _Run:
    def __init__(self, conn, client: Client, db_path: Path, data_dir: Path, force: bool,
                 progress: Progress | None) -> None:  # fmt: skip
        self.conn, self.client, self.db_path, self.data_dir = conn, client, db_path, data_dir
        self.force, self.progress = force, progress or (lambda *_: None)

    def table(self, table: FollowedTable) -> Outcome:
        known = state.followed(self.conn, table.table_id)
        target = known.table_id if known and not known.successor else table.table_id
        try:
            return self._sync(
                table, target, alias=None if target == table.table_id else table.table_id
            )
        except (CbsError, Econ071Error, OSError, ValueError) as exc:
            message = _one_line(exc)
            self._failed(table, target, message)
            return Outcome(table.table_id, target, FAILED, f"{table.table_id}: {message}")

    def _failed(self, table: FollowedTable, target: str, message: str) -> None:
        st = state.get(self.conn, target) or state.TableState(target, followed_as=table.table_id)
        st.checked_at = st.error_at = _now()
        st.last_error = message
        state.save(self.conn, st)

    def _sync(self, table: FollowedTable, target: str, alias: str | None, hops: int = 0) -> Outcome:
        url = self.client.table_url(target)
        try:
            props = self.client.get_json(f"{url}/Properties")
        except NotFound:
            raise CbsError(f"table {target} not found at {url} (HTTP 404); check its id in "
                           "data/cbs_tables.csv (upper/lower case matters)") from None  # fmt: skip
        if str(props.get("Identifier") or "").lower() != target.lower():
            raise CbsError(f"{url}/Properties does not describe table {target}; check its id "
                           "(upper/lower case matters: a wrong case gives an empty answer)")  # fmt: skip
        if query.discontinued(props):
            return self._reissued(table, target, alias, props, hops)
        maps = self._mapping(
            target, alias or (table.table_id if target != table.table_id else None)
        )
        fingerprint = _plan(table, maps, target)
        st = state.get(self.conn, target) or state.TableState(target)
        st.followed_as = table.table_id
        version = str(props.get("Version") or "") or None
        modified = str(props.get("ObservationsModified") or props.get("Modified") or "") or None
        if (not self.force and st.import_id and st.version == version
                and st.observations_modified == modified and st.plan == fingerprint):  # fmt: skip
            st.checked_at, st.last_error, st.error_at = _now(), None, None
            state.save(self.conn, st)
            when = st.release_date or "?"
            return Outcome(table.table_id, target, CURRENT,
                           f"{_name(table, target)}: current (release {when}, no download)")  # fmt: skip
        result, observations, dropped = self._download_and_import(table, target, url, props, maps)
        now = _now()
        st.title = " ".join(str(props.get("Title") or target).split())
        st.source = f"cbs_{target.lower()}"
        st.version, st.observations_modified = version, modified
        st.release_date = _day(props.get("ReleaseDate")) or _day(props.get("Modified"))
        st.frequency = str(props.get("Frequency") or "") or None
        st.status = str(props.get("Status") or "") or None
        st.successor = None
        st.checked_at, st.import_id, st.plan = now, result.import_id, fingerprint
        st.last_error = st.error_at = None
        if result.added or result.changed or not st.changed_at:
            st.changed_at = now
        state.save(self.conn, st)
        return Outcome(
            table.table_id, target, UPDATED,
            f"{_name(table, target)}: release {st.release_date or version}: {observations}"
            f" observations, {result.added} figures added, {result.changed} changed,"
            f" {result.unchanged} unchanged"
            + (f"; {dropped} observations of other regions or of periods the store cannot hold"
               " (half years, multi-year) left out" if dropped else ""),
            result.added, result.changed, observations, result.import_id,
        )  # fmt: skip

    def _reissued(self, table, target, alias, props, hops) -> Outcome:
        following = query.successor(props)
        st = state.get(self.conn, target) or state.TableState(target, followed_as=table.table_id)
        st.status = str(props.get("Status") or "") or "gestopt"
        st.successor, st.checked_at = following, _now()
        st.title = st.title or " ".join(str(props.get("Title") or target).split())
        state.save(self.conn, st)
        why = f"CBS status {props.get('Status')!r}" if props.get("Status") else "CBS says so"
        if not following or hops:
            raise CbsError(f"table {target} is discontinued ({why}) and names no successor to "
                           "follow; find it on cbs.nl and put it in data/cbs_tables.csv")  # fmt: skip
        outcome = self._sync(table, following, alias=alias or target, hops=hops + 1)
        return replace(outcome, message=f"{table.table_id} is discontinued ({why}); followed"
                       f" its successor {following}. {outcome.message}")  # fmt: skip

    def _mapping(self, target: str, alias: str | None) -> mapping.Mapping:
        """data/mappings/*.yml; a successor inherits the rules of the table it replaces."""
        maps = mapping.load(self.data_dir / "mappings")
        if alias:
            maps.measures += [replace(r, table=target) for r in maps.measures
                              if r.table and r.table.lower() == alias.lower()]  # fmt: skip
            if alias.lower() in maps.tables and target.lower() not in maps.tables:
                maps.tables[target.lower()] = maps.tables[alias.lower()]
        return maps

    def _download_and_import(self, table, target, url, props, maps):
        from econ071.importing.cbs_odata import _measures
        from econ071.importing.load import import_file

        with tempfile.TemporaryDirectory(prefix=f"econ071-sync-{target}-") as tmp:
            folder = Path(tmp)
            _write(folder / "properties.json", props)
            dims = self._entity(url, "Dimensions", folder)
            measure_doc = self._entity(url, "MeasureCodes", folder)
            try:  # optional: only tables with grouped measures have it
                groups = self._entity(url, "MeasureGroups", folder)["value"]
            except CbsError as exc:
                if "HTTP 4" not in str(exc):
                    raise
                groups = []
            geo = time = None
            regions: set[str] = set()
            periods: list[dict] = []
            for d in dims["value"]:
                ident = str(d.get("Identifier") or "")
                codes = self._entity(url, f"{ident}Codes", folder)["value"]
                if str(d.get("Kind")) == "GeoDimension" or (ident == "RegioS" and geo is None):
                    geo = ident
                    regions = {str(c.get("Identifier") or "").strip() for c in codes}
                elif str(d.get("Kind")) == "TimeDimension" or (
                    ident == "Perioden" and time is None
                ):
                    time, periods = ident, codes
            wanted = [r for r in query.REGIONS if r in regions]
            if geo and not wanted:
                raise CbsError(f"table {target} has none of the regions served "
                               f"({', '.join(query.REGIONS)}) in its {geo}Codes")  # fmt: skip
            measures = None
            if table.measures == "mapped":
                infos = _measures(measure_doc["value"], groups)
                measures = [m.code for m in infos.values() if maps.measure(target, m.code, m.title)]
                if not measures:
                    raise CbsError(f"none of the measures of table {target} is mapped in "
                                   "data/mappings/*.yml; map them or set measures to 'all' "
                                   "in data/cbs_tables.csv")  # fmt: skip
            extra = _extra_mapping(folder, target, table, maps)
            keep = _Keep(geo, set(wanted), time, _unsupported(periods))
            total = self._observations(url, folder, geo, wanted, measures, table.filter, target,
                                       keep)  # fmt: skip
            if total == 0:
                raise CbsError(f"table {target} gave no observations for the regions and "
                               "measures asked; check the filter in data/cbs_tables.csv")  # fmt: skip
            try:
                result = import_file(self.db_path, folder, mapping_files=extra,
                                     data_dir=self.data_dir, origin=url)  # fmt: skip
            except Econ071Error as exc:
                text = str(exc).replace(str(folder), url)
                raise CbsError(f"not imported, the figures are unchanged: {text}") from None
        return result, total, keep.dropped

    def _entity(self, url: str, name: str, folder: Path) -> dict:
        doc = self.client.get_all(f"{url}/{name}")
        if not isinstance(doc.get("value"), list):
            raise CbsError(f"{url}/{name} has no list of values")
        _write(folder / f"{name}.json", doc)
        return doc

    def _observations(self, url, folder, geo, wanted, measures, extra, target, keep) -> int:
        total = pages = 0
        filters = query.observation_filters(geo, wanted, measures, extra,
                                            self.client.settings.chunk)  # fmt: skip
        for i, flt in enumerate(filters):
            link: str | None = f"{url}/Observations"
            params = {"$filter": flt} if flt else None
            page = 0
            while link:
                path = folder / f"Observations-{i:03d}-{page:05d}.json"
                link, n = self.client.download(link, params, path, keep=keep)
                params, page, pages, total = None, page + 1, pages + 1, total + n
                self.progress(target, pages, total)
        return total


class _Keep:
    """What a page keeps: observations of the regions asked for (a server may ignore part
    of a filter; CBS's region codes may carry trailing spaces) and of periods the store
    can hold (years, quarters, months: half years and multi-year averages are left out and
    counted, instead of refusing the whole table)."""

    def __init__(self, geo: str | None, regions: set[str], time: str | None,
                 unsupported: set[str]) -> None:  # fmt: skip
        self.geo, self.regions, self.time, self.unsupported = geo, regions, time, unsupported
        self.dropped = 0

    def __call__(self, values: list) -> list | None:
        geo, time, regions, unsupported = self.geo, self.time, self.regions, self.unsupported
        if all(isinstance(o, dict) and (not geo or o.get(geo) in regions)
               and (not unsupported or o.get(time) not in unsupported) for o in values):  # fmt: skip
            return None
        kept = []
        for obs in values:
            if not isinstance(obs, dict):
                kept.append(obs)  # the import names what is wrong with it
                continue
            if unsupported and obs.get(time) in unsupported:
                self.dropped += 1
                continue
            if geo:
                code = str(obs.get(geo) or "").strip()
                if code not in regions:
                    self.dropped += 1
                    continue
                obs[geo] = code
            kept.append(obs)
        return kept


def _unsupported(periods: list[dict]) -> set[str]:
    from econ071.importing.periods import PeriodError, from_code

    out = set()
    for c in periods:
        code = str(c.get("Identifier") or "")
        try:
            from_code(code)
        except PeriodError:
            out.add(code)
    return out


def _extra_mapping(folder: Path, target: str, table: FollowedTable,
                   maps: mapping.Mapping) -> list[Path]:  # fmt: skip
    """A mapping file for what data/mappings does not say about this table: the rules
    a successor inherits, the theme from data/cbs_tables.csv."""
    rules = [r for r in maps.measures if r.table == target]
    entry = maps.tables.get(target.lower())
    tables = {}
    if entry is not None or table.theme:
        values = {k: v for k, v in asdict(entry).items() if v} if entry else {}
        values.setdefault("theme", table.theme)
        tables[target] = {k: v for k, v in values.items() if v}
    if not rules and not tables:
        return []
    measures = [{k: (list(v) if isinstance(v, tuple) else v)
                 for k, v in asdict(r).items() if v not in (None, ())} for r in rules]  # fmt: skip
    path = folder.parent / f"{folder.name}-mapping.yml"
    path.write_text(yaml.safe_dump({"measures": measures, "tables": tables},
                                   allow_unicode=True), encoding="utf-8")  # fmt: skip
    return [path]


def _write(path: Path, doc: dict) -> None:
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")


def _plan(table: FollowedTable, maps: mapping.Mapping, target: str) -> str:
    """A fingerprint of what is asked of a table: when it changes, the table is read again
    even if CBS has no new release."""
    rules = sorted(repr(r) for r in maps.measures if r.table and r.table.lower() == target.lower())
    text = "\n".join([table.measures, table.filter or "", ",".join(query.REGIONS), *rules])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _name(table: FollowedTable, target: str) -> str:
    return target if target == table.table_id else f"{table.table_id} → {target}"


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())
