"""econ071's answer engine: catalog, store, question parsing, answers, caveats, rendering.

It never imports Slack or pandas: the question path must start fast, and every surface
(CLI, Slack, weekly summary) goes through the same code here.
"""
