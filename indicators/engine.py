"""The answer engine's front door, kept where every surface imports it:

    from indicators.engine import Engine
    answer = Engine(db_path).ask("banen Leiden 2016")

The pipeline itself lives in ``indicators.answering`` (parse → interpret → resolve →
select → facts → annotate → answer).
"""

from indicators.answering.context import granularity, period_key, period_matches
from indicators.answering.engine import Engine

__all__ = ["Engine", "granularity", "period_key", "period_matches"]
