"""The Slack app's settings, read from the environment and checked before start-up.

Every problem is one line that names the variable and says what was expected; a
value is never repeated, because it may be a token. ``redact`` and ``RedactingFilter``
keep tokens out of the log even when a library puts them in a message.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from econ071.core.errors import SettingsError

SOCKET, HTTP = "socket", "http"

_BOT_TOKEN = re.compile(r"(?:xoxe\.)?xoxb-[A-Za-z0-9-]+")
_APP_TOKEN = re.compile(r"xapp-[A-Za-z0-9-]+")
_SIGNING_SECRET = re.compile(r"[0-9a-f]{32}")
_TEAM = re.compile(r"[TE][A-Z0-9]{2,}")
CHANNEL_ID = re.compile(r"[CGD][A-Z0-9]{2,}")  # a public, private or DM channel
# Anything that looks like a Slack token, wherever it turns up in a log line.
_ANY_TOKEN = re.compile(r"xox[a-z]?[a-z.]*-[A-Za-z0-9-]+|xapp-[A-Za-z0-9-]+")

# Slack wants an answer within 3 s. An answer that is ready within this budget goes into
# the ack itself; anything slower is acked empty and sent through response_url.
DEFAULT_ACK_BUDGET = 1.5
DM = "dm"  # in ECON071_ALLOWED_CHANNELS: also answer direct messages


DEFAULT_RETRIES = 5  # per kind of trouble: 0,5 + 1 + 2 + 4 + 8 s of backoff
DEFAULT_BACKOFF = 0.5  # seconds, doubled at every attempt


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently a call to Slack is retried (econ071/slackapp/slack_client.py)."""

    retries: int = DEFAULT_RETRIES
    backoff: float = DEFAULT_BACKOFF


@dataclass(frozen=True)
class Settings:
    mode: str
    bot_token: str = field(repr=False)
    app_token: str | None = field(default=None, repr=False)
    signing_secret: str | None = field(default=None, repr=False)
    api_url: str | None = None  # Web API base URL, ending in "/" (None: slack.com)
    allowed_teams: frozenset[str] = frozenset()
    allowed_channels: frozenset[str] = frozenset()
    ack_budget: float = DEFAULT_ACK_BUDGET
    command: str = "/071"
    retry_policy: RetryPolicy = RetryPolicy()

    @property
    def secrets(self) -> tuple[str, ...]:
        return tuple(s for s in (self.bot_token, self.app_token, self.signing_secret) if s)

    def allows(
        self, team_id: str | None, enterprise_id: str | None, channel_id: str | None
    ) -> bool:
        """Whether a request from this workspace and conversation may be answered."""
        if self.allowed_teams and not ({team_id, enterprise_id} & self.allowed_teams):
            return False
        if self.allowed_channels and channel_id:
            if channel_id.startswith("D"):
                return DM in self.allowed_channels or channel_id in self.allowed_channels
            return channel_id in self.allowed_channels
        return True


def _required(env: Mapping[str, str], name: str, pattern: re.Pattern[str], expected: str) -> str:
    value = env.get(name, "")
    if not value.strip():
        raise SettingsError(f"{name} is not set: expected {expected}")
    if not pattern.fullmatch(value):
        raise SettingsError(f"{name} is malformed: expected {expected}")
    return value


def _id_list(
    env: Mapping[str, str], name: str, pattern: re.Pattern[str], extra: tuple[str, ...] = ()
) -> frozenset[str]:
    raw = env.get(name, "")
    items = [item for item in re.split(r"[\s,]+", raw) if item]
    for item in items:
        if item not in extra and not pattern.fullmatch(item):
            words = " or ".join(("Slack IDs", *extra))
            raise SettingsError(f"{name} is malformed: expected {words} separated by commas")
    return frozenset(items)


def _api_url(env: Mapping[str, str]) -> str | None:
    raw = env.get("SLACK_API_URL", "").strip()
    if not raw:
        return None
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query:
        raise SettingsError(
            "SLACK_API_URL is malformed: expected a base URL such as https://slack.com/api/"
        )
    return raw if raw.endswith("/") else raw + "/"


