"""What every Slack surface shares: turn Slack text into a question, answer it within a
time budget, render the reply, log the question, and turn failures into an apology.

One ``Assistant`` per process, holding the one ``Engine``. Listeners reach it through
``context["econ071"]`` (set by a middleware in econ071/slackapp/app.py).
"""

from __future__ import annotations

import html
import logging
import re
import time
import uuid
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from slack_sdk.errors import SlackApiError

from econ071.answering.engine import Engine
from econ071.core.answer import Answer
from econ071.core.cleantext import clean
from econ071.slackapp import blocks, charts
from econ071.slackapp.blocks import refusal_text
from econ071.slackapp.followups import follow_ups
from econ071.slackapp.settings import Settings
from econ071.slackapp.slack_client import DeliveryFailed
from econ071.store.deliveries import Deliveries
from econ071.store.questionlog import UNDELIVERED, QuestionLog, understood

log = logging.getLogger(__name__)

COMMAND, MENTION, DM = "command", "mention", "dm"


@dataclass(frozen=True)
class Reply:
    answer: Answer
    blocks: blocks.Blocks
    text: str


def question_text(slack_text: str | None, bot_user_id: str | None = None) -> str:
    """The question as the engine should read it: the bot's own mention removed, Slack's
    escaping (&amp; &lt; &gt;) undone, control characters made visible and format
    characters removed (econ071.core.cleantext). Everything else, ``<!channel>``
    included, stays as typed; the reply escapes it again."""
    text = slack_text or ""
    if bot_user_id:
        text = re.sub(rf"<@{re.escape(bot_user_id)}(?:\|[^>]*)?>", " ", text)
    return clean(" ".join(html.unescape(text).split()), newlines=False)


def _why(exc: Exception) -> str:
    """What Slack answered, in a few words (never a token: slack_sdk's errors hold none)."""
    if isinstance(exc, SlackApiError) and exc.response is not None:
        error = exc.response.get("error") if isinstance(exc.response.data, dict) else None
        return f"Slack answered HTTP {exc.response.status_code}" + (f" ({error})" if error else "")
    return str(exc) or type(exc).__name__


