"""The restricted URL fetcher every PDF we render goes through (certificates, and any other
document laid out with WeasyPrint): only files inside the package's assets and ``data:`` URLs,
never the network or another file, so that a learner's name can never pull in a local file."""

from __future__ import annotations

import mimetypes
import os
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from weasyprint.urls import URLFetcher, URLFetcherResponse

ASSETS_DIR = Path(__file__).resolve().parent / "assets"


class RefusedURL(ValueError):
    """The renderer was asked for a resource outside the certificate assets (WeasyPrint logs
    it and goes on without the resource)."""


class RestrictedURLFetcher(URLFetcher):
    """Fetches only files inside ``assets_dir`` (after resolving symlinks and ``..``) and
    ``data:`` URLs; refuses everything else, network included."""

    def __init__(self, assets_dir: str | os.PathLike = ASSETS_DIR):
        super().__init__(timeout=1, allowed_protocols={"file", "data"}, allow_redirects=False)
        self.assets_dir = Path(assets_dir).resolve()

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        scheme = url.split(":", 1)[0].strip().lower()
        if scheme == "data":
            # Decoded in memory by urllib's DataHandler: no I/O.
            return super().fetch(url, headers)
        if scheme == "file":
            path = self.asset_path(url)
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})
        raise RefusedURL(f"Refused to fetch {_shorten(url)}: not a certificate asset")

    def asset_path(self, url: str) -> Path:
        """The real path of a ``file:`` URL if it is a file inside the assets; else refuse."""
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            raise RefusedURL(f"Refused to fetch {_shorten(url)}: remote file URL")
        path = Path(os.path.realpath(url2pathname(unquote(parts.path))))
        if not path.is_relative_to(self.assets_dir) or not path.is_file():
            raise RefusedURL(f"Refused to fetch {_shorten(url)}: not a certificate asset")
        return path


def _shorten(url: str, limit: int = 80) -> str:
    return repr(url if len(url) <= limit else url[:limit] + "…")
