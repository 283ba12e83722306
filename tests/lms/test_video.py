"""A video lesson embeds a player only from YouTube (privacy-enhanced) or Vimeo; anything else
gets no player at all (the lesson then shows its link and its text summary)."""

from __future__ import annotations

import pytest

from lms.learning.video import video_embed

YOUTUBE_EMBED = "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"
VIMEO_EMBED = "https://player.vimeo.com/video/76979871"


@pytest.mark.parametrize(
    ("url", "embed"),
    [
        ("https://www.youtube.com/watch?v=dQw4w9WgXcQ", YOUTUBE_EMBED),
        ("https://youtube.com/watch?v=dQw4w9WgXcQ", YOUTUBE_EMBED),
        ("https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=42s&list=PL1", YOUTUBE_EMBED),
        ("https://WWW.YouTube.com/watch?v=dQw4w9WgXcQ", YOUTUBE_EMBED),
        ("https://youtu.be/dQw4w9WgXcQ", YOUTUBE_EMBED),
        ("https://vimeo.com/76979871", VIMEO_EMBED),
        ("https://vimeo.com/76979871/", VIMEO_EMBED),
        ("https://player.vimeo.com/video/76979871", VIMEO_EMBED),
    ],
)
def test_youtube_and_vimeo_links_become_their_player(url, embed):
    assert video_embed(url) == embed


def test_youtube_always_plays_from_the_no_cookie_domain():
    embed = video_embed("https://www.youtube.com/watch?v=abcDEF_123-")
    assert embed == "https://www.youtube-nocookie.com/embed/abcDEF_123-"


@pytest.mark.parametrize(
    "url",
    [
        None,
        "",
        # not https
        "http://www.youtube.com/watch?v=dQw4w9WgXcQ",
        "//www.youtube.com/watch?v=dQw4w9WgXcQ",
        "javascript:alert(1)//https://youtu.be/dQw4w9WgXcQ",
        "data:text/html,<script>alert(1)</script>",
        "ftp://vimeo.com/76979871",
        # look-alike hosts
        "https://youtube.com.evil.org/watch?v=dQw4w9WgXcQ",
        "https://www.youtube.com.evil.org/watch?v=dQw4w9WgXcQ",
        "https://evilyoutube.com/watch?v=dQw4w9WgXcQ",
        "https://youtu.be.evil.org/dQw4w9WgXcQ",
        "https://vimeo.com.evil.org/76979871",
        "https://www.youtube.com@evil.org/watch?v=dQw4w9WgXcQ",
        "https://evil.org/www.youtube.com/watch?v=dQw4w9WgXcQ",
        "https://evil.org/watch?v=dQw4w9WgXcQ",
        # an allowed host, but no usable video id
        "https://www.youtube.com/watch?v=",
        "https://www.youtube.com/watch?v=abc",
        'https://www.youtube.com/watch?v=dQw4w9WgXcQ"onload="alert(1)',
        "https://youtu.be/../../evil.org/x",
        "https://vimeo.com/channels/staffpicks",
    ],
)
def test_other_links_get_no_player(url):
    assert video_embed(url) is None
