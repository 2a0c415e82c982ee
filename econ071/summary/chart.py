"""The spotlight's chart as a PNG: Dutch labels and numbers, the source under it.

A line per source over the years (CBS and UWV side by side where both give the figure),
or horizontal bars per place or category, a range drawn as a hatched span from its low
to its high value (a range stays a range). matplotlib is imported here only, and only
its object API with the Agg canvas: no pyplot, no GUI backend, no global state, so it is
safe in the scheduler's thread.
"""

from __future__ import annotations

import dataclasses
import io
import textwrap
from pathlib import Path
from typing import Any

from econ071.core.periods import period_key
from econ071.rendering import formatting
from econ071.summary.model import ChartSpec, SourceLine

COLOURS = ("#1f5a89", "#d9731c", "#3f8f3a", "#8c2d5e")
GREY = "#555555"
UNIT_AXIS = {
    "procent": "procent",
    "procentpunt": "procentpunt",
    "aantal": "aantal",
    "jaar": "jaren",
    "per_100": "per 100 leden van de beroepsbevolking",
    "aantal_per_jaar": "aantal per jaar",
    "euro": "euro",
}
PUBLICATION_CHARS = 90


def _tick(value: float, unit: str) -> str:
    text = formatting.number(round(float(value), 6))  # ticks come as numpy floats
    return f"{text}%" if unit == "procent" else text


def _literal(obj: Any) -> Any:
    """A copy of the spec in which a '$' (in a label from data) cannot start matplotlib's
    math mode and break the drawing."""
    if isinstance(obj, str):
        return obj.replace("$", r"\$")
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        fields = {f.name: _literal(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
        return dataclasses.replace(obj, **fields)
    if isinstance(obj, tuple):
        return tuple(_literal(item) for item in obj)
    return obj


def source_line(sources: tuple[SourceLine, ...]) -> str:
    parts = []
    for s in sources:
        publication = s.publication or ""
        if len(publication) > PUBLICATION_CHARS:
            publication = publication[:PUBLICATION_CHARS].rsplit(" ", 1)[0] + " …"
        part = s.organisation + (f", {publication}" if publication else "")
        if part not in parts:
            parts.append(part)
    via = list(dict.fromkeys(s.via for s in sources if s.via))
    text = ("Bron: " if len(parts) == 1 else "Bronnen: ") + "; ".join(parts)
    text += "" if text.endswith(("…", ".")) else "."
    if via:
        text += " Via: " + "; ".join(via) + "."
    return text + " Grafiek: Economie071-cijferassistent."


def alt_text(spec: ChartSpec) -> str:
    what = "Lijngrafiek" if spec.kind == "line" else "Staafdiagram"
    names = [s.label for s in spec.series]
    who = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " en " + names[-1]
    where = f", {spec.subtitle}" if spec.subtitle else ""
    return f"{what} van {spec.title}{where}, volgens {who}."


def png(spec: ChartSpec) -> bytes:
    """The chart as PNG bytes."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    spec = _literal(spec)
    fig = Figure(figsize=(8, 4.8), dpi=150, layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    if spec.kind == "line":
        _lines(ax, spec)
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: _tick(v, spec.unit)))
        ax.yaxis.set_major_locator(MaxNLocator(6))
    else:
        _bars(ax, spec)
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: _tick(v, spec.unit)))
        ax.xaxis.set_major_locator(MaxNLocator(6))
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.set_title(spec.subtitle, loc="left", fontsize=9, color=GREY)
    fig.suptitle(textwrap.fill(spec.title, 70), x=0.01, ha="left", fontsize=12,
                 fontweight="bold")  # fmt: skip
    fig.supxlabel(textwrap.fill(source_line(spec.sources), 125), x=0.01, ha="left",
                  fontsize=7, color=GREY)  # fmt: skip
    if len(spec.series) > 1:
        ax.legend(frameon=False, fontsize=9)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


def write(spec: ChartSpec, path: Path) -> Path:
    path.write_bytes(png(spec))
    return path


def _lines(ax, spec: ChartSpec) -> None:
    periods = sorted({p.label for s in spec.series for p in s.points}, key=period_key)
    position = {label: i for i, label in enumerate(periods)}
    for colour, series in zip(COLOURS, spec.series, strict=False):
        points = [p for p in series.points if p.value is not None]
        xs = [position[p.label] for p in points]
        ys = [p.value for p in points]
        ax.plot(xs, ys, marker="o", color=colour, label=series.label, linewidth=2)
        last = points[-1]
        ax.annotate(last.display, (xs[-1], ys[-1]), textcoords="offset points",
                    xytext=(6, 0), va="center", fontsize=8, color=colour)  # fmt: skip
    ax.set_xticks(range(len(periods)), [p.replace("-", "–") for p in periods])
    ax.set_ylim(bottom=0)
    if spec.unit != "procent":  # the ticks say % themselves
        ax.set_ylabel(UNIT_AXIS.get(spec.unit, spec.unit), fontsize=9)
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)


def _bars(ax, spec: ChartSpec) -> None:
    categories = list(dict.fromkeys(p.label for s in spec.series for p in s.points))
    row = {label: i for i, label in enumerate(categories)}
    height = 0.8 / len(spec.series)
    ranges = False
    for k, (colour, series) in enumerate(zip(COLOURS, spec.series, strict=False)):
        offset = (k - (len(spec.series) - 1) / 2) * height
        for p in series.points:
            y = row[p.label] + offset
            if p.value is not None:
                ax.barh(y, p.value, height=height * 0.9, color=colour,
                        label=series.label if p is series.points[0] else None)  # fmt: skip
                end = p.value
            elif p.low is not None and p.high is not None:
                ranges = True
                ax.barh(y, p.high - p.low, left=p.low, height=height * 0.9, color=colour,
                        alpha=0.45, hatch="///", edgecolor=colour,
                        label=series.label if p is series.points[0] else None)  # fmt: skip
                end = p.high
            else:
                continue
            ax.annotate(p.display, (end, y), textcoords="offset points",
                        xytext=(4, 0), va="center", fontsize=8)  # fmt: skip
    ax.set_yticks(range(len(categories)), [textwrap.fill(c, 38) for c in categories],
                  fontsize=8)  # fmt: skip
    ax.invert_yaxis()
    ax.set_xlim(left=0)
    ax.margins(x=0.15)
    if spec.unit != "procent":
        ax.set_xlabel(UNIT_AXIS.get(spec.unit, spec.unit), fontsize=9)
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    if ranges:
        ax.text(1.0, -0.02, "gearceerd: bandbreedte zoals de bron die geeft",
                transform=ax.transAxes, ha="right", va="top", fontsize=7, color=GREY)  # fmt: skip
