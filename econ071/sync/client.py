"""CBS's OData v4 API over HTTP: httpx with a time-out on every request, tenacity for the
retries.

Retried, with exponential back-off (or the server's ``Retry-After``): HTTP 429 and 5xx,
dropped connections and time-outs (httpx.TransportError), and bodies that end early
(invalid JSON). A 404 is ``NotFound`` at once; any other answer is ``CbsError``.

Every page is written to a file as it arrives (bounded memory), then checked as a whole.
"""

from __future__ import annotations

import json
import logging
import os
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path

import httpx
import tenacity

log = logging.getLogger(__name__)

DEFAULT_BASE = "https://datasets.cbs.nl/odata/v1"
USER_AGENT = "econ071-sync (Economie071 indicator assistant)"


class CbsError(Exception):
    "CBS's API did not give what was asked for; the message says what and where"


class NotFound(CbsError):
    "The table (or entity set) does not exist at this address"


class Retryable(CbsError):
    "A failure worth another try: rate limit, server error, truncated body"

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Settings:
    base_url: str = DEFAULT_BASE
    timeout: float = 60.0  # seconds without a byte before a request is given up (and retried)
    attempts: int = 5  # tries per request
    backoff: float = 1.0  # first wait; doubles per retry (with jitter)
    max_wait: float = 60.0  # no wait is longer, whatever Retry-After says
    chunk: int = 20  # region codes per request
    page_observations: int | None = None  # $top per page; None: CBS's own paging

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """ECON071_CBS_URL, ECON071_SYNC_TIMEOUT, _ATTEMPTS, _BACKOFF, _MAX_WAIT, _CHUNK."""
        env = os.environ if env is None else env
        base = (env.get("ECON071_CBS_URL") or DEFAULT_BASE).strip().rstrip("/")
        if not base.startswith(("http://", "https://")):
            raise ValueError("ECON071_CBS_URL is malformed: expected a URL such as " + DEFAULT_BASE)

        def number(name: str, default: float, kind=float):
            raw = (env.get(name) or "").strip()
            if not raw:
                return default
            try:
                value = kind(raw)
            except ValueError:
                value = -1
            if value < 0:
                raise ValueError(f"{name} is malformed: expected a number ≥ 0, e.g. {default}")
            return value

        return cls(
            base_url=base,
            timeout=number("ECON071_SYNC_TIMEOUT", cls.timeout),
            attempts=max(1, number("ECON071_SYNC_ATTEMPTS", cls.attempts, int)),
            backoff=number("ECON071_SYNC_BACKOFF", cls.backoff),
            max_wait=number("ECON071_SYNC_MAX_WAIT", cls.max_wait),
            chunk=max(1, number("ECON071_SYNC_CHUNK", cls.chunk, int)),
        )


def _retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


