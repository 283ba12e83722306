"""HTTP to the platforms with a time limit: pylti1p3 sets none, and a platform that never
answers would otherwise hold a launch (fetching its keys) or a sender (posting a score) forever."""

from __future__ import annotations

import requests
from pylti1p3.service_connector import REQUESTS_USER_AGENT

#: seconds to connect, seconds to wait for the answer
TIMEOUT = (5, 20)


class PlatformSession(requests.Session):
    def __init__(self) -> None:
        super().__init__()
        self.headers["User-Agent"] = REQUESTS_USER_AGENT

    def request(self, method, url, *args, **kwargs):
        kwargs.setdefault("timeout", TIMEOUT)
        return super().request(method, url, *args, **kwargs)
