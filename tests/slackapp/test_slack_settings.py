"""Start-up: a missing or malformed setting is one clear line naming the variable, and no
token ever reaches the output or the log."""

from __future__ import annotations

import logging
import subprocess
import sys

import pytest
from click.testing import CliRunner
from slack_harness import APP_TOKEN, BOT_TOKEN, SIGNING_SECRET

from econ071.cli.main import main
from econ071.slackapp.settings import HTTP, SOCKET, RedactingFilter, SettingsError, from_env, redact

GOOD = {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_APP_TOKEN": APP_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET}  # fmt: skip
SLACK_VARS = ["SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_API_URL",
              "ECON071_ALLOWED_TEAMS", "ECON071_ALLOWED_CHANNELS", "ECON071_ACK_BUDGET"]  # fmt: skip


@pytest.mark.parametrize(
    ("mode", "change", "variable", "problem"),
    [
        (SOCKET, {"SLACK_BOT_TOKEN": ""}, "SLACK_BOT_TOKEN", "is not set"),
        (HTTP, {"SLACK_BOT_TOKEN": None}, "SLACK_BOT_TOKEN", "is not set"),
        (SOCKET, {"SLACK_BOT_TOKEN": "xoxp-1-user-token-value"}, "SLACK_BOT_TOKEN", "is malformed"),
        (SOCKET, {"SLACK_BOT_TOKEN": BOT_TOKEN + "\n"}, "SLACK_BOT_TOKEN", "is malformed"),
        (SOCKET, {"SLACK_BOT_TOKEN": f'"{BOT_TOKEN}"'}, "SLACK_BOT_TOKEN", "is malformed"),
        (SOCKET, {"SLACK_APP_TOKEN": None}, "SLACK_APP_TOKEN", "is not set"),
        (SOCKET, {"SLACK_APP_TOKEN": BOT_TOKEN}, "SLACK_APP_TOKEN", "is malformed"),
        (HTTP, {"SLACK_SIGNING_SECRET": None}, "SLACK_SIGNING_SECRET", "is not set"),
        (HTTP, {"SLACK_SIGNING_SECRET": SIGNING_SECRET[:-1]}, "SLACK_SIGNING_SECRET", "is malformed"),
        (HTTP, {"SLACK_API_URL": "slack.example.nl/api"}, "SLACK_API_URL", "is malformed"),
        (HTTP, {"ECON071_ALLOWED_TEAMS": "T0ABC, gemeente-leiden"}, "ECON071_ALLOWED_TEAMS",
         "is malformed"),
        (HTTP, {"ECON071_ALLOWED_CHANNELS": "#algemeen"}, "ECON071_ALLOWED_CHANNELS",
         "is malformed"),
        (HTTP, {"ECON071_ACK_BUDGET": "5"}, "ECON071_ACK_BUDGET", "is malformed"),
    ],
)  # fmt: skip
def test_a_bad_setting_is_one_line_naming_the_variable(mode, change, variable, problem):
    env = {k: v for k, v in {**GOOD, **change}.items() if v is not None}
    with pytest.raises(SettingsError) as info:
        from_env(env, mode=mode)
    message = str(info.value)
    assert message.startswith(f"{variable} {problem}: expected ")
    assert "\n" not in message
    for value in change.values():
        if value and len(value) > 4:
            assert value.strip().strip('"') not in message


def test_good_settings_are_read():
    env = {**GOOD, "SLACK_API_URL": "http://127.0.0.1:9/api", "ECON071_ALLOWED_TEAMS": "T01, E02",
           "ECON071_ALLOWED_CHANNELS": "C01 dm", "ECON071_ACK_BUDGET": "0.5"}  # fmt: skip
    s = from_env(env, mode=HTTP)
    assert s.api_url == "http://127.0.0.1:9/api/"
    assert s.allowed_teams == {"T01", "E02"} and s.allowed_channels == {"C01", "dm"}
    assert s.ack_budget == 0.5 and s.app_token is None
    assert BOT_TOKEN not in repr(s) and SIGNING_SECRET not in repr(s)
    assert s.allows("T01", None, "C01") and s.allows(None, "E02", "D0X")
    assert not s.allows("T09", None, "C01") and not s.allows("T01", None, "C09")
    assert from_env(env, mode=SOCKET).allows("T01", None, None)


def test_redaction_removes_every_token():
    line = f"auth failed for {BOT_TOKEN} / {APP_TOKEN} / xoxe.xoxb-1-abc / secret {SIGNING_SECRET}"
    clean = redact(line, (SIGNING_SECRET,))
    for secret in (BOT_TOKEN, APP_TOKEN, "xoxe.xoxb-1-abc", SIGNING_SECRET):
        assert secret not in clean
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "token %s", (BOT_TOKEN,), None)
    RedactingFilter().filter(record)
    assert BOT_TOKEN not in record.getMessage()


