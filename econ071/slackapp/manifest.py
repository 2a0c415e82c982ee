"""The Slack app manifest (manifest.yml at the repository root) and its HTTP-mode variant.

manifest.yml is written for Socket Mode, which needs no public URL; ``for_http`` points the
slash command, the events and the interactivity at a public request URL instead.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from econ071.core.paths import PROJECT_ROOT

MANIFEST = PROJECT_ROOT / "manifest.yml"


def load(path: Path = MANIFEST) -> dict[str, Any]:
    import yaml

    with path.open(encoding="utf-8") as f:
        return yaml.safe_load(f)


def for_http(manifest: dict[str, Any], request_url: str) -> dict[str, Any]:
    """The manifest for HTTP mode: Socket Mode off, every request to ``request_url``."""
    if not request_url.startswith("https://"):
        raise ValueError("Slack sends requests only to an https:// URL")
    result = copy.deepcopy(manifest)
    settings = result["settings"]
    settings["socket_mode_enabled"] = False
    settings["event_subscriptions"]["request_url"] = request_url
    settings["interactivity"]["request_url"] = request_url
    for command in result["features"]["slash_commands"]:
        command["url"] = request_url
    return result
