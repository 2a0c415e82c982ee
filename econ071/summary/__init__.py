"""The weekly summary: content, chart, rendering, the exactly-once ledger."""
