"""Slack listeners, one per file, registered explicitly in ``register``."""

from __future__ import annotations

from slack_bolt import App

from econ071.slackapp import actions
from econ071.slackapp.listeners.ask_action import handle_ask
from econ071.slackapp.listeners.command import handle_command
from econ071.slackapp.listeners.feedback_action import handle_feedback
from econ071.slackapp.listeners.file_action import handle_file
from econ071.slackapp.listeners.home import handle_home_opened, handle_thread_started
from econ071.slackapp.listeners.mention import handle_mention
from econ071.slackapp.listeners.message import handle_message
from econ071.slackapp.listeners.share_action import handle_share


def register(app: App, command: str = "/071") -> None:
    app.command(command)(handle_command)
    app.event("app_mention")(handle_mention)
    app.event("message")(handle_message)
    app.action(actions.SHARE)(handle_share)
    app.action(actions.ASK_PATTERN)(handle_ask)
    app.action(actions.CHART)(handle_file)
    app.action(actions.CSV)(handle_file)
    app.action(actions.FEEDBACK_PATTERN)(handle_feedback)
    app.event("app_home_opened")(handle_home_opened)
    app.event("assistant_thread_started")(handle_thread_started)
    app.event("assistant_thread_context_changed")(_nothing_to_keep)


def _nothing_to_keep() -> None:
    """Which channel a user looks at beside the assistant: answers do not depend on it."""
