"""``crisisplan serve``: a live preview that rebuilds when the questionnaire changes."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str, timeout: float = 30) -> str:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.read().decode("utf-8")
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def test_serve_rebuilds_when_the_questionnaire_changes(tmp_path: Path):
    path = tmp_path / "q.yaml"
    path.write_text("company:\n  name: Toko Lama\n", encoding="utf-8")
    port = free_port()
    log = (tmp_path / "serve.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "crisisplan", "serve", str(path), "-a", f"127.0.0.1:{port}"],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        url = f"http://127.0.0.1:{port}/about.html"
        assert "Toko Lama" in fetch(url)
        path.write_text(
            "company:\n  name: Toko Lama\n  industry: Hardware and paint\n", encoding="utf-8"
        )
        deadline = time.monotonic() + 30
        while "Hardware and paint" not in fetch(url):
            assert time.monotonic() < deadline, "the site was not rebuilt"
            time.sleep(0.5)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()