def _ack_budget(env: Mapping[str, str]) -> float:
    raw = env.get("ECON071_ACK_BUDGET", "").strip()
    if not raw:
        return DEFAULT_ACK_BUDGET
    try:
        budget = float(raw)
    except ValueError:
        budget = -1.0
    if not 0 <= budget <= 2.5:
        raise SettingsError("ECON071_ACK_BUDGET is malformed: expected seconds from 0 to 2.5")
    return budget


def retry_policy(env: Mapping[str, str] | None = None) -> RetryPolicy:
    """ECON071_SLACK_RETRIES (0–20) and ECON071_SLACK_RETRY_BACKOFF (seconds, 0–10)."""
    env = os.environ if env is None else env
    raw = env.get("ECON071_SLACK_RETRIES", "").strip() or str(DEFAULT_RETRIES)
    if not raw.isdigit() or int(raw) > 20:
        raise SettingsError(
            "ECON071_SLACK_RETRIES is malformed: expected a whole number from 0 to 20"
        )
    raw_backoff = env.get("ECON071_SLACK_RETRY_BACKOFF", "").strip() or str(DEFAULT_BACKOFF)
    try:
        backoff = float(raw_backoff)
    except ValueError:
        backoff = -1.0
    if not 0 <= backoff <= 10:
        raise SettingsError(
            "ECON071_SLACK_RETRY_BACKOFF is malformed: expected seconds from 0 to 10"
        )
    return RetryPolicy(int(raw), backoff)


def from_env(env: Mapping[str, str] | None = None, *, mode: str = SOCKET) -> Settings:
    """Read and check the settings for Socket Mode (``socket``) or HTTP mode (``http``)."""
    env = os.environ if env is None else env
    bot_token = _required(
        env,
        "SLACK_BOT_TOKEN",
        _BOT_TOKEN,
        "the Bot User OAuth Token (xoxb-…) from OAuth & Permissions",
    )
    app_token = signing_secret = None
    if mode == SOCKET:
        app_token = _required(
            env,
            "SLACK_APP_TOKEN",
            _APP_TOKEN,
            "an app-level token (xapp-…) with connections:write, from Basic Information",
        )
    elif mode == HTTP:
        signing_secret = _required(
            env,
            "SLACK_SIGNING_SECRET",
            _SIGNING_SECRET,
            "the 32 hexadecimal characters of the Signing Secret in Basic Information",
        )
    else:
        raise ValueError(f"unknown mode {mode!r}")
    return Settings(
        mode=mode,
        bot_token=bot_token,
        app_token=app_token,
        signing_secret=signing_secret,
        api_url=_api_url(env),
        allowed_teams=_id_list(env, "ECON071_ALLOWED_TEAMS", _TEAM),
        allowed_channels=_id_list(env, "ECON071_ALLOWED_CHANNELS", CHANNEL_ID, (DM,)),
        ack_budget=_ack_budget(env),
        retry_policy=retry_policy(env),
    )


def redact(text: str, secrets: tuple[str, ...] = ()) -> str:
    """The text with every token-like string and every given secret replaced."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "[redacted]")
    return _ANY_TOKEN.sub("[redacted]", text)


class RedactingFilter(logging.Filter):
    """Rewrites log records so that no token or signing secret reaches a handler, and no
    control character (an ESC sequence in a question, say) reaches the terminal or
    journal an administrator reads the log in (econ071.core.cleantext)."""

    def __init__(self, secrets: tuple[str, ...] = ()) -> None:
        super().__init__()
        self.secrets = secrets

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        from econ071.core.cleantext import clean as printable

        clean = printable(redact(message, self.secrets))
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_text:
            record.exc_text = printable(redact(record.exc_text, self.secrets))
        return True


def install_redaction(secrets: tuple[str, ...] = ()) -> RedactingFilter:
    """Attach the redacting filter to every handler of the root logger (and return it)."""
    redacting = RedactingFilter(secrets)
    root = logging.getLogger()
    for handler in root.handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(redacting)
    return redacting


def configure_logging(secrets: tuple[str, ...] = (), level: int = logging.INFO) -> None:
    """Log to stderr (unless something already configured logging) with tokens redacted."""
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    install_redaction(secrets)
