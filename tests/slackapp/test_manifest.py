"""manifest.yml creates the app the code expects, and Slack's manifest schema accepts it
(both as written, for Socket Mode, and as ``econ071 manifest --http URL`` prints it)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from econ071.cli.main import main
from econ071.slackapp import manifest as slack_manifest
from econ071.slackapp.settings import Settings

SCHEMA = Path(__file__).resolve().parents[3] / "shared" / "slack" / "manifest.schema.1.0.0.json"
URL = "https://econ071.gemeente.nl/slack/events"


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft7Validator:
    if not SCHEMA.exists():
        pytest.skip(f"Slack's manifest schema is not at {SCHEMA}")
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    return jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker())


def _errors(validator, data) -> list[str]:
    return [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(data)]


def test_manifest_validates_against_slacks_schema(validator):
    assert _errors(validator, slack_manifest.load()) == []


def test_http_variant_validates_and_points_everything_at_the_url(validator):
    http = slack_manifest.for_http(slack_manifest.load(), URL)
    assert _errors(validator, http) == []
    assert http["settings"]["socket_mode_enabled"] is False
    assert http["settings"]["event_subscriptions"]["request_url"] == URL
    assert http["settings"]["interactivity"]["request_url"] == URL
    assert [c["url"] for c in http["features"]["slash_commands"]] == [URL]


def test_the_validator_rejects_a_broken_manifest(validator):
    broken = slack_manifest.load()
    broken["features"]["slash_commands"][0]["command"] = "071"  # no slash
    del broken["display_information"]
    assert len(_errors(validator, broken)) == 2


def test_manifest_matches_what_the_app_listens_to():
    m = slack_manifest.load()
    assert m["settings"]["socket_mode_enabled"] is True
    [command] = m["features"]["slash_commands"]
    assert command["command"] == Settings.__dataclass_fields__["command"].default == "/071"
    assert m["settings"]["interactivity"]["is_enabled"] is True  # every button
    assert set(m["settings"]["event_subscriptions"]["bot_events"]) == {
        "app_mention", "message.im", "app_home_opened", "assistant_thread_started",
        "assistant_thread_context_changed",
    }  # fmt: skip
    assert m["features"]["app_home"]["messages_tab_enabled"] is True  # DMs to the app
    assert m["features"]["app_home"]["home_tab_enabled"] is True
    assert m["features"]["assistant_view"]["suggested_prompts"]
    assert m["features"]["app_home"]["messages_tab_read_only_enabled"] is False
    scopes = set(m["oauth_config"]["scopes"]["bot"])
    assert {"commands", "app_mentions:read", "chat:write", "im:history", "files:write",
            "im:write", "assistant:write"} <= scopes  # fmt: skip
    # The schema names but does not enforce these:
    assert re.fullmatch(r"#[0-9a-fA-F]{6}", m["display_information"]["background_color"])
    assert len(m["display_information"]["name"]) <= 35


def test_manifest_command_prints_both_variants():
    runner = CliRunner()
    socket = runner.invoke(main, ["manifest"])
    assert socket.exit_code == 0 and yaml.safe_load(socket.output) == slack_manifest.load()
    http = runner.invoke(main, ["manifest", "--http", URL, "--json"])
    assert http.exit_code == 0
    assert json.loads(http.output)["settings"]["event_subscriptions"]["request_url"] == URL
    refused = runner.invoke(main, ["manifest", "--http", "http://insecure.example/slack/events"])
    assert refused.exit_code == 2 and "https://" in refused.output
