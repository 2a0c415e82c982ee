"""Slack listeners, one per file, registered explicitly in ``register``."""

from __future__ import annotations

from slack_bolt import App

from bot.blocks import SHARE_ACTION
from bot.listeners.command import handle_command
from bot.listeners.mention import handle_mention
from bot.listeners.message import handle_message
from bot.listeners.share_action import handle_share


def register(app: App, command: str = "/071") -> None:
    app.command(command)(handle_command)
    app.event("app_mention")(handle_mention)
    app.event("message")(handle_message)
    app.action(SHARE_ACTION)(handle_share)
