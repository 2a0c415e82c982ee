"""Slack's own hiccups, over the real wire: chat.postMessage and response_url answering
429 (with Retry-After), 500 and 503 are retried by slack_sdk's retry handlers, and the
answer is delivered exactly once; an answer Slack never takes is logged once, with what
was lost, and the question log does not call it answered."""

from __future__ import annotations

import logging
import time

import pytest
from slack_harness import BOT_USER_ID, HttpApp, SlackSender, all_text, copy_store, message_event

from econ071.slackapp.settings import SettingsError, retry_policy
from econ071.slackapp.slack_client import DeliveryFailed, Responder, web_client
from econ071.store.questionlog import UNDELIVERED

FIGURE = "67.537"
RETRIES = 3


@pytest.fixture(scope="module")
def retry_app(slack_env, store_path, tmp_path_factory):
    db = copy_store(store_path, tmp_path_factory.mktemp("retries"))
    env = {**slack_env, "ECON071_DB": str(db), "ECON071_SLACK_RETRIES": str(RETRIES),
           "ECON071_SLACK_RETRY_BACKOFF": "0.01"}  # fmt: skip
    with HttpApp(env) as app:
        yield app


def _logged(app, text, status, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        rows = [q for q in app.assistant.question_log.questions() if q.text == text]
        if rows and rows[0].status == status:
            return rows
        time.sleep(0.02)
    return [q for q in app.assistant.question_log.questions() if q.text == text]


def _mention(app, text, ts):
    SlackSender(app.url).event(message_event(f"<@{BOT_USER_ID}> {text}", ts=ts))


@pytest.mark.parametrize(
    ("status", "times", "retry_after"), [(500, 1, None), (503, 1, None), (429, 3, 0)],
    ids=["500-once", "503-once", "429-three-times"],
)  # fmt: skip
def test_a_mention_is_answered_once_through_slack_errors(retry_app, slack, status, times,
                                                        retry_after):  # fmt: skip
    question = f"banen Leiden 2016 via {status}"
    slack.fail("chat.postMessage", status=status, retry_after=retry_after, times=times)
    _mention(retry_app, question, ts=f"1700020{status}.000001")
    calls = slack.wait_for("chat.postMessage", count=times + 1, timeout=10)
    time.sleep(0.3)  # nothing more comes
    calls = slack.calls_to("chat.postMessage")
    assert len(calls) == times + 1  # the failures, then the one delivery
    assert all(c.params == calls[0].params for c in calls)
    assert FIGURE in all_text(calls[-1].params["blocks"])
    [row] = _logged(retry_app, question, "answered")
    assert row.status == "answered"


def test_a_late_command_answer_rides_out_429_and_500_on_response_url(slack, slack_env, retry_app):
    env = {**slack_env, "ECON071_ACK_BUDGET": "0", "ECON071_SLACK_RETRIES": str(RETRIES),
           "ECON071_SLACK_RETRY_BACKOFF": "0.01"}  # fmt: skip
    slack.fail("response_url", status=429, retry_after=0)
    slack.fail("response_url", status=500)
    with HttpApp(env) as app:
        response = SlackSender(app.url).command("banen Leiden 2016", slack.response_url("late"))
        assert response.status_code == 200 and response.text == ""
        calls = slack.wait_for("response_url", count=3, timeout=10)
        time.sleep(0.3)
        calls = slack.calls_to("response_url")
        assert len(calls) == 3 and all(c.body == calls[0].body for c in calls)
        assert FIGURE in all_text(calls[-1].json()["blocks"])
        assert _logged(app, "banen Leiden 2016", "answered")[0].status == "answered"


def test_an_answer_slack_never_takes_is_logged_once_and_not_as_answered(retry_app, slack,
                                                                        caplog):  # fmt: skip
    caplog.set_level(logging.INFO)
    question = "banen Katwijk 2016 verloren"
    slack.fail("chat.postMessage", status=500, times=RETRIES + 1)
    _mention(retry_app, question, ts="1700020999.000001")
    slack.wait_for("chat.postMessage", count=RETRIES + 1, timeout=10)
    [row] = _logged(retry_app, question, UNDELIVERED)
    assert row.status == UNDELIVERED  # not "answered": the answer never reached Slack
    lost = [r for r in caplog.records if "an answer was lost" in r.getMessage()]
    assert len(lost) == 1 and not lost[0].exc_info
    message = lost[0].getMessage()
    assert "mention" in message and "HTTP 500" in message and "GM0537" in message  # Katwijk
    assert "Katwijk 2016 verloren" not in message  # what was lost, not what was typed
    assert len(slack.calls_to("chat.postMessage")) == RETRIES + 1


def test_responder_raises_when_response_url_finally_fails(slack):
    from econ071.slackapp.settings import RetryPolicy

    slack.fail("response_url", status=503, times=3)
    with pytest.raises(DeliveryFailed, match="HTTP 503"):
        Responder(slack.response_url("x"), RetryPolicy(retries=2, backoff=0.01))(text="hoi")
    assert len(slack.calls_to("response_url")) == 3


def test_every_client_comes_from_one_factory_with_all_three_handlers(http_app):
    from slack_sdk.http_retry.builtin_handlers import (
        ConnectionErrorRetryHandler,
        RateLimitErrorRetryHandler,
        ServerErrorRetryHandler,
    )

    from econ071.slackapp.post_summary import client_from_env

    kinds = {ConnectionErrorRetryHandler, RateLimitErrorRetryHandler, ServerErrorRetryHandler}
    clients = [http_app.bolt_app.client, web_client("xoxb-1"),
               client_from_env({"SLACK_BOT_TOKEN": "xoxb-1"})]  # fmt: skip
    for client in clients:
        assert {type(h) for h in client.retry_handlers} == kinds
        assert all(h.max_retry_count == 5 for h in client.retry_handlers)


@pytest.mark.parametrize(
    "env", [{"ECON071_SLACK_RETRIES": "x"}, {"ECON071_SLACK_RETRIES": "99"},
            {"ECON071_SLACK_RETRY_BACKOFF": "-1"}, {"ECON071_SLACK_RETRY_BACKOFF": "abc"}],
)  # fmt: skip
def test_malformed_retry_settings_are_one_line(env):
    with pytest.raises(SettingsError, match=next(iter(env))):
        retry_policy(env)


def test_a_share_slack_never_takes_is_one_line_in_the_log(retry_app, slack, caplog):
    caplog.set_level(logging.INFO)
    slack.fail("chat.postMessage", status=503, times=RETRIES + 1)
    slack.fail("response_url", status=503, times=RETRIES + 1)
    SlackSender(retry_app.url).action("banen Leiden 2016", slack.response_url("share"))
    slack.wait_for("response_url", count=RETRIES + 1, timeout=10)
    deadline = time.monotonic() + 5
    while "a reply was lost" not in caplog.text and time.monotonic() < deadline:
        time.sleep(0.02)
    lost = [r for r in caplog.records if "a reply was lost" in r.getMessage()]
    assert len(lost) == 1 and not lost[0].exc_info and "HTTP 503" in lost[0].getMessage()
    assert "Traceback" not in caplog.text
