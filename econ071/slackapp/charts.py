"""Charts and CSV files for answers in Slack, uploaded with ``files_upload_v2``.

A trend, a comparison or a ranking gets the weekly summary's chart (econ071.summary.chart,
drawn from the same ChartSpec), with alt text that states its key message
(templates/slack_chart_alt.j2). A table-shaped answer (a table, a trend, a breakdown)
downloads as CSV. matplotlib is imported by ``econ071.summary.chart.png`` only, and that
module only here, on the upload path: never on the question path.
"""

from __future__ import annotations

import csv
import io
import logging
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from econ071.core.answer import ANSWERED, Answer, Kind
from econ071.rendering import render

if TYPE_CHECKING:  # pragma: no cover
    from slack_sdk import WebClient

    from econ071.answering.engine import Engine
    from econ071.summary.model import ChartSpec

log = logging.getLogger(__name__)

CHART_KINDS = frozenset({Kind.TREND, Kind.TABLE})  # a trend, a comparison, a ranking
ALT_TEXT_MAX = 1000  # files.completeUploadExternal's alt_txt


@dataclass(frozen=True)
class Drawn:
    png: bytes
    spec: ChartSpec
    alt_text: str
    filename: str
    title: str
    comment: str


def drawable(answer: Answer) -> bool:
    """Whether the answer is a trend, comparison or ranking with two figures or more."""
    return (
        answer.status == ANSWERED
        and answer.kind in CHART_KINDS
        and bool(answer.indicator)
        and sum(v.published for v in answer.values) >= 2
    )


def spec_for(engine: Engine, answer: Answer) -> ChartSpec | None:
    from econ071.summary.content import chart_spec

    if not drawable(answer):
        return None
    ind = engine.catalog.indicators.get(answer.indicator["id"])
    return chart_spec(engine, ind, answer) if ind else None


def key_messages(spec: ChartSpec) -> list[dict[str, Any]]:
    """Per source: first and last point (and the peak) of a line; highest and lowest bar."""
    out = []
    for series in spec.series:
        points = [p for p in series.points if p.value is not None]
        if not points:
            continue
        if spec.kind == "line":
            peak = max(points, key=lambda p: p.value)
            out.append({"source": series.label, "first": points[0], "last": points[-1],
                        "peak": peak})  # fmt: skip
        else:
            ranked = sorted(points, key=lambda p: -p.value)
            out.append({"source": series.label, "first": ranked[0], "last": ranked[-1]})
    return out


def alt_text(spec: ChartSpec) -> str:
    template = render.environment(render.PLAIN).get_template("slack_chart_alt.j2")
    text = " ".join(template.render(spec=spec, lines=key_messages(spec)).split())
    return render.shorten(text, ALT_TEXT_MAX)


def draw(engine: Engine, answer: Answer) -> Drawn | None:
    """The answer's chart, or None when there is nothing to draw."""
    from econ071.summary import chart

    spec = spec_for(engine, answer)
    if spec is None:
        return None
    title = f"{spec.title} ({spec.subtitle})" if spec.subtitle else spec.title
    comment = (
        render.environment(render.MRKDWN)
        .get_template("slack_chart_comment.j2")
        .render(title=render.slack_escape(spec.title), subtitle=render.slack_escape(spec.subtitle))
    )
    return Drawn(chart.png(spec), spec, alt_text(spec), f"econ071-{_slug(title)}.png", title,
                 comment.strip())  # fmt: skip


def upload_chart(client: WebClient, drawn: Drawn, channel: str, thread_ts: str | None) -> None:
    client.files_upload_v2(
        channel=channel,
        thread_ts=thread_ts,
        file=drawn.png,
        filename=drawn.filename,
        title=drawn.title,
        alt_txt=drawn.alt_text,
        initial_comment=drawn.comment,
    )


# -- CSV ---------------------------------------------------------------------------------

CSV_COLUMNS = ("indicator", "indicator_label", "place", "place_name", "period", "breakdown",
               "breakdown_label", "value", "low", "high", "qualifier", "shown_as", "unit",
               "source", "source_name", "ref_date", "status", "missing_reason", "computed")  # fmt: skip


def csv_bytes(answer: Answer) -> bytes:
    """The answer's figures as CSV (UTF-8 with BOM, so that Excel reads the accents); an
    unpublished figure has empty value cells and its reason, never a 0."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for v in answer.values:
        writer.writerow([v.indicator, v.indicator_label, v.place, v.place_name, v.period or "",
                         v.breakdown or "", v.breakdown_label or "", _num(v.value), _num(v.low),
                         _num(v.high), v.qualifier, v.display, v.unit, v.source, v.source_name,
                         v.ref_date or "", v.status or "", v.missing_reason or "",
                         "ja" if v.computed else ""])  # fmt: skip
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def csv_filename(answer: Answer) -> str:
    what = (answer.indicator or {}).get("id") or "antwoord"
    places = "-".join(p.get("name", "") for p in answer.places[:3])
    return f"econ071-{_slug(' '.join(x for x in (what, places, answer.period or '') if x))}.csv"


def upload_csv(client: WebClient, answer: Answer, channel: str, thread_ts: str | None) -> None:
    label = (answer.indicator or {}).get("label") or "Antwoord"
    client.files_upload_v2(
        channel=channel,
        thread_ts=thread_ts,
        file=csv_bytes(answer),
        filename=csv_filename(answer),
        title=f"{label} (CSV)",
    )


def _num(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:80] or "econ071"
