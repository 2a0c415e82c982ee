"""The Bolt app: one App, the listeners in econ071/slackapp/listeners/, one error handler.

app = create_app(settings.from_env(mode="http"), Engine())
"""

from __future__ import annotations

import logging
import time
from typing import Any
from urllib.error import URLError

from slack_bolt import App, BoltContext
from slack_bolt.error import BoltError
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from econ071.answering.engine import Engine
from econ071.slackapp import listeners, slack_client
from econ071.slackapp.assistant import Assistant
from econ071.slackapp.settings import Settings, SettingsError

log = logging.getLogger(__name__)


def web_client(settings: Settings) -> WebClient:
    """The app's WebClient (econ071.slackapp.slack_client's factory): SLACK_API_URL, retry handlers."""
    return slack_client.web_client(settings.bot_token, settings.api_url, settings.retry_policy)


class _SameTokenWarning(logging.Filter):
    """Bolt reads SLACK_BOT_TOKEN itself and warns that it goes unused next to our client;
    it is the very same token, so the warning would only mislead an admin."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


def create_app(settings: Settings, engine: Engine, assistant: Assistant | None = None) -> App:
    """Build the Bolt app for Socket Mode or HTTP mode. Raises SettingsError (one line,
    no secrets) when Slack refuses the bot token or cannot be reached."""
    assistant = assistant or Assistant(settings, engine)
    bolt_logger = logging.getLogger("slack_bolt.App")
    if not any(isinstance(f, _SameTokenWarning) for f in bolt_logger.filters):
        bolt_logger.addFilter(_SameTokenWarning())
    try:
        app = App(
            # The token comes with the client (on SLACK_API_URL when set).
            # Socket Mode needs no signing secret: Bolt skips request verification there.
            signing_secret=settings.signing_secret or "",
            client=web_client(settings),
            # True, although this is a long-running server and not a FaaS. With False,
            # Bolt runs each listener on another thread and polls for ack() every 10 ms,
            # which made up most of a fast answer's latency. With True the listener runs
            # on the request's own thread and its return sends the response; so every
            # listener here acks within the budget and hands all slower work (respond(),
            # chat.postMessage, the question log) to the Assistant's background pool,
            # whose threads keep running after the response, as in any gunicorn worker
            # or Socket Mode process. (On a FaaS this would need lazy listeners instead.)
            process_before_response=True,
        )
    except BoltError as exc:
        cause = exc.__context__
        if isinstance(cause, SlackApiError):
            code = cause.response.get("error") or f"HTTP {cause.response.status_code}"
            raise SettingsError(f"SLACK_BOT_TOKEN was refused by Slack ({code})") from None
        raise SettingsError(f"SLACK_BOT_TOKEN could not be checked: {exc}") from None
    except (URLError, OSError) as exc:
        where = "SLACK_API_URL" if settings.api_url else "slack.com"
        reason = getattr(exc, "reason", exc)
        raise SettingsError(f"Slack's Web API ({where}) cannot be reached: {reason}") from None

    @app.middleware
    def attach_assistant(context: BoltContext, next: Any) -> None:  # noqa: A002 (Bolt's name)
        context["econ071"] = assistant
        context["econ071_received_at"] = time.monotonic()
        if context.response_url:  # respond() with the retry handlers, raising when it fails
            context["respond"] = slack_client.Responder(context.response_url, settings.retry_policy)
        next()

    listeners.register(app, settings.command)

    @app.error
    def log_error(error: Exception, body: dict[str, Any]) -> None:
        kind = body.get("type") or ("command" if "command" in body else "?")
        log.error("unhandled error in a Slack listener (%s)", kind, exc_info=error)

    return app
