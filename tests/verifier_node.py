"""Run the verifier page's JavaScript (sortition/web/verifier.js) in Node.js, for the verifier page's tests."""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

DRIVER = Path(__file__).with_name("verifier_driver.js")
NODE = shutil.which("node")


def _node_major() -> int:
    if NODE is None:
        return 0
    out = subprocess.run([NODE, "--version"], capture_output=True, text=True, check=False).stdout
    return int(out.strip().lstrip("v").split(".")[0] or 0)


class NodeVerifier:
    """One Node.js process running tests/verifier_driver.js; ``call`` sends a request, returns the answer."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen([str(NODE), str(DRIVER)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     text=True, encoding="utf-8")

    def call(self, op: str, **request: Any) -> Any:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps({"op": op, **request}) + "\n")
        self.proc.stdin.flush()
        answer = json.loads(self.proc.stdout.readline())
        if not answer["ok"]:
            raise RuntimeError(answer["error"])
        return answer["result"]

    def verify(self, lottery: bytes, record: bytes, commitment: str = "", record_sha256: str = "") -> Any:
        return self.call("verify", lottery=base64.b64encode(lottery).decode(), draw=base64.b64encode(record).decode(),
                         commitment=commitment, record_sha256=record_sha256)

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


def node_verifier() -> Iterator[NodeVerifier]:
    """The body of a ``js`` fixture: one Node.js process for a test module, or a skip saying why."""
    if NODE is None:
        pytest.skip("Node.js not found: the page's JavaScript is tested in Node.js >= 19 (WebCrypto built in)")
    if _node_major() < 19:
        pytest.skip(f"Node.js {_node_major()} has no globalThis.crypto; the page's JavaScript needs >= 19")
    node = NodeVerifier()
    yield node
    node.close()


def files_of(record_path: Path) -> tuple[bytes, bytes]:
    """The bytes of the lottery file beside a draw record, and of the record."""
    return (record_path.parent / "lottery.json").read_bytes(), record_path.read_bytes()
