"""The SQLite store and the operational database: schema, connect(), the seed build from data/, read queries, the catalog, import records, the question log."""
