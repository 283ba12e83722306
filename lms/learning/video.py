"""Video embeds: only from an allowlist of hosts, always as a privacy-friendly player URL."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

_ID = re.compile(r"^[A-Za-z0-9_-]{6,20}$")


def video_embed(url: str | None) -> str | None:
    """The embed URL for a YouTube or Vimeo link, or None for anything else."""
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme != "https":
        return None
    host = parts.hostname or ""
    video_id = None
    if host in ("www.youtube.com", "youtube.com"):
        video_id = parse_qs(parts.query).get("v", [None])[0]
    elif host == "youtu.be":
        video_id = parts.path.lstrip("/")
    elif host in ("vimeo.com", "player.vimeo.com"):
        digits = parts.path.rstrip("/").rsplit("/", 1)[-1]
        return f"https://player.vimeo.com/video/{digits}" if digits.isdigit() else None
    if video_id and _ID.match(video_id):
        return f"https://www.youtube-nocookie.com/embed/{video_id}"
    return None
