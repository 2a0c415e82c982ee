"""Render the weekly summary (templates/summary.j2) to text and to Block Kit.

The template defines each part of the summary as a macro; the message puts each part in
blocks of its own (a header, sections of at most 3000 characters, context blocks for
the sources and the reminder, dividers between), always within Slack's limits. In
mrkdwn every string of the summary is escaped before rendering (render.escaped), so a
question someone typed can never notify a channel.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from econ071.rendering import render
from econ071.rendering.render import (
    CONTEXT_TEXT_MAX,
    HEADER_TEXT_MAX,
    MAX_BLOCKS,
    MESSAGE_TEXT_MAX,
    MRKDWN,
    PLAIN,
    SECTION_TEXT_MAX,
)
from econ071.summary.model import Summary

TEMPLATE = "summary.j2"


@dataclass(frozen=True)
class RenderedSummary:
    header: str  # plain text
    intro: str
    spotlight: str
    sources: str
    news: str
    questions: str
    reminder: str
    text: str  # the whole summary as one message
    chart_comment: str  # posted with the chart ("" without a chart)


def render_summary(summary: Summary, mode: str = MRKDWN) -> RenderedSummary:
    env = render.environment(mode)
    data = render.escaped(summary) if mode == MRKDWN else render.cleaned(summary)
    module = env.get_template(TEMPLATE).make_module({"s": data})
    part = {
        name: render.tidy(str(getattr(module, name)(data)))
        for name in ("intro", "spotlight", "sources", "news", "questions", "reminder")
    }
    plain = render.environment(PLAIN).get_template(TEMPLATE).make_module({"s": summary})
    header = render.tidy(str(plain.header(summary)))  # a header block is plain text
    has_chart = summary.spotlight is not None and summary.spotlight.chart is not None
    text = render.tidy(str(module))
    text = render.shorten(text, MESSAGE_TEXT_MAX)
    return RenderedSummary(
        header=header,
        text=text,
        chart_comment=render.tidy(str(module.chart_comment(data))) if has_chart else "",
        **part,
    )


def text(summary: Summary) -> str:
    """The summary as a person reads it in a terminal."""
    return render_summary(summary, PLAIN).text


def slack(summary: Summary) -> tuple[str, list[dict[str, Any]]]:
    """The message: its mrkdwn text (notification and fallback) and its blocks."""
    r = render_summary(summary, MRKDWN)
    return r.text, blocks(r)


def _section(text: str) -> list[dict[str, Any]]:
    # verbatim: Slack must not turn words into links or mentions on its own.
    return [
        {"type": "section", "text": render.text_object(piece)}
        for piece in render.chunks(text, SECTION_TEXT_MAX)
    ]


def _context(text: str) -> list[dict[str, Any]]:
    if not text:
        return []
    elements = [render.text_object(piece)
                for piece in render.chunks(text, CONTEXT_TEXT_MAX)]  # fmt: skip
    return [{"type": "context", "elements": elements[: render.CONTEXT_ELEMENTS_MAX]}]


def blocks(r: RenderedSummary) -> list[dict[str, Any]]:
    header = render.shorten(r.header, HEADER_TEXT_MAX)
    divider = {"type": "divider"}
    out: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": header, "emoji": True}},
        *_context(r.intro),
        *_section(r.spotlight),
        *_context(r.sources),
        divider,
        *_section(r.news),
        divider,
        *_section(r.questions),
        divider,
        *_context(r.reminder),
    ]
    if len(out) > MAX_BLOCKS:
        out = out[: MAX_BLOCKS - 1] + _context("_(overzicht ingekort)_")
    return out
