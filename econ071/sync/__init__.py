"""Keeping the store current from CBS's open data (OData v4): ``econ071 sync``.

- ``client``: HTTP (httpx) with time-outs, and retries with back-off (tenacity) on 429,
  5xx, dropped connections and truncated bodies, honouring ``Retry-After``;
- ``tables``: the followed tables, ``data/cbs_tables.csv``;
- ``query``: what to ask CBS for — the regions the project serves, the mapped measures,
  region lists chunked so that URLs stay short; a discontinued table's successor;
- ``state``: per CBS table its release, when it was checked and changed, the last error
  (table ``cbs_tables`` in the store, beside ``imports``);
- ``run``: one table at a time: Properties first (an unchanged table costs that one
  request), then metadata and observation pages streamed to a temporary folder, then the
  same atomic import as ``econ071 import`` (econ071.importing.load).
"""
