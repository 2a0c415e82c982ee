"""Who asked, without saying who: the question log's pseudonyms and cleaned text.

A Slack user id is logged as HMAC-SHA256(key, user id), cut to 32 hex characters. The
key lives outside the store and the operational database, so that neither file (nor a
backup of them) tells who asked what; whoever holds the key and a list of user ids can
still link them, so keep it as you keep the Slack tokens. The key is

- ``ECON071_LOG_KEY`` when set (at least 32 characters; e.g. from a secrets manager), or
- the key file ``ECON071_LOG_KEY_FILE``, by default ``$XDG_CONFIG_HOME/econ071/log.key``
  (``~/.config/econ071/log.key``), made on first use with owner-only permissions (0600).
  A key file that others may read is refused, as ssh refuses such a private key.

Both are used as they are written (the file's text without its line end), so the file's
content can be moved into the variable and the pseudonyms stay the same.

Logged text never holds a user id either: mentions of people (``<@U…>``, ``<@U…|name>``)
and bare user ids are replaced by ``@…``, and the text is capped at ``MAX_TEXT`` characters.

Only the standard library here.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import stat
from collections.abc import Mapping
from pathlib import Path

from econ071.core import paths
from econ071.core.errors import Econ071Error

MIN_KEY_CHARS = 32
MAX_TEXT = 1000  # characters of a logged question; Slack's own limit on a message is 40.000
HASH_CHARS = 32
PERSON = "@…"
# <@U123ABC>, <@W123ABC|anna> (Enterprise Grid ids start with W), and ids typed bare.
_MENTION = re.compile(r"<@[UW][A-Z0-9]+(?:\|[^>]*)?>")
_BARE_ID = re.compile(r"\b[UW](?=[A-Z0-9]*\d)[A-Z0-9]{8,}\b")


class LogKeyError(Econ071Error):
    "The question log's key cannot be read or made"


def load_key(env: Mapping[str, str] | None = None) -> bytes:
    """The key: ECON071_LOG_KEY, else the key file (made on first use)."""
    env = os.environ if env is None else env
    value = env.get("ECON071_LOG_KEY")
    if value is not None:
        if len(value.strip()) < MIN_KEY_CHARS:
            raise LogKeyError(
                f"ECON071_LOG_KEY is too short ({len(value.strip())} characters); expected at"
                f" least {MIN_KEY_CHARS}, e.g. the output of: python -c 'import secrets;"
                " print(secrets.token_hex(32))'"
            )
        return value.strip().encode()
    return _key_file(paths.log_key_path())


def _key_file(path: Path) -> bytes:
    try:
        return _read_key(path)
    except FileNotFoundError:
        pass
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        # Written whole under a temporary name, then linked into place: a second process
        # making its own key at the same moment finds the first one's, complete.
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_hex(32) + "\n")
            try:
                os.link(tmp, path)
            except FileExistsError:
                pass
        finally:
            tmp.unlink(missing_ok=True)
    except OSError as exc:
        raise LogKeyError(
            f"cannot make the question log's key file {path}: {exc.strerror or exc}; set"
            " ECON071_LOG_KEY_FILE to a writable place or ECON071_LOG_KEY to a secret"
        ) from None
    return _read_key(path)


def _read_key(path: Path) -> bytes:
    fd = os.open(path, os.O_RDONLY)
    with os.fdopen(fd) as fh:
        mode = stat.S_IMODE(os.fstat(fh.fileno()).st_mode)
        if mode & 0o077:
            raise LogKeyError(
                f"the question log's key file {path} may be read by others (mode {mode:o});"
                f" make it owner-only: chmod 600 {path}"
            )
        value = fh.read().strip()
    if len(value) < MIN_KEY_CHARS:
        raise LogKeyError(
            f"the question log's key file {path} holds {len(value)} characters; expected at"
            f" least {MIN_KEY_CHARS} (delete it to have a new key made)"
        )
    return value.encode()


def user_hash(key: bytes, user_id: str | None) -> str | None:
    """The pseudonym of a Slack user id."""
    if not user_id:
        return None
    return hmac.new(key, user_id.encode(), hashlib.sha256).hexdigest()[:HASH_CHARS]


def rekey(key: bytes, old_hash: str | None) -> str | None:
    """A new pseudonym for one made with an earlier key, which is gone: the same old
    pseudonym always gets the same new one (the questions of one person stay together),
    but it no longer matches that person's pseudonym under the new key."""
    if not old_hash:
        return None
    return hmac.new(key, b"rekeyed\0" + old_hash.encode(), hashlib.sha256).hexdigest()[:HASH_CHARS]


def clean_text(text: str, limit: int = MAX_TEXT) -> str:
    """The text to log: mentions of people and user ids replaced, at most ``limit``
    characters (the end cut off and marked with …)."""
    text = text[: 4 * limit]  # bounded work, whatever arrives
    text = _BARE_ID.sub(PERSON, _MENTION.sub(PERSON, text))
    return text if len(text) <= limit else text[: limit - 1] + "…"
