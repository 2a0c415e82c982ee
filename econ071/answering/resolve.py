"""Resolve: which indicator a question is about, or — when that cannot be settled — the
answer that asks back (between two or more readings that each have data) or says what was
not found, with suggestions. Places and periods are settled by ``select``.

Asking back only helps when there is a choice: a word that resembles one thing with data
is taken (and the answer says so); a word that resembles nothing with data is ignored and
named. Every option carries the full question it stands for (Slack makes it a button).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from econ071.answering.context import NATIONAL, Context, period_matches
from econ071.answering.interpret import Reading
from econ071.answering.parse import Match, Parsed
from econ071.answering.suggest import resembling
from econ071.core.answer import CLARIFY, NOT_FOUND, Answer, Intent, Kind, Note, Option
from econ071.store import figures as store
from econ071.store.catalog import Indicator, normalise

MAX_OPTIONS = 3


@dataclass
class Resolved:
    indicator: Indicator
    notes: list[Note] = field(default_factory=list)


def option_phrase(ctx: Context, kind: str, id_: str) -> str:
    """A phrase that names exactly this catalog item in a question."""
    if kind == "indicator":
        return id_.replace("_", " ")
    if kind == "breakdown":
        return id_.split(":", 1)[1].replace("_", " ")
    return ctx.catalog.place_name(id_)


def question_with(words: list[str], typed: str, phrase: str) -> str:
    """The question's words with ``typed`` replaced by ``phrase`` (or ``phrase`` added)."""
    text = " ".join(words)
    if typed and f" {typed} " in f" {text} ":
        return f" {text} ".replace(f" {typed} ", f" {phrase} ", 1).strip()
    return f"{text} {phrase}".strip()


def _without_phrases(words: list[str], phrases: list[str]) -> list[str]:
    text = f" {' '.join(words)} "
    for phrase in phrases:
        text = text.replace(f" {phrase} ", " ", 1)
    return text.split()


def fuzzy_notes(ctx: Context, matches: list[Match]) -> list[Note]:
    return [
        Note("fuzzy", {"typed": m.typed, "understood": ctx.label(m.kind, m.id)})
        for m in matches
        if m.fuzzy
    ]


def _possible(ctx: Context, p: Parsed, o) -> bool:
    """Whether an option can be a reading at all: a breakdown the named indicator is not
    broken down by is none ("frictiewerkloosheid vroeger": the earlier norm, not a sector)."""
    if o.kind != "breakdown":
        return True
    cat = ctx.catalog
    named = {cat.indicators[m.id].breakdown_dimension for m in p.of_kind("indicator")}
    return not named or cat.breakdowns[o.id].dimension in named


def clarify(ctx: Context, p: Parsed, words: list[str], intent: Intent) -> Answer | None:
    """Ask back when a typed word resembles two or more things that have data; a word that
    resembles just one of them is taken as that thing."""
    cat = ctx.catalog
    if p.unknown:  # part of the question was not understood at all: no guessing game
        return None
    have = {m.kind for m in p.matches}
    dims = {cat.breakdowns[m.id].dimension for m in p.of_kind("breakdown")}
    agreed = _agreed(p)
    for u in p.unclear:
        if any(o.id in agreed for o in u.options):
            continue  # the unclear words together point at one indicator ("tekort techn.")
        fitting = [
            o for o in u.options
            if o.kind == "indicator" and "indicator" not in have
            and cat.indicators[o.id].breakdown_dimension in dims
        ]  # fmt: skip
        if len(fitting) == 1:
            continue  # the breakdown settles it
        seen: list[Option] = []
        for o in u.options:
            if o.kind not in ("indicator", "place", "breakdown") or not _possible(ctx, p, o):
                continue
            if o.kind in have and o.kind != "place":
                continue
            if any(s.kind == o.kind and s.id == o.id for s in seen):
                continue
            if not ctx.has_data(o.kind, o.id):
                continue
            phrase = option_phrase(ctx, o.kind, o.id)
            seen.append(Option(o.kind, o.id, ctx.label(o.kind, o.id),
                               question_with(words, u.typed, phrase)))  # fmt: skip
        if len(seen) >= 2:
            return Answer(CLARIFY, Kind.CLARIFY, p.raw, intent=intent,
                          options=tuple(seen[:MAX_OPTIONS]), extra={"typed": u.typed})  # fmt: skip
    return None


def _agreed(p: Parsed) -> set[str]:
    """The one indicator every unclear word resembles, when two or more resemble one."""
    sets = [{o.id for o in u.options if o.kind == "indicator"} for u in p.unclear]
    sets = [x for x in sets if x]
    common = set.intersection(*sets) if len(sets) >= 2 else set()
    return common if len(common) == 1 else set()


