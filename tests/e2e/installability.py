"""Whether Chromium would install the LMS as an app from a page: the manifest as Chromium read it
(``Page.getAppManifest``: its URL, its parse errors, its text) and the installability errors
(``Page.getInstallabilityErrors``), through the Chrome DevTools Protocol. Used by the e2e test
(tests/e2e/test_installable.py) and the offline benchmark (benchmarks/bench_offline.py).

Chromium never offers to install from an incognito profile (``in-incognito``): the page must be
in a persistent context (``BrowserType.launch_persistent_context``)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

#: what a page must have done before it is checked: a service worker that controls it
CONTROLLED = "() => navigator.serviceWorker.ready.then(() => true)"


@dataclass
class Installability:
    manifest_url: str
    #: the manifest's parse errors (each {"message", "critical", "line", "column"})
    manifest_errors: list = field(default_factory=list)
    #: the installability errors (each {"errorId", "errorArguments"})
    errors: list = field(default_factory=list)
    #: the manifest as it was served (parsed), or None
    manifest: dict | None = None

    @property
    def problems(self) -> list:
        return self.errors + self.manifest_errors


def check(page) -> Installability:
    """The manifest and installability errors of ``page`` (already loaded and controlled)."""
    cdp = page.context.new_cdp_session(page)
    try:
        manifest = cdp.send("Page.getAppManifest")
        errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
    finally:
        cdp.detach()
    text = manifest.get("data")
    return Installability(
        manifest_url=manifest.get("url", ""),
        manifest_errors=manifest.get("errors", []),
        errors=errors,
        manifest=json.loads(text) if text else None,
    )