@pytest.fixture
def clean_env(monkeypatch):
    for name in SLACK_VARS:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


@pytest.mark.parametrize(
    ("args", "env", "expected"),
    [
        (["serve"], {}, "Error: SLACK_BOT_TOKEN is not set: expected the Bot User OAuth Token"),
        (["serve"], {"SLACK_BOT_TOKEN": BOT_TOKEN}, "Error: SLACK_APP_TOKEN is not set"),
        (["serve", "--http"], {"SLACK_BOT_TOKEN": BOT_TOKEN}, "Error: SLACK_SIGNING_SECRET is not set"),
        (["serve", "--http"], {"SLACK_BOT_TOKEN": "xoxb-ok", "SLACK_SIGNING_SECRET": "nope"},
         "Error: SLACK_SIGNING_SECRET is malformed"),
    ],
)  # fmt: skip
def test_serve_stops_with_one_clear_line(clean_env, args, env, expected):
    for name, value in env.items():
        clean_env.setenv(name, value)
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1
    assert result.output.startswith(expected)
    assert len(result.output.strip().splitlines()) == 1
    assert "xoxb-ok" not in result.output


@pytest.mark.parametrize("mode", ["socket", "http"])
def test_a_refused_token_stops_start_up_without_showing_it(
    clean_env, slack_api, slack, store_path, caplog, capfd, mode
):
    clean_env.setenv("ECON071_DB", str(store_path))
    clean_env.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    clean_env.setenv("SLACK_APP_TOKEN", APP_TOKEN)
    clean_env.setenv("SLACK_SIGNING_SECRET", SIGNING_SECRET)
    clean_env.setenv("SLACK_API_URL", slack.url)
    slack.fail("auth.test", status=200, body={"ok": False, "error": "invalid_auth"})
    with caplog.at_level(logging.DEBUG):
        args = ["serve", "--http", "--port", "0"] if mode == "http" else ["serve"]
        result = CliRunner().invoke(main, args)
    assert result.exit_code == 1, result.output
    assert result.output.strip() == "Error: SLACK_BOT_TOKEN was refused by Slack (invalid_auth)"
    [call] = slack.calls_to("auth.test")
    assert call.headers["Authorization"] == f"Bearer {BOT_TOKEN}"  # it was really sent …
    captured = capfd.readouterr()
    everything = result.output + caplog.text + captured.out + captured.err
    # slack_sdk did log the request at DEBUG …
    assert any(
        r.name.startswith("slack_sdk") and r.levelno == logging.DEBUG for r in caplog.records
    )
    for secret in (BOT_TOKEN, APP_TOKEN, SIGNING_SECRET):
        assert secret not in everything  # … and no token made it into the log


def test_the_wsgi_entry_point_refuses_a_bad_token_too(slack, slack_env):
    from econ071.slackapp.wsgi import create_wsgi_app

    slack.fail("auth.test", status=200, body={"ok": False, "error": "token_revoked"})
    with pytest.raises(
        SettingsError, match=r"^SLACK_BOT_TOKEN was refused by Slack \(token_revoked\)$"
    ):
        create_wsgi_app(slack_env)


def test_unreachable_web_api_is_one_line(slack_env):
    from econ071.slackapp.wsgi import create_wsgi_app

    env = {**slack_env, "SLACK_API_URL": "http://127.0.0.1:9/api/"}
    with pytest.raises(
        SettingsError, match=r"^Slack's Web API \(SLACK_API_URL\) cannot be reached"
    ):
        create_wsgi_app(env)


def test_ask_does_not_import_slack_or_pandas():
    code = (
        "import sys, econ071, econ071.cli.main\n"
        "heavy = [m for m in ('slack_bolt', 'slack_sdk', 'pandas', 'gunicorn') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
