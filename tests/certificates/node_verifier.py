"""Runs Digital Bazaar's verifier (tests/node/verify-credential.mjs) on a credential."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from certificates.credentials import contexts

NODE_DIR = Path(__file__).parents[1] / "node"
SCRIPT = NODE_DIR / "verify-credential.mjs"


def require_node() -> None:
    if shutil.which("node") is None or not (NODE_DIR / "node_modules" / "@digitalbazaar").is_dir():
        pytest.skip("Node.js and the pinned npm peers (make node) are needed")


def node_verify(credential: dict, did_document: dict, status_lists: dict | None = None) -> dict:
    require_node()
    payload = {
        "credential": credential,
        "didDocument": did_document,
        "statusLists": status_lists or {},
        "contexts": {url: contexts.document_loader(url)["document"] for url in contexts._FILES},
    }
    completed = subprocess.run(
        ["node", str(SCRIPT)],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        cwd=NODE_DIR,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout)
