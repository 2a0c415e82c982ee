"""Never a 500 for input: arbitrary signed bodies shaped like Slack's (JSON events,
interaction payloads, slash-command forms, with every field of any JSON type) go
through the real WSGI application in-process; the answer is 2xx or 4xx, never 5xx."""

from __future__ import annotations

import io
import json
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from slack_harness import signed_headers

KEYS = ["type", "event", "team", "team_id", "user", "user_id", "channel", "channel_id",
        "actions", "authorizations", "command", "text", "response_url", "view",
        "container", "message", "enterprise", "is_ext_shared_channel", "api_app_id",
        "challenge", "token", "trigger_id", "response_urls"]  # fmt: skip
EVENT_KEYS = ["type", "channel", "user", "text", "ts", "thread_ts", "channel_type",
              "subtype", "bot_id", "team", "user_team", "item", "message"]  # fmt: skip
TYPES = st.sampled_from(["event_callback", "block_actions", "url_verification", "app_mention",
                         "message", "view_submission", "shortcut", "x"])  # fmt: skip
SCALARS = (
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20)
)
ANY = st.recursive(SCALARS, lambda c: st.lists(c, max_size=3) | st.dictionaries(
    st.text(max_size=8), c, max_size=3), max_leaves=8)  # fmt: skip
EVENT = st.dictionaries(st.sampled_from(EVENT_KEYS), TYPES | ANY, max_size=6)
ACTION = st.dictionaries(st.sampled_from(["action_id", "value", "block_id", "type"]),
                         st.just("econ071_share") | ANY, max_size=4)  # fmt: skip
BODY = st.dictionaries(
    st.sampled_from(KEYS),
    TYPES | ANY | EVENT | st.lists(ACTION | ANY, max_size=2),
    max_size=8,
)


@pytest.fixture(scope="module")
def wsgi(slack_env):
    from econ071.slackapp.wsgi import create_wsgi_app

    app = create_wsgi_app(slack_env)
    yield app
    app.assistant.close()


def _call(app, body: bytes, content_type: str) -> int:
    headers = signed_headers(body, content_type)
    environ = {
        "REQUEST_METHOD": "POST", "PATH_INFO": "/slack/events", "QUERY_STRING": "",
        "CONTENT_TYPE": content_type, "CONTENT_LENGTH": str(len(body)),
        "HTTP_X_SLACK_REQUEST_TIMESTAMP": headers["X-Slack-Request-Timestamp"],
        "HTTP_X_SLACK_SIGNATURE": headers["X-Slack-Signature"],
        "wsgi.input": io.BytesIO(body), "SERVER_PROTOCOL": "HTTP/1.1",
    }  # fmt: skip
    seen = []
    b"".join(app(environ, lambda status, headers, *a: seen.append(status)))
    return int(seen[0].split()[0])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow,
          HealthCheck.function_scoped_fixture])  # fmt: skip
@given(BODY)
def test_signed_json_events_never_get_a_5xx(wsgi, caplog, body):
    status = _call(wsgi, json.dumps(body).encode(), "application/json")
    assert status < 500, (status, body)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow,
          HealthCheck.function_scoped_fixture])  # fmt: skip
@given(BODY, st.booleans())
def test_signed_interaction_forms_never_get_a_5xx(wsgi, caplog, payload, as_payload):
    if as_payload:
        form = urlencode({"payload": json.dumps(payload)})
    else:
        form = urlencode(
            {k: v if isinstance(v, str) else json.dumps(v) for k, v in payload.items()}
        )
    status = _call(wsgi, form.encode(), "application/x-www-form-urlencoded")
    assert status < 500, (status, payload)