TAKE = 75.0  # an unclear word is taken as its one reading with data from this likeness on


def taken_from_unclear(ctx: Context, p: Parsed) -> list[Match]:
    """Unclear words that resemble exactly one thing with data (and resemble it well
    enough): taken as that thing."""
    taken = []
    have = {m.kind for m in p.matches}
    for u in p.unclear:
        with_data = {(o.kind, o.id): o for o in u.options
                     if o.kind in ("indicator", "place", "breakdown")
                     and (o.kind not in have or o.kind == "place")
                     and _possible(ctx, p, o) and ctx.has_data(o.kind, o.id)}  # fmt: skip
        if len(with_data) == 1:
            o = next(iter(with_data.values()))
            score = max(fuzz.ratio(u.typed, x.phrase) for x in u.options
                        if (x.kind, x.id) == (o.kind, o.id))  # fmt: skip
            if score >= TAKE:
                taken.append(Match(o.kind, o.id, u.typed, o.phrase, score))
    return taken


def _prefer_unit(ctx: Context, inds: list[Match], unit: str | None) -> list[Match]:
    if not unit or len(inds) < 2:
        return inds
    cat = ctx.catalog
    fitting = [m for m in inds if cat.indicators[m.id].unit == unit]
    return fitting or inds


def _most_specific(ctx: Context, inds: list[Match]) -> list[Match]:
    """Of several indicators named, the one whose own name holds the other words
    ("kans op werk voor voormalig werklozen": the basiskans of former unemployed), or
    whose phrase is much longer ("banen op het bio science park")."""
    cat = ctx.catalog
    ids = list(dict.fromkeys(m.id for m in inds))
    if len(ids) < 2:
        return inds
    # The catalog's own words before the partners' shorthand (data/vocabulary.csv).
    borrowed = getattr(cat, "borrowed", set())
    native = [m for m in inds if m.typed not in borrowed]
    if native and len(native) < len(inds):
        inds = native
        if len({m.id for m in inds}) < 2:
            return inds
    for m in inds:
        ind = cat.indicators[m.id]
        names = " | ".join(normalise(x) for x in (ind.label, *ind.synonyms))
        others = [o for o in inds if o.id != m.id and o.typed != m.typed]
        if others and all(f"{o.typed}" in names for o in others):
            return [m]
    by_length = sorted(inds, key=lambda m: -len(m.typed.split()))
    if len(by_length[0].typed.split()) - len(by_length[1].typed.split()) >= 2:
        return by_length[:1]
    return inds


def _asked(ctx: Context, p: Parsed, reading: Reading) -> tuple[list[str], list[str]]:
    cat = ctx.catalog
    places = list(dict.fromkeys(m.id for m in p.of_kind("place")))
    if reading.intent == Intent.COMPARE and reading.national and NATIONAL not in places:
        places.append(NATIONAL)
    if reading.intent == Intent.SHARE and len(places) > 1 and cat.region_code in places:
        places.remove(cat.region_code)
    return places or [cat.region_code], [m.id for m in p.of_kind("breakdown")]


def _fits(ctx: Context, p: Parsed, reading: Reading, ind: Indicator) -> bool:
    """Whether the indicator has a figure for every place asked (and the breakdown asked,
    when it is broken down that way): a few look-ups on the key's index."""
    places, bds = _asked(ctx, p, reading)
    bds = [b for b in bds if ctx.catalog.breakdowns[b].dimension == ind.breakdown_dimension]
    if reading.intent == Intent.RANK and not p.of_kind("place"):
        # A ranking of the six: it fits when they have the figure.
        return bool(
            store.figures(ctx.conn, ind.id, list(ctx.catalog.six), bds or store.ANY_BREAKDOWN)[:2]
        )
    for place in places:
        ctx.check_time()
        if not store.figures(ctx.conn, ind.id, [place], bds or store.ANY_BREAKDOWN)[:1]:
            return False
    return True


