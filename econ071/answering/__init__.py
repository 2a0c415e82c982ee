"""Answering: a question in, one ``Answer`` out, in small steps each with one job.

    parse      words matched against the catalog (+ data/vocabulary.csv), typos, years
    interpret  what is asked: the intent (figure, rank, extreme year, change, share, …)
    resolve    which indicator; asking back only between readings that have data
    select     which figures: places, breakdown, source, period; or what is missing
    facts      change, share, rank, gap, trend, extreme, ranked rows
    annotate   caveats (most specific first), the report's readings, sources
    compose    the Answer of the kind the intent calls for, short with the long form in
               ``more``; misses and meta answer what is absent and what the catalog says
    engine     runs the steps for one question within a time budget

No Slack, no pandas: this package is on every question's path.
"""
