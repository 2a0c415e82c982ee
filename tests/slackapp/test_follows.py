"""Following a figure in Slack (`/071 volg …`, over the real wire, signed as Slack signs)
and the one direct message per new CBS release (sync from the local CBS stand-in, the
message through the app's own Slack client to the Slack stand-in)."""

from __future__ import annotations

from contextlib import closing
from pathlib import Path

import pytest
from cbs_standin import CbsStandIn
from slack_harness import USER_ID, all_text, assert_valid_blocks

from econ071.slackapp.sync_schedule import SyncJob
from econ071.store import opsdb

FIXTURES = Path(__file__).parent.parent / "fixtures" / "cbs"


def volg(sender, slack, text: str, user_id: str = USER_ID) -> str:
    response = sender.command(text, slack.response_url(), user_id=user_id)
    assert response.status_code == 200
    body = response.json()
    assert body["response_type"] == "ephemeral"
    return body["text"]


def test_follow_list_and_unfollow(sender, slack, http_app):
    assert "Je volgt nog geen cijfers" in volg(sender, slack, "volg")
    reply = volg(sender, slack, "volg werkloosheid Leiden")
    assert reply.startswith("Je volgt nu *Werkloosheid in Leiden*")
    assert "`/071 volg niet werkloosheid Leiden`" in reply
    assert "al" in volg(sender, slack, "volg werkloosheid Leiden")  # once is enough
    listed = volg(sender, slack, "volg")
    assert "• Werkloosheid in Leiden" in listed
    assert "Je volgt nog geen" in volg(sender, slack, "volg", user_id="U0BOB")  # per user
    assert volg(sender, slack, "volg niet werkloosheid Leiden") == (
        "Je volgt *Werkloosheid in Leiden* niet meer."
    )
    assert "Je volgt nog geen cijfers" in volg(sender, slack, "volg")


def test_follow_something_unknown_is_a_clear_reply_and_escaped(sender, slack):
    reply = volg(sender, slack, "volg <!channel> xyzzy")
    assert "Ik weet niet welk cijfer je bedoelt" in reply
    assert "&lt;!channel&gt;" in reply and "<!channel>" not in reply


def test_the_user_is_stored_hashed_and_the_raw_id_only_for_the_message(sender, slack, slack_env):
    volg(sender, slack, "volg bijstand Katwijk", user_id="U0CAROL")
    with closing(opsdb.connect(Path(slack_env["ECON071_DB"]))) as conn:
        rows = conn.execute("SELECT user_hash, user_id, indicator, place FROM follows"
                            " WHERE user_id = 'U0CAROL'").fetchall()  # fmt: skip
        logged = conn.execute("SELECT count(*) FROM questions WHERE user_hash = 'U0CAROL'"
                              " OR text LIKE '%U0CAROL%'").fetchone()[0]  # fmt: skip
    [(user_hash, user_id, indicator, place)] = rows
    assert user_hash != "U0CAROL" and len(user_hash) == 32
    assert (user_id, indicator, place) == ("U0CAROL", "bijstand_totaal", "GM0537")
    assert logged == 0


@pytest.fixture
def cbs(monkeypatch):
    with CbsStandIn(page_size=50) as standin:
        standin.add(FIXTURES / "03759ned")
        monkeypatch.setenv("ECON071_CBS_URL", standin.url)
        monkeypatch.setenv("ECON071_SYNC_BACKOFF", "0.01")
        yield standin


def test_one_direct_message_per_new_release(sender, slack, http_app, cbs, monkeypatch):
    # sync only 03759ned (the others are not served by this stand-in)
    monkeypatch.setattr("econ071.sync.run.load", lambda data_dir: [
        __import__("econ071.sync.tables", fromlist=["x"]).FollowedTable(
            "03759ned", measures="mapped", filter="Geslacht eq 'T001038'")])  # fmt: skip
    job = SyncJob(http_app.assistant.engine, http_app.bolt_app.client,
                  http_app.assistant.question_log)  # fmt: skip
    job()  # the first sync: bevolking becomes known
    assert volg(sender, slack, "volg bevolking Leiden").startswith("Je volgt nu *Bevolking")
    slack.clear()
    job()  # unchanged: no message
    assert slack.calls_to("chat.postMessage") == []
    table = cbs.tables["03759ned"]
    table.properties.update(Version="202612010000", ReleaseDate="2026-12-01T00:00:00+01:00",
                            ObservationsModified="2026-12-01T00:00:00+01:00")  # fmt: skip
    for obs in table.observations:
        if (obs["RegioS"], obs["Perioden"], obs["Measure"]) == ("GM0546", "2026JJ00", "M000352"):
            obs["Value"] += 10
    job()
    [call] = slack.calls_to("chat.postMessage")
    assert call.params["channel"] == USER_ID  # a direct message
    assert_valid_blocks(call.params["blocks"])
    text = all_text(call.params["blocks"])
    assert "Nieuwe cijfers over Bevolking op 1 januari in Leiden" in text
    assert "1 december 2026" in text and "(03759ned)" in text
    slack.clear()
    job()  # the same release again: nothing new to tell
    assert slack.calls_to("chat.postMessage") == []