def better_fit(ctx: Context, p: Parsed, reading: Reading, found: Indicator) -> Indicator:
    """The indicator named, or — when it is not in the unit asked (a share, a count) or
    lacks a figure for a place asked — its companion in the other unit or an indicator of
    the same breakdown that fits ("hoeveel procent van de banen zit in het onderwijs")."""
    unit = reading.unit if reading.intent in FITTING_INTENTS else None
    if (
        reading.intent == Intent.RANK
        and unit is None
        and not (reading.by_change or reading.quantity)
    ):
        # Places are compared by their share, not by their size ("hoogste arbeidsongeschiktheid").
        other = companion(ctx, found)
        if found.unit == "aantal" and other and other.unit == "procent":
            unit = "procent"
    named_place = bool(p.of_kind("place")) or reading.national
    if (unit is None or found.unit == unit) and (not named_place or _fits(ctx, p, reading, found)):
        return found
    cands = [c for c in (companion(ctx, found),) if c]
    if unit and found.unit != unit:  # the same word in the other unit: werkloosheid ↔ werklozen
        cands += [i for i in ctx.catalog.indicators.values()
                  if i.theme == found.theme and i.unit == unit and i.id != found.id
                  and len(os.path.commonprefix([i.id, found.id])) >= STEM]  # fmt: skip
    if found.breakdown_dimension and p.of_kind("breakdown"):  # a category asked for
        cands += [i for i in ctx.catalog.indicators.values()
                  if i.breakdown_dimension == found.breakdown_dimension and i.id != found.id]  # fmt: skip
    for cand in cands:
        if (unit is None or cand.unit == unit) and _fits(ctx, p, reading, cand):
            return cand
    return found


STEM = 5  # letters two indicator ids share to be the same word in another unit
FITTING_INTENTS = (Intent.SHARE, Intent.COUNT, Intent.FIGURE, Intent.COMPARE, Intent.RANK)


def companion(ctx: Context, ind: Indicator) -> Indicator | None:
    """The count that goes with a share in one table of the report, or the share that goes
    with a count (bijstand totaal ↔ aandeel in de bijstand): same theme, same stem."""
    if ind.unit not in ("aantal", "procent"):
        return None
    stem = ind.id.split("_")[0]
    want = "procent" if ind.unit == "aantal" else "aantal"
    found = [
        other for other in ctx.catalog.indicators.values()
        if other.id != ind.id and other.theme == ind.theme and other.unit == want
        and other.id.split("_")[0] == stem and other.id.endswith(("_totaal", "_aandeel"))
    ]  # fmt: skip
    return found[0] if len(found) == 1 else None


def indicator(ctx: Context, p: Parsed, words: list[str], reading: Reading) -> Resolved | Answer:
    cat = ctx.catalog
    inds = p.of_kind("indicator")
    bds = p.of_kind("breakdown")
    dims = {cat.breakdowns[b.id].dimension for b in bds}
    if not inds:
        for u in p.unclear:
            fitting = [o for o in u.options if o.kind == "indicator"
                       and cat.indicators[o.id].breakdown_dimension in dims]  # fmt: skip
            if len(fitting) == 1:
                inds = [Match("indicator", fitting[0].id, u.typed, fitting[0].phrase, 80.0)]
    if not inds:
        inds = [m for m in taken_from_unclear(ctx, p) if m.kind == "indicator"]
    notes: list[Note] = []
    if len(inds) > 1:
        fitting = [m for m in inds if cat.indicators[m.id].breakdown_dimension in dims]
        inds = fitting or inds
        # A phrase that is both a breakdown and an indicator counts as the breakdown when
        # another indicator is named too ("banen onderwijs").
        breakdown_words = {b.typed for b in bds}
        inds = [m for m in inds if m.typed not in breakdown_words] or inds
        inds = _prefer_unit(ctx, inds, reading.unit)
        inds = _most_specific(ctx, inds)
    if len({m.id for m in inds}) > 1:
        with_data = [m for m in inds if ctx.has_data("indicator", m.id)]
        unique = list({m.id: m for m in with_data}.values())
        if len(unique) > 1:
            options = tuple(
                Option("indicator", m.id, cat.indicators[m.id].label,
                       question_with(_without_phrases(words, [o.typed for o in unique if o is not m]),
                                     m.typed, option_phrase(ctx, "indicator", m.id)))
                for m in unique[:MAX_OPTIONS]
            )  # fmt: skip
            if p.unknown and len({m.typed for m in unique}) == 1:
                # One word of several meanings qualified by a word not understood
                # ("ww-uitkeringen"): that word is the subject, and the store lacks it.
                return not_found(ctx, p, reading)
            return Answer(CLARIFY, Kind.CLARIFY, p.raw, intent=reading.intent, options=options,
                          extra={"typed": " / ".join(dict.fromkeys(m.typed for m in inds))})  # fmt: skip
        inds = with_data or inds[:1]
    if inds:
        found = cat.indicators[inds[0].id]
        notes += fuzzy_notes(ctx, inds[:1])
        return Resolved(better_fit(ctx, p, reading, found), notes)
    place_words = {m.typed for m in p.of_kind("place")}
    bds = [b for b in bds if b.typed not in place_words]  # "Leiden" alone is a place
    dims = {cat.breakdowns[b.id].dimension for b in bds} | {m.id for m in p.of_kind("dimension")}
    if dims and not p.unknown:
        # A sector alone ("horeca 2016") asks for the count of jobs, not a share; not when
        # another word was not understood ("vacatures in de zorg": that word is the subject).
        want = reading.unit or "aantal"
        candidates = sorted(
            (ind for ind in cat.indicators.values()
             if ind.breakdown_dimension in dims and ctx.has_data("indicator", ind.id)),
            key=lambda ind: (ind.unit != want, ind.sort, ind.id),
        )  # fmt: skip
        fitting = [c for c in candidates if _fits(ctx, p, reading, c)] or candidates
        in_unit = [c for c in fitting if c.unit == want] or fitting
        if len(in_unit) >= 2 and len({c.unit for c in in_unit}) == 1 and not p.of_kind("breakdown"):
            # "loopbaanpaden": two readings in the same unit, each with data — ask.
            options = tuple(
                Option("indicator", c.id, c.label,
                       " ".join([option_phrase(ctx, "indicator", c.id),
                                 *(ctx.label("place", m.id) for m in p.of_kind("place"))]))
                for c in in_unit[:MAX_OPTIONS]
            )  # fmt: skip
            return Answer(CLARIFY, Kind.CLARIFY, p.raw, intent=reading.intent, options=options,
                          extra={"typed": " ".join(words) or p.raw})  # fmt: skip
        if fitting:
            chosen = fitting[0]
            notes.append(Note("default_indicator", {"indicator": chosen.label}))
            return Resolved(chosen, notes)
    if reading.intent in (Intent.CHANGE, Intent.RANK) and (reading.by_change or
                                                          reading.intent == Intent.CHANGE):  # fmt: skip
        # "welke gemeente groeide het sterkst": growth of a place is growth in jobs.
        default = cat.indicators.get(DEFAULT_GROWTH)
        if default and ctx.has_data("indicator", default.id):
            notes.append(Note("default_indicator", {"indicator": default.label}))
            return Resolved(default, notes)
    return not_found(ctx, p, reading)


