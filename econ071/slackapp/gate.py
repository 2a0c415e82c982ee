"""The request boundary of HTTP mode: what a request must be before Bolt sees it.

Bolt parses a body (JSON, the ``payload`` form field) before it checks the signature,
and reads the fields it routes on without checking their types, so junk used to end in
a 500 and a logged traceback. Here, in this order, and the same under ASGI and WSGI:

1. the path and method: ``/slack/events`` takes POST only (404, 405); ``/healthz`` GET;
2. the size, from Content-Length before anything is read, and while reading (413);
3. the signature, on the raw bytes, before anything is parsed: one timestamp header of
   digits within five minutes, one ``v0=`` signature header, HMAC-SHA256 of
   ``v0:{timestamp}:{body}`` with the signing secret — else 401;
4. the body, parsed as Bolt parses it, and the types of the fields Bolt and the
   listeners read (an event must be an object, a channel a string, …) — else 400 with a
   short JSON error.

Only then does Bolt dispatch it. No refusal logs a traceback or the request's contents.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
# Slack's largest payloads (modals, long messages) stay well below this.
MAX_BODY = 1024 * 1024
# A client gets this long to send its whole body (Slack sends it at once).
BODY_SECONDS = 10.0
MAX_CLOCK_SKEW = 5 * 60  # seconds, as Slack's own verification

log = logging.getLogger("econ071.slackapp.gate")

Headers = list[tuple[str, str]]  # (lower-case name, value), repeated names kept


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes
    headers: tuple[tuple[str, str], ...] = ()
    content_type: str = "application/json"

    def header_list(self) -> list[tuple[str, str]]:
        return [
            ("content-type", self.content_type),
            ("content-length", str(len(self.body))),
            *self.headers,
        ]


REASONS = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found",
           405: "Method Not Allowed", 408: "Request Timeout", 413: "Content Too Large",
           500: "Internal Server Error"}  # fmt: skip


def refusal(status: int, error: str, headers: tuple[tuple[str, str], ...] = ()) -> Response:
    """A short JSON error: ``{"ok": false, "error": "…"}``."""
    return Response(status, json.dumps({"ok": False, "error": error}).encode(), headers)


HEALTHY = Response(200, b"ok", content_type="text/plain")
TOO_LARGE = refusal(413, "body_too_large")
TOO_SLOW = refusal(408, "body_too_slow")


def before_body(method: str, path: str, headers: Headers) -> Response | None:
    """The answer for a request that need not (or must not) be read; None: read it."""
    if path == HEALTH_PATH:
        if method in ("GET", "HEAD"):
            return HEALTHY
        return refusal(405, "method_not_allowed", (("allow", "GET, HEAD"),))
    if path != EVENTS_PATH:
        return refusal(404, "not_found")
    if method != "POST":
        return refusal(405, "method_not_allowed", (("allow", "POST"),))
    lengths = values(headers, "content-length")
    if len(lengths) > 1 or (lengths and not lengths[0].strip().isdigit()):
        return refusal(400, "bad_content_length")
    if lengths and int(lengths[0]) > MAX_BODY:
        return TOO_LARGE
    return None


def values(headers: Headers, name: str) -> list[str]:
    return [v for k, v in headers if k == name]


def unsigned(headers: Headers, body: bytes, secret: str, now: float | None = None) -> bool:
    """True unless the request carries exactly one valid, recent Slack signature."""
    timestamps = values(headers, "x-slack-request-timestamp")
    signatures = values(headers, "x-slack-signature")
    if len(timestamps) != 1 or len(signatures) != 1:
        return True
    timestamp, signature = timestamps[0].strip(), signatures[0].strip()
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12):
        return True
    if not signature.startswith("v0="):
        return True
    now = time.time() if now is None else now
    if abs(now - int(timestamp)) > MAX_CLOCK_SKEW:
        return True
    # Slack's v0 scheme on the raw bytes (slack_sdk's SignatureVerifier would first
    # decode them as UTF-8, which a forged body need not be).
    base = b"v0:" + timestamp.encode() + b":" + body
    expected = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return not hmac.compare_digest(expected, signature)


# -- the body, as Bolt will read it --------------------------------------------------------

_STR = (str,)
_OPT_STR = (str, type(None))
_ID_OR_OBJECT = (str, dict, type(None))
# Fields Bolt (building its context, matching listeners) or our listeners read, with the
# types they can cope with. Anything not named here is left alone.
_TOP = {
    "type": _OPT_STR, "command": _OPT_STR, "text": _OPT_STR, "response_url": _OPT_STR,
    "team_id": _OPT_STR, "enterprise_id": _OPT_STR, "user_id": _OPT_STR,
    "channel_id": _OPT_STR, "api_app_id": _OPT_STR, "trigger_id": _OPT_STR,
    "team": _ID_OR_OBJECT, "enterprise": _ID_OR_OBJECT, "user": _ID_OR_OBJECT,
    # Bolt reads these with body.get(key, {}).get(…) or body[key][0]: null breaks it too.
    "channel": _ID_OR_OBJECT, "event": (dict,), "container": (dict,),
    "view": (dict,), "message": (dict,), "actions": (list,),
    "authorizations": (list, type(None)), "response_urls": (list,),
    "is_ext_shared_channel": (bool, str, type(None)), "callback_id": _OPT_STR,
}  # fmt: skip
_EVENT = {
    "type": _STR, "subtype": _OPT_STR, "user": _ID_OR_OBJECT, "text": _OPT_STR,
    "ts": _OPT_STR, "thread_ts": _OPT_STR, "event_ts": _OPT_STR, "channel_type": _OPT_STR,
    "bot_id": _OPT_STR, "team": _OPT_STR, "user_team": _OPT_STR, "channel": _ID_OR_OBJECT,
    "item": (dict, type(None)), "message": (dict, type(None)),
    "previous_message": (dict, type(None)), "assistant_thread": (dict, type(None)),
}  # fmt: skip
# In the message events the app answers, these are strings (never objects).
_MESSAGE_EVENT = {"channel": _OPT_STR, "user": _OPT_STR}
_ACTION = {"action_id": _STR, "block_id": _OPT_STR, "value": _OPT_STR, "type": _OPT_STR}
_OBJECT_ID = {"id": _OPT_STR, "team_id": _OPT_STR, "enterprise_id": _OPT_STR}
_AUTHORIZATION = {"team_id": _OPT_STR, "user_id": _OPT_STR, "enterprise_id": _OPT_STR,
                  "is_enterprise_install": (bool, str, type(None))}  # fmt: skip


class Malformed(ValueError):
    "A signed body Bolt could not read safely; the message is a short error code"


def parse(headers: Headers, body: bytes) -> dict[str, Any]:
    """The body as Bolt parses it (JSON, or a form, or a form's ``payload`` JSON), with
    the types of the fields it reads checked. Raises ``Malformed``."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise Malformed("body_not_utf8") from None
    if not text:
        return {}
    content_types = values(headers, "content-type")
    content_type = content_types[0].split(";")[0].strip() if content_types else None
    if content_type == "application/json" or text.startswith("{"):
        data = _json(text, "body_not_json")
    elif "payload" in text:
        form = dict(parse_qsl(text, keep_blank_values=True))
        data = _json(form["payload"], "payload_not_json") if "payload" in form else {}
    else:
        data = dict(parse_qsl(text, keep_blank_values=True))
    if not isinstance(data, dict):
        raise Malformed("body_not_an_object")
    _check(data, _TOP, "")
    for key, spec in (("team", _OBJECT_ID), ("user", _OBJECT_ID), ("channel", _OBJECT_ID),
                      ("enterprise", _OBJECT_ID), ("container", {"channel_id": _OPT_STR})):  # fmt: skip
        if isinstance(data.get(key), dict):
            _check(data[key], spec, key + ".")
    for auth in _items(data, "authorizations"):
        _check(auth, _AUTHORIZATION, "authorizations[].")
    for url in _items(data, "response_urls"):
        _check(url, {"response_url": _OPT_STR}, "response_urls[].")
    if data.get("type") == "block_actions" and not data.get("actions"):
        raise Malformed("actions_missing")
    for action in _items(data, "actions"):
        _check(action, _ACTION, "actions[].")
    event = data.get("event")
    if data.get("type") == "event_callback" and not isinstance(event, dict):
        raise Malformed("event_not_an_object")
    if isinstance(event, dict):
        _check(event, _EVENT, "event.")
        if event.get("type") in ("message", "app_mention"):
            _check(event, _MESSAGE_EVENT, "event.")
        for key in ("item", "message", "previous_message", "assistant_thread"):
            if isinstance(event.get(key), dict):
                _check(event[key], {"channel": _ID_OR_OBJECT, "user": _ID_OR_OBJECT,
                                    "thread_ts": _OPT_STR}, f"event.{key}.")  # fmt: skip
    return data


def _json(text: str, error: str) -> Any:
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        raise Malformed(error) from None


def _items(data: Mapping[str, Any], key: str) -> Iterable[dict[str, Any]]:
    items = data.get(key) or []
    for item in items:
        if not isinstance(item, dict):
            raise Malformed(f"{key}_not_objects")
    return items


def _check(obj: Mapping[str, Any], spec: Mapping[str, tuple[type, ...]], prefix: str) -> None:
    for key, types in spec.items():
        if key in obj and not isinstance(obj[key], types):
            raise Malformed(f"{prefix}{key}_has_the_wrong_type")


def after_body(headers: Headers, body: bytes, secret: str) -> Response | None:
    """401 for a request without a valid signature, 400 for a signed body Bolt cannot
    read; None when it may go to Bolt."""
    if unsigned(headers, body, secret):
        log.warning(
            "refused a request without a valid, recent Slack signature"
            " (if Slack's own requests are refused: check SLACK_SIGNING_SECRET and the clock)"
        )
        return refusal(401, "invalid_signature")
    try:
        parse(headers, body)
    except Malformed as exc:
        log.warning("refused a signed but malformed Slack request (%s)", exc)
        return refusal(400, str(exc))
    return None


def dispatch(
    bolt_dispatch: Callable[[Any], Any], headers: Headers, query: str, body: bytes
) -> Response:
    """Hand a checked request to Bolt (``App.dispatch``) and turn its answer into ours."""
    from slack_bolt.request import BoltRequest

    bolt_headers: dict[str, list[str]] = {}
    for name, value in headers:
        bolt_headers.setdefault(name, []).append(value)
    try:
        request = BoltRequest(body=body.decode("utf-8"), query=query, headers=bolt_headers)
    except Exception as exc:  # noqa: BLE001 (input Bolt cannot read is the sender's fault)
        log.warning("refused a Slack request Bolt could not read (%s)", type(exc).__name__)
        return refusal(400, "malformed_request")
    response = bolt_dispatch(request)
    out_headers = []
    content_type = "text/plain;charset=utf-8"
    for name, items in response.headers.items():
        for value in items:
            if name.lower() == "content-type":
                content_type = value
            elif name.lower() != "content-length":
                out_headers.append((name, value))
    return Response(response.status, response.body.encode("utf-8"), tuple(out_headers),
                    content_type)  # fmt: skip
