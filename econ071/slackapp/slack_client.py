"""The one place Slack clients are made: the Web API (answers, shares, the weekly summary,
uploads; the Bolt app gets its client here too) and ``response_url`` posts.

Every client carries slack_sdk's retry handlers: rate limits (HTTP 429: wait for
``Retry-After``), server errors (500, 503: exponential backoff) and dropped connections,
each up to ``RetryPolicy.retries`` times, enough to ride out a short outage (with the
defaults, about 15 s of 500s). ``ECON071_SLACK_RETRIES`` and
``ECON071_SLACK_RETRY_BACKOFF`` change them.

    client = web_client(token, base_url, RetryPolicy())
    respond = Responder(response_url, RetryPolicy())   # raises DeliveryFailed
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

from slack_sdk import WebClient
from slack_sdk.http_retry import RetryHandler
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import BackoffRetryIntervalCalculator
from slack_sdk.http_retry.jitter import Jitter
from slack_sdk.webhook import WebhookClient

from econ071.slackapp.settings import RetryPolicy

WEB_API_TIMEOUT = 10  # seconds per attempt


class DeliveryFailed(Exception):
    "Slack did not take a message after every retry; the message says what Slack answered"


class _ScaledJitter(Jitter):
    """Up to half the backoff factor of random extra wait (slack_sdk's default adds up to
    a whole second, whatever the backoff)."""

    def __init__(self, scale: float) -> None:
        self.scale = scale

    def recalculate(self, duration: float) -> float:
        return duration + random.random() * self.scale


def retry_handlers(policy: RetryPolicy) -> list[RetryHandler]:
    interval = BackoffRetryIntervalCalculator(
        backoff_factor=policy.backoff, jitter=_ScaledJitter(policy.backoff / 2)
    )
    return [
        ConnectionErrorRetryHandler(max_retry_count=policy.retries, interval_calculator=interval),
        RateLimitErrorRetryHandler(max_retry_count=policy.retries),
        ServerErrorRetryHandler(max_retry_count=policy.retries, interval_calculator=interval),
    ]


def web_client(
    token: str | None,
    base_url: str | None = None,
    policy: RetryPolicy | None = None,
    *,
    timeout: int = WEB_API_TIMEOUT,
) -> WebClient:
    """A WebClient on ``base_url`` (SLACK_API_URL; default slack.com) with the retry
    handlers of ``policy``."""
    return WebClient(
        token=token,
        base_url=base_url or WebClient.BASE_URL,
        timeout=timeout,
        retry_handlers=retry_handlers(policy or RetryPolicy()),
    )


class Responder:
    """``respond()`` for a ``response_url``, as Bolt's, but with the retry handlers, and
    raising ``DeliveryFailed`` when Slack finally did not take the message (Bolt's
    returns the failed response, which nobody reads)."""

    def __init__(self, response_url: str | None, policy: RetryPolicy | None = None) -> None:
        self.response_url = response_url
        self.policy = policy or RetryPolicy()

    def __call__(
        self,
        text: str = "",
        blocks: Sequence[dict[str, Any]] | None = None,
        **fields: Any,
    ) -> Any:
        if not self.response_url:
            raise ValueError("respond is unsupported here as there is no response_url")
        message: dict[str, Any] = {"text": text}
        if blocks is not None:
            message["blocks"] = list(blocks)
        message.update({k: v for k, v in fields.items() if v is not None})
        client = WebhookClient(
            self.response_url,
            timeout=WEB_API_TIMEOUT,
            retry_handlers=retry_handlers(self.policy),
        )
        try:
            response = client.send_dict(message)
        except OSError as exc:
            raise DeliveryFailed(f"response_url unreachable: {type(exc).__name__}") from exc
        if response.status_code != 200:
            raise DeliveryFailed(f"response_url answered HTTP {response.status_code}")
        return response