class Assistant:
    def __init__(
        self,
        settings: Settings,
        engine: Engine,
        question_log: QuestionLog | None = None,
        deliveries: Deliveries | None = None,
        workers: int = 8,
    ) -> None:
        self.settings = settings
        self.engine = engine
        self.question_log = question_log or QuestionLog(engine.db_path)
        self.deliveries = deliveries or Deliveries(engine.db_path)
        # Two pools: answers (waited for with a time budget) and what follows an ack
        # (delivery, the log), which may itself wait for an answer: never the same pool.
        self._answers = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="econ071-answer")
        self._after = ThreadPoolExecutor(
            max_workers=4 * workers, thread_name_prefix="econ071-after"
        )
        try:
            self.question_log.prepare()
        except Exception as exc:  # noqa: BLE001 (answering must not depend on the log)
            log.warning("the question log is not available: %s", exc)

    # -- access -------------------------------------------------------------------
    def allows(self, context: Mapping[str, Any]) -> bool:
        return self.settings.allows(
            context.get("team_id"), context.get("enterprise_id"), context.get("channel_id")
        )

    def admits_click(self, context: Mapping[str, Any], respond: Any) -> bool:
        """Whether a button click may be answered; if not, the refusal goes to the clicker
        alone (from the background pool: the click is acked already)."""
        if self.allows(context):
            return True
        self.later(respond, text=refusal_text(), response_type="ephemeral",
                   replace_original=False)  # fmt: skip
        return False

    # -- answering ----------------------------------------------------------------
    def reply(
        self,
        question: str,
        *,
        share: bool = False,
        conversation: bool = False,
        shared_by: str | None = None,
    ) -> Reply:
        """Answer and render; any failure becomes the apology with a logged reference.
        ``share``: a private /071 answer; ``conversation``: in a thread or DM; both come
        with what can be clicked (options, follow-ups, CSV, feedback)."""
        try:
            answer = self.engine.ask(question)
            if shared_by:
                rendered = blocks.shared_blocks(
                    answer, question, shared_by, command=self.settings.command
                )
            else:
                interactive = share or conversation
                rendered = blocks.answer_blocks(
                    answer,
                    question,
                    share=share,
                    conversation=conversation,
                    follow_ups=follow_ups(self.engine, answer, question) if interactive else (),
                    dimension=self._dimension(answer),
                )
            return Reply(answer, rendered, blocks.notification_text(rendered))
        except Exception:
            return self.apology(question)

    def _dimension(self, answer: Answer) -> str | None:
        ind = self.engine.catalog.indicators.get((answer.indicator or {}).get("id"))
        return ind.breakdown_dimension if ind else None

    def apology(self, question: str) -> Reply:
        reference = uuid.uuid4().hex[:8]
        log.exception("answering in Slack failed (reference %s)", reference)
        answer = blocks.error_answer(question, reference)
        rendered = blocks.answer_blocks(answer, question)
        return Reply(answer, rendered, blocks.notification_text(rendered))

    def submit(self, fn: Callable[..., Reply], *args: Any, **kwargs: Any) -> Future[Reply]:
        """Start an answer; the caller waits for it within its budget."""
        return self._answers.submit(fn, *args, **kwargs)

    def later(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        """Run work that follows the ack (delivery, the log) in the background; a failure
        is logged, since nobody waits for it."""

        def run() -> None:
            try:
                fn(*args, **kwargs)
            except (DeliveryFailed, SlackApiError) as exc:  # Slack's trouble, not a bug
                log.error(
                    "a reply was lost: Slack did not take it (retries: up to %d; %s): %s",
                    self.settings.retry_policy.retries,
                    getattr(fn, "__name__", type(fn).__name__),
                    _why(exc),
                )
            except Exception:
                log.exception(
                    "background work after the ack failed (%s)",
                    getattr(fn, "__name__", type(fn).__name__),
                )

        self._after.submit(run)

    def budget_left(self, context: Mapping[str, Any]) -> float:
        """Seconds left to answer inside the ack, counted from the request's arrival."""
        received = context.get("econ071_received_at") or time.monotonic()
        return max(0.0, self.settings.ack_budget - (time.monotonic() - received))

    # -- the log ------------------------------------------------------------------
    def log_question(self, reply: Reply, question: str, user_id: str | None, surface: str) -> None:
        self.question_log.record_answer(
            reply.answer, text=question, user_id=user_id, surface=surface
        )

    # -- charts -------------------------------------------------------------------
    def send_chart(
        self, client: Any, answer: Answer, channel: str | None, thread_ts: str | None
    ) -> bool:
        """Upload the chart of a trend, comparison or ranking beside its answer (after
        the answer is out). A chart that cannot be drawn or uploaded is logged: the
        answer stands without it."""
        if not channel or not charts.drawable(answer):
            return False
        try:
            drawn = charts.draw(self.engine, answer)
            if drawn is None:
                return False
            charts.upload_chart(client, drawn, channel, thread_ts)
            return True
        except Exception:
            log.warning("the chart for an answer could not be sent", exc_info=True)
            return False

    def deliver(
        self,
        send: Callable[[], Any],
        reply: Reply,
        question: str,
        user_id: str | None,
        surface: str,
        where: str,
    ) -> bool:
        """Send a reply (``send`` retries as econ071.slackapp.slack_client's clients do) and log the
        question. A reply Slack finally did not take is logged once, with what was lost
        and where it should have gone, and the question is logged as not delivered."""
        try:
            send()
        except Exception as exc:  # noqa: BLE001 (any failure to deliver is the same loss)
            log.error(
                "an answer was lost: the reply to a %s (%s; %s, %s) could not be delivered"
                " (retries: up to %d): %s",
                surface, where, reply.answer.status, understood(reply.answer),
                self.settings.retry_policy.retries, _why(exc),
            )  # fmt: skip
            self.question_log.record(
                question,
                status=UNDELIVERED,
                understood=understood(reply.answer),
                user_id=user_id,
                surface=surface,
            )
            return False
        self.log_question(reply, question, user_id, surface)
        return True

    def first_delivery(self, key: str) -> bool:
        return self.deliveries.first(key)

    def close(self) -> None:
        self._after.shutdown(wait=True)
        self._answers.shutdown(wait=True)