DEFAULT_GROWTH = "banen"


def not_found(ctx: Context, p: Parsed, reading: Reading) -> Answer:
    """No indicator: say what was not recognised and suggest what resembles it (catalog
    metadata only) or, for a place alone, what the place has."""
    cat = ctx.catalog
    place_matches = p.of_kind("place")
    places = [ctx.label("place", m.id) for m in place_matches]
    typed = [u.typed for u in p.unclear] + list(p.unknown)
    suggestions: list[Option] = []
    for word in typed[:3]:
        for phrase in resembling(cat, word):
            for e in cat.vocabulary[phrase]:
                if e.kind == "indicator" and ctx.has_data("indicator", e.id):
                    q = " ".join([option_phrase(ctx, "indicator", e.id), *places])
                    opt = Option("indicator", e.id, cat.indicators[e.id].label, q)
                    if opt not in suggestions:
                        suggestions.append(opt)
    if not suggestions and place_matches:
        code = place_matches[0].id
        found = store.indicators_at(ctx.conn, code, limit=40)
        if reading.unit:
            found = [i for i in found if cat.indicators[i].unit == reading.unit] or found
        when = " ".join(str(y) for y in p.years)
        if p.years:  # only readings with a figure for the year asked
            found = [i for i in found if any(
                period_matches(f.period, y)
                for f in store.figures(ctx.conn, i, [code], None) for y in p.years
            )]  # fmt: skip
        for i in found[:MAX_OPTIONS]:
            q = " ".join(x for x in (option_phrase(ctx, "indicator", i), places[0], when) if x)
            suggestions.append(Option("indicator", i, cat.indicators[i].label, q))
        if len(suggestions) >= 2 and not typed:
            # A place alone ("Leiden 2016", "hoeveel in Oegstgeest?"): ask which figure.
            return Answer(CLARIFY, Kind.CLARIFY, p.raw, intent=reading.intent,
                          options=tuple(suggestions[:MAX_OPTIONS]),
                          extra={"typed": "", "places": places})  # fmt: skip
    return Answer(
        NOT_FOUND,
        Kind.NOT_FOUND,
        p.raw,
        intent=reading.intent,
        options=tuple(suggestions[:MAX_OPTIONS]),
        extra={"unknown": typed, "places": places, "verb": p.verb},
    )
