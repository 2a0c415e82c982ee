"""A local stand-in for CBS's OData v4 API (``datasets.cbs.nl/odata/v1``), for tests and
benchmarks that go over the real wire.

``CbsStandIn`` serves tables on 127.0.0.1 (a free port, a background thread) at
``{url}/CBS/{table}/{EntitySet}`` from folders of captured entity sets (each file known by
its ``@odata.context``), as CBS does: table ids are case-sensitive (a wrong case is a 404),
``$filter`` on Observations (``eq ne lt le gt ge``, ``and or not``, parentheses,
``startswith``/``endswith``), server-driven paging through ``@odata.nextLink`` (``$skip``).

What tests use:

- ``add(folder)`` / ``add_table(table_id, entities, observations)``: serve a table;
  ``tables[id]`` holds its ``properties``, ``entities`` and ``observations`` (edit them to
  publish a new release).
- ``fail(entity, status=503, retry_after=None, times=1)``: the next ``times`` requests of
  an entity set get that status; ``truncate(entity, times=1)``: the body ends halfway
  (with a matching Content-Length); ``drop(entity, times=1)``: the connection closes
  halfway through the promised body; ``delay(entity, seconds, times=1)``: the answer
  comes late (a time-out for the client).
- ``requests``: every request received (``Request``: table, entity, query, time).

Only the standard library. Bron van de gegevens: CBS, CC BY 4.0.
"""

from __future__ import annotations

import copy
import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

_CONTEXT = re.compile(r"/CBS/([0-9A-Za-z]+)/\$metadata#(\w+)")


# -- $filter --------------------------------------------------------------------------
_TOKEN = re.compile(r"\s*(?:(\()|(\))|(,)|'((?:[^']|'')*)'|([A-Za-z_][A-Za-z0-9_]*))")