class Client:
    """One HTTP client for a sync run (connections are reused)."""

    def __init__(self, settings: Settings | None = None, *, transport=None) -> None:
        self.settings = settings or Settings()
        s = self.settings
        self.http = httpx.Client(
            timeout=httpx.Timeout(s.timeout, connect=min(s.timeout, 30.0)),
            headers={"Accept": "application/json", "User-Agent": USER_AGENT},
            follow_redirects=True,
            transport=transport,
        )
        self.requests = 0  # requests sent, retries included

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def table_url(self, table_id: str) -> str:
        return f"{self.settings.base_url}/CBS/{table_id}"

    # -- retrying ------------------------------------------------------------------
    def _wait(self, state: tenacity.RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        s = self.settings
        if isinstance(exc, Retryable) and exc.retry_after is not None:
            return min(exc.retry_after, s.max_wait)
        # exponential back-off with jitter (tenacity's wait_exponential_jitter, whose
        # parameter names differ between versions)
        backoff = s.backoff * 2 ** (state.attempt_number - 1) + random.uniform(0, s.backoff)
        return min(backoff, s.max_wait)

    def _retrying(self, what: str) -> tenacity.Retrying:
        def before_sleep(state: tenacity.RetryCallState) -> None:
            exc = state.outcome.exception() if state.outcome else None
            text = _describe(exc)
            log.warning("CBS: %s; try %d of %d in %.1f s", text if what in text else f"{what}: {text}",
                        state.attempt_number + 1, self.settings.attempts,
                        state.next_action.sleep if state.next_action else 0)  # fmt: skip

        return tenacity.Retrying(
            retry=tenacity.retry_if_exception_type((Retryable, httpx.TransportError)),
            stop=tenacity.stop_after_attempt(self.settings.attempts),
            wait=self._wait,
            before_sleep=before_sleep,
            reraise=True,
        )

    def _check(self, response: httpx.Response, url: str) -> None:
        status = response.status_code
        if status == 404:
            raise NotFound(f"{url}: HTTP 404, not found")
        if status == 429 or status >= 500:
            raise Retryable(
                f"{url}: HTTP {status}", _retry_after(response.headers.get("Retry-After"))
            )
        if status >= 400:
            raise CbsError(f"{url}: HTTP {status}")

    @property
    def _gave_up(self) -> str:
        n = self.settings.attempts
        return f"gave up after {n} tries" if n > 1 else "no retries"

    # -- requests ------------------------------------------------------------------
    def get_json(self, url: str, params: Mapping[str, str] | None = None) -> dict:
        """One JSON document (a small one: Properties, a code list page)."""
        try:
            for attempt in self._retrying(url):
                with attempt:
                    self.requests += 1
                    response = self.http.get(url, params=params)
                    self._check(response, url)
                    try:
                        doc = response.json()
                    except ValueError:
                        raise Retryable(f"{url}: the answer is not complete JSON") from None
                    if not isinstance(doc, dict):
                        raise CbsError(f"{url}: expected a JSON object")
                    return doc
        except httpx.TransportError as exc:
            raise CbsError(f"{url}: {_describe(exc)}; {self._gave_up}") from None
        except Retryable as exc:
            raise CbsError(f"{exc}; {self._gave_up}") from None
        raise AssertionError("unreachable")  # pragma: no cover

    def get_all(self, url: str, params: Mapping[str, str] | None = None) -> dict:
        """An entity set with every page (``@odata.nextLink``) joined into one document."""
        doc = self.get_json(url, params)
        values = list(doc.get("value") or [])
        following = doc.get("@odata.nextLink")
        while following:
            page = self.get_json(following)
            values += page.get("value") or []
            following = page.get("@odata.nextLink")
        doc["value"] = values
        doc.pop("@odata.nextLink", None)
        return doc

    def download(self, url: str, params: Mapping[str, str] | None, path: Path,
                 keep: Callable[[list], list | None] | None = None) -> tuple[str | None, int]:  # fmt: skip
        """One page of observations, streamed to ``path`` and then checked whole; returns
        its ``@odata.nextLink`` (None on the last page) and its number of observations.
        ``keep`` takes the page's observations and returns the ones to keep (None: all);
        the page is rewritten when it leaves some out."""
        try:
            for attempt in self._retrying(url):
                with attempt:
                    self.requests += 1
                    with self.http.stream("GET", url, params=params) as response:
                        self._check(response, url)
                        with path.open("wb") as fh:
                            for block in response.iter_bytes(1 << 20):
                                fh.write(block)
                    try:
                        with path.open("rb") as fh:
                            doc = json.load(fh)
                    except (ValueError, UnicodeDecodeError):
                        raise Retryable(f"{url}: the page ends early (not complete JSON)") from None
                    values = doc.get("value") if isinstance(doc, dict) else None
                    if not isinstance(values, list):
                        raise CbsError(f"{url}: the page has no list of observations ('value')")
                    kept = keep(values) if keep else None
                    if kept is not None:
                        doc["value"] = kept
                        path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
                    return doc.get("@odata.nextLink"), len(doc["value"])
        except httpx.TransportError as exc:
            raise CbsError(f"{url}: {_describe(exc)}; {self._gave_up}") from None
        except Retryable as exc:
            raise CbsError(f"{exc}; {self._gave_up}") from None
        raise AssertionError("unreachable")  # pragma: no cover


def _describe(exc: BaseException | None) -> str:
    if isinstance(exc, httpx.TimeoutException):
        return "no answer in time (time-out)"
    if isinstance(exc, httpx.RemoteProtocolError):
        return "the connection was dropped mid-answer"
    if isinstance(exc, httpx.ConnectError):
        return "cannot connect"
    if isinstance(exc, httpx.TransportError):
        return f"connection problem ({type(exc).__name__})"
    return str(exc)
