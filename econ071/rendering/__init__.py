"""Answers as Dutch text: formats, templates, Slack mrkdwn and Block Kit limits."""