def _tokens(text: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        m = _TOKEN.match(text, pos)
        if not m:
            raise ValueError(f"bad $filter at {pos}: {text[pos : pos + 20]!r}")
        pos = m.end()
        if m.group(1):
            out.append(("(", "("))
        elif m.group(2):
            out.append((")", ")"))
        elif m.group(3):
            out.append((",", ","))
        elif m.group(4) is not None:
            out.append(("str", m.group(4).replace("''", "'")))
        else:
            out.append(("id", m.group(5)))
    return out


_OPS = {
    "eq": lambda a, b: a == b, "ne": lambda a, b: a != b, "lt": lambda a, b: a < b,
    "le": lambda a, b: a <= b, "gt": lambda a, b: a > b, "ge": lambda a, b: a >= b,
}  # fmt: skip


def compile_filter(text: str):
    """A predicate on an observation (dict) for an OData $filter."""
    toks = _tokens(text)
    pos = 0

    def peek(kind=None, value=None):
        if pos >= len(toks):
            return False
        k, v = toks[pos]
        return (kind is None or k == kind) and (value is None or v == value)

    def take():
        nonlocal pos
        pos += 1
        return toks[pos - 1]

    def expr():
        left = term()
        while peek("id", "or"):
            take()
            right, prev = term(), left
            left = lambda o, a=prev, b=right: a(o) or b(o)  # noqa: E731
        return left

    def term():
        left = factor()
        while peek("id", "and"):
            take()
            right, prev = factor(), left
            left = lambda o, a=prev, b=right: a(o) and b(o)  # noqa: E731
        return left

    def factor():
        if peek("id", "not"):
            take()
            inner = factor()
            return lambda o: not inner(o)
        if peek("("):
            take()
            inner = expr()
            assert take()[0] == ")"
            return inner
        _, name = take()
        if name in ("startswith", "endswith"):
            assert take()[0] == "("
            _, fieldname = take()
            assert take()[0] == ","
            _, literal = take()
            assert take()[0] == ")"
            if name == "startswith":
                return lambda o: str(o.get(fieldname, "")).startswith(literal)
            return lambda o: str(o.get(fieldname, "")).endswith(literal)
        _, op = take()
        kind, literal = take()
        assert kind == "str" and op in _OPS, (op, literal)
        fn = _OPS[op]
        return lambda o: fn(str(o.get(name, "")), literal)

    predicate = expr()
    if pos != len(toks):
        raise ValueError(f"bad $filter: {text!r}")
    return predicate


# -- the server -----------------------------------------------------------------------
@dataclass
class Table:
    table_id: str
    entities: dict[str, dict]  # entity set -> document (Properties: the object itself)
    observations: list[dict]

    @property
    def properties(self) -> dict:
        return self.entities["Properties"]


@dataclass
class Request:
    table: str
    entity: str
    query: dict[str, str]
    at: float


@dataclass
class _Fault:
    kind: str  # status | truncate | drop | delay
    times: int
    status: int = 503
    retry_after: str | None = None
    seconds: float = 0.0


@dataclass
class _State:
    tables: dict[str, Table] = field(default_factory=dict)
    faults: dict[str, list[_Fault]] = field(default_factory=dict)
    requests: list[Request] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def read_folder(folder: Path) -> Table:
    entities: dict[str, dict] = {}
    observations: list[dict] = []
    table_id = None
    for path in sorted(folder.glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8-sig"))
        m = _CONTEXT.search(str(doc.get("@odata.context", "")))
        if not m:
            continue
        table_id, entity = m.groups()
        if entity == "Observations":
            observations += doc["value"]
        else:
            entities[entity] = doc
    assert table_id, folder
    return Table(table_id, entities, observations)


class CbsStandIn:
    """CBS's OData v4 API on 127.0.0.1. Use as a context manager."""

    def __init__(self, page_size: int = 1000) -> None:
        self.page_size = page_size
        self._state = _State()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        host, port = self._server.server_address[:2]
        self.origin = f"http://{host}:{port}"
        self.url = f"{self.origin}/odata/v1"

    def __enter__(self) -> CbsStandIn:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    # -- set-up ---------------------------------------------------------------------
    @property
    def tables(self) -> dict[str, Table]:
        return self._state.tables

    def add(self, folder: Path) -> Table:
        table = read_folder(folder)
        self._state.tables[table.table_id] = table
        return table

    def add_table(self, table: Table) -> Table:
        self._state.tables[table.table_id] = table
        return table

    def copy_table(self, table_id: str, new_id: str) -> Table:
        """The same table under another id (a reissue), its contexts rewritten."""
        old = self._state.tables[table_id]
        entities = copy.deepcopy(old.entities)
        for doc in entities.values():
            doc["@odata.context"] = doc["@odata.context"].replace(f"/{table_id}/", f"/{new_id}/")
        entities["Properties"]["Identifier"] = new_id
        return self.add_table(Table(new_id, entities, copy.deepcopy(old.observations)))

    def fail(self, entity: str, status: int = 503, retry_after: str | None = None,
             times: int = 1) -> None:  # fmt: skip
        self._fault(entity, _Fault("status", times, status, retry_after))

    def truncate(self, entity: str, times: int = 1) -> None:
        self._fault(entity, _Fault("truncate", times))

    def drop(self, entity: str, times: int = 1) -> None:
        self._fault(entity, _Fault("drop", times))

    def delay(self, entity: str, seconds: float, times: int = 1) -> None:
        self._fault(entity, _Fault("delay", times, seconds=seconds))

    def _fault(self, entity: str, fault: _Fault) -> None:
        with self._state.lock:
            self._state.faults.setdefault(entity, []).append(fault)

    @property
    def requests(self) -> list[Request]:
        with self._state.lock:
            return list(self._state.requests)

    def requests_to(self, entity: str, table: str | None = None) -> list[Request]:
        return [r for r in self.requests
                if r.entity == entity and (table is None or r.table == table)]  # fmt: skip

    def clear(self) -> None:
        with self._state.lock:
            self._state.requests.clear()
            self._state.faults.clear()

    # -- serving --------------------------------------------------------------------
    def _next_fault(self, entity: str) -> _Fault | None:
        with self._state.lock:
            queue = self._state.faults.get(entity) or []
            if not queue:
                return None
            fault = queue[0]
            fault.times -= 1
            if fault.times <= 0:
                queue.pop(0)
            return fault

    def _answer(self, path: str, query: dict[str, str]) -> tuple[int, dict]:
        parts = path.strip("/").split("/")
        # odata/v1/CBS/{table}[/{entity}]
        if len(parts) < 4 or parts[:3] != ["odata", "v1", "CBS"]:
            return 404, {"error": {"message": "Not found"}}
        table = self._state.tables.get(parts[3])
        if table is None:
            return 404, {"error": {"code": "404", "message": f"Dataset {parts[3]} not found"}}
        base = f"{self.url}/CBS/{table.table_id}"
        if len(parts) == 4:
            names = ["Observations", *table.entities]
            return 200, {"@odata.context": f"{base}/$metadata",
                         "value": [{"name": n, "url": n} for n in names]}  # fmt: skip
        entity = parts[4]
        context = f"{base}/$metadata#{entity}"
        if entity == "Properties":
            return 200, table.properties
        if entity == "Observations":
            items = table.observations
        elif entity in table.entities:
            items = table.entities[entity]["value"]
        else:
            return 404, {"error": {"message": f"{entity} not found"}}
        if "$filter" in query:
            try:
                keep = compile_filter(query["$filter"])
            except (ValueError, AssertionError) as exc:
                return 400, {"error": {"message": str(exc)}}
            items = [o for o in items if keep(o)]
        skip = int(query.get("$skip", "0") or 0)
        page = items[skip : skip + self.page_size]
        doc = {"@odata.context": context, "value": page}
        if skip + self.page_size < len(items):
            following = {k: v for k, v in query.items() if k != "$skip"}
            following["$skip"] = str(skip + self.page_size)
            doc["@odata.nextLink"] = f"{base}/{entity}?{urlencode(following)}"
        return 200, doc

    def _handler(self):
        standin = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
                split = urlsplit(self.path)
                query = {k: v[-1] for k, v in parse_qs(split.query).items()}
                parts = split.path.strip("/").split("/")
                table = parts[3] if len(parts) > 3 else ""
                entity = parts[4] if len(parts) > 4 else ""
                with standin._state.lock:
                    standin._state.requests.append(Request(table, entity, query, time.monotonic()))
                fault = standin._next_fault(entity)
                if fault and fault.kind == "delay":
                    time.sleep(fault.seconds)
                if fault and fault.kind == "status":
                    body = json.dumps({"error": {"message": "Service unavailable"}}).encode()
                    self.send_response(fault.status)
                    if fault.retry_after is not None:
                        self.send_header("Retry-After", fault.retry_after)
                    self._send(body)
                    return
                status, doc = standin._answer(split.path, query)
                body = json.dumps(doc, ensure_ascii=False).encode()
                if fault and fault.kind == "truncate":
                    body = body[: len(body) // 2]
                if fault and fault.kind == "drop":
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body[: len(body) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                self.send_response(status)
                self._send(body)

            def _send(self, body: bytes) -> None:
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        return Handler
