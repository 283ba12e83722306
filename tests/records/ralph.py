"""A real Ralph LRS (France Université Numérique's, ``ralph-malph[lrs]``) on a loopback port,
with its filesystem backend and a basic-auth file: started, stopped and started again by the
tests (the same folder, so what it stored survives a restart)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from base64 import b64encode
from pathlib import Path

import bcrypt

USERNAME = "lms"
PASSWORD = "ralph-test-password"


#: uvicorn on Ralph's app. Its filesystem backend writes with the "create" operation by default,
#: which refuses every write once its file exists (the second POST would fail with 500): the
#: backend's "append" operation is made the default, nothing else changes.
LAUNCH = """
import sys
import uvicorn
from ralph.backends.data.base import BaseOperationType
from ralph.backends.lrs.fs import FSLRSBackend

FSLRSBackend.default_operation_type = BaseOperationType.APPEND
uvicorn.run("ralph.api:app", host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Ralph:
    def __init__(self, folder: Path):
        self.folder = folder
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        folder.mkdir(parents=True, exist_ok=True)
        auth = [
            {
                "agent": {"mbox": "mailto:lms@example.org"},
                "scopes": ["all"],
                "hash": bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(4)).decode(),
                "username": USERNAME,
            }
        ]
        (folder / "auth.json").write_text(json.dumps(auth))

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}/xAPI"

    def start(self) -> None:
        env = {
            **os.environ,
            "RALPH_RUNSERVER_BACKEND": "fs",
            "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(self.folder),
            "RALPH_AUTH_FILE": str(self.folder / "auth.json"),
            "RALPH_APP_DIR": str(self.folder),
        }
        command = [sys.executable, "-c", LAUNCH, str(self.port)]
        log = open(self.folder / "ralph.log", "ab")  # noqa: SIM115 - the server's, while it runs
        self.process = subprocess.Popen(command, env=env, stdout=log, stderr=log)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError((self.folder / "ralph.log").read_text()[-2000:])
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/__heartbeat__", timeout=1)
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("Ralph did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)
            self.process = None

    def get(self, **params) -> list[dict]:
        """Every statement matching the xAPI filters (``agent`` as a dict), in the order the
        filesystem backend stored them."""
        if "agent" in params:
            params["agent"] = json.dumps(params["agent"])
        params.setdefault("limit", 1000)
        url = f"{self.endpoint}/statements?{urllib.parse.urlencode(params)}"
        request = urllib.request.Request(url, headers={
            "Authorization": "Basic " + b64encode(f"{USERNAME}:{PASSWORD}".encode()).decode(),
            "X-Experience-API-Version": "1.0.3",
        })  # fmt: skip
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())["statements"]

    def stored_ids(self) -> list[str]:
        """The id of every statement in Ralph's file (duplicates included)."""
        path = self.folder / "fs_lrs.jsonl"
        if not path.exists():
            return []
        return [json.loads(line)["id"] for line in path.read_text().splitlines() if line]
