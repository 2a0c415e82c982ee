"""Economie071's indicator assistant.

Layers, top to bottom; each imports only from the layers below it (pyproject.toml, [tool.importlinter]):

    cli, slackapp   the front ends: the econ071 command and the Slack app
    summary, sync   the weekly summary; syncing CBS tables
    importing       reading CBS and tidy files into the store
    answering       question -> Answer: parse, interpret, select, facts, annotate
    rendering, store  Dutch text and Block Kit; the SQLite files
    core            the shared vocabulary (Answer, errors, paths), stdlib only
"""
