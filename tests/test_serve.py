"""``crisisplan serve``: a live preview that rebuilds when the questionnaire changes."""

from __future__ import annotations

import http.client
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

from crisisplan import resources
from crisisplan.serve import host_allowed


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


class Serving:
    """``crisisplan serve`` in a process of its own, stopped with SIGTERM at the end."""

    def __init__(self, tmp_path: Path, path: Path, port: int, *extra: str) -> None:
        self.log_path = tmp_path / "serve.log"
        self.log = self.log_path.open("wb")
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "crisisplan",
                "serve",
                str(path),
                "-a",
                f"127.0.0.1:{port}",
                *extra,
            ],
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self.url = f"http://127.0.0.1:{port}"

    def output(self) -> str:
        return self.log_path.read_text(encoding="utf-8")

    def stop(self) -> int:
        self.proc.terminate()
        code = self.proc.wait(timeout=20)
        self.log.close()
        return code


def wait_for(condition, what: str, timeout: float = 40) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.3)


def test_a_broken_questionnaire_shows_its_error_on_the_page_until_it_is_fixed(tmp_path):
    path = tmp_path / "q.yaml"
    path.write_text("company:\n  name: Toko Lama\n", encoding="utf-8")
    serving = Serving(tmp_path, path, free_port())
    try:
        assert "Toko Lama" in fetch(serving.url + "/about.html")
        path.write_text("company:\n  name: Toko Lama\n  website: not a url\n", encoding="utf-8")
        wait_for(lambda: 'role="alert"' in fetch(serving.url + "/about.html"), "no error shown")
        page = fetch(serving.url + "/about.html")
        assert "company.website: &#x27;not a url&#x27; is not a web address" in page
        assert "Toko Lama" in page  # the last good site stays
        assert "company.website" in serving.output()
        path.write_text("company:\n  name: Toko Baru\n", encoding="utf-8")  # a new folder
        wait_for(lambda: "Toko Baru" in fetch(serving.url + "/about.html"), "rename not followed")
        assert 'role="alert"' not in fetch(serving.url + "/about.html")
        assert "Rebuilt in" in serving.output()
    finally:
        serving.stop()
    assert "Traceback" not in serving.output()


def test_only_a_change_to_what_the_handbook_is_built_from_rebuilds_it(tmp_path):
    """The log beside the questionnaire (``serve ... > folder/serve.log``) rebuilt the site in a
    loop: every "Rebuilt" line was a change in the watched folder. A file the build does not
    read rebuilds nothing; a template does; a questionnaire put back as it was at the last good
    build, after an error, takes the error off the pages."""
    path = tmp_path / "q.yaml"
    path.write_text("company:\n  name: Toko Lama\n", encoding="utf-8")
    about = resources.content_dir() / "en" / "about.md"
    template = tmp_path / "agency" / "content" / "en" / "about.md"
    template.parent.mkdir(parents=True)
    template.write_text(about.read_text(encoding="utf-8") + "\nAgency note one.\n", "utf-8")
    serving = Serving(tmp_path, path, free_port(), "-t", str(tmp_path / "agency"))

    def rebuilds() -> int:
        return serving.output().count("Rebuilt in")

    try:
        assert "Agency note one." in fetch(serving.url + "/about.html")
        path.write_text("company:\n  name: Toko Lama\n  industry: Paint\n", encoding="utf-8")
        wait_for(lambda: "Paint" in fetch(serving.url + "/about.html"), "not rebuilt")
        (tmp_path / "notes.txt").write_text("not read by the build", encoding="utf-8")
        time.sleep(4)  # the watcher's events and a rebuild would be done by now
        assert rebuilds() == 1, serving.output()
        template.write_text(about.read_text(encoding="utf-8") + "\nAgency note two.\n", "utf-8")
        wait_for(lambda: "Agency note two." in fetch(serving.url + "/about.html"), "template")
        good = path.read_text(encoding="utf-8")
        path.write_text(good + "  website: not a url\n", encoding="utf-8")
        wait_for(lambda: 'role="alert"' in fetch(serving.url + "/about.html"), "no error shown")
        path.write_text(good, encoding="utf-8")
        wait_for(lambda: 'role="alert"' not in fetch(serving.url + "/about.html"), "error stays")
        time.sleep(2)
        assert rebuilds() == 2, serving.output()
    finally:
        serving.stop()
    assert "Traceback" not in serving.output()


def test_serve_with_pdf_rebuilds_the_pdf_and_links_it_and_says_one_line_a_rebuild(tmp_path):
    path = tmp_path / "q.yaml"
    path.write_text("company:\n  name: Toko Lama\n", encoding="utf-8")
    serving = Serving(tmp_path, path, free_port(), "--pdf")
    try:
        home = fetch(serving.url + "/index.html")
        link = re.search(r'<a class="cp-pdf" href="([^"]+\.pdf)"', home)
        assert link, "no PDF link on the page"
        with urllib.request.urlopen(f"{serving.url}/{link.group(1)}", timeout=10) as response:
            assert response.read(5) == b"%PDF-"
        path.write_text("company:\n  name: Toko Lama\n  industry: Paint\n", encoding="utf-8")
        wait_for(lambda: "Rebuilt in" in serving.output(), "not rebuilt")
    finally:
        serving.stop()
    rebuilt = [line for line in serving.output().splitlines() if line.startswith("Rebuilt in")]
    assert len(rebuilt) == 1 and "warning" in rebuilt[0], serving.output()


def test_live_reload_runs_under_the_content_security_policy(tmp_path, page):
    path = tmp_path / "q.yaml"
    path.write_text("company:\n  name: Toko Lama\n", encoding="utf-8")
    serving = Serving(tmp_path, path, free_port())
    try:
        fetch(serving.url + "/about.html")
        page.goto(serving.url + "/about.html")
        path.write_text("company:\n  name: Toko Lama\n  industry: Paint\n", encoding="utf-8")
        page.get_by_text("Paint").first.wait_for(timeout=40_000)  # reloaded by itself
        assert page.console_errors == []  # no script refused by the policy
    finally:
        serving.stop()


def test_a_busy_port_is_one_line(tmp_path):
    path = tmp_path / "q.yaml"
    path.write_text("company:\n  name: Toko\n", encoding="utf-8")
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        run = subprocess.run(
            [sys.executable, "-m", "crisisplan", "serve", str(path), "-a", f"127.0.0.1:{port}"],
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert run.returncode == 1
    assert run.stderr.strip().splitlines()[-1] == (
        f"Error: 127.0.0.1:{port} is in use by another program: choose another port, such as"
        f" -a 127.0.0.1:{port + 1}."
    )
    assert "Serving" not in run.stdout and "Traceback" not in run.stderr


def test_serve_stopped_with_sigterm_leaves_nothing(tmp_path):
    path = tmp_path / "q.yaml"
    path.write_text("company:\n  name: Toko\n", encoding="utf-8")
    before = set(Path(tempfile.gettempdir()).glob("crisisplan-serve-*"))
    serving = Serving(tmp_path, path, free_port())
    fetch(serving.url + "/index.html")
    serving.stop()
    assert set(Path(tempfile.gettempdir()).glob("crisisplan-serve-*")) == before
    assert "Traceback" not in serving.output()


def get(port: int, host: str | None, path: str = "/index.html") -> tuple[int, bytes]:
    """A raw request to 127.0.0.1:PORT with this Host header (None: none at all)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.putrequest("GET", path, skip_host=True)
        if host is not None:
            connection.putheader("Host", host)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def test_serve_answers_only_requests_for_the_address_it_serves_on(tmp_path):
    """A page of another site that points its own name at 127.0.0.1 (DNS rebinding) sends its
    own name as Host: it must not read the preview, whose internal edition holds personal
    numbers."""
    path = tmp_path / "q.yaml"
    path.write_text("company:\n  name: Toko Lama\n", encoding="utf-8")
    port = free_port()
    serving = Serving(tmp_path, path, port)
    try:
        fetch(serving.url + "/index.html")
        for good in (f"127.0.0.1:{port}", f"localhost:{port}", f"LOCALHOST:{port}"):
            status, body = get(port, good)
            assert status == 200 and b"Toko Lama" in body, good
        refused = f"crisisplan serve answers only at http://127.0.0.1:{port}/\n".encode()
        for bad in (f"evil.example:{port}", "evil.example", f"127.0.0.1:{port + 1}", "", None):
            assert get(port, bad) == (403, refused), bad
            assert get(port, bad, "/livereload/1/1") == (403, refused), bad
    finally:
        serving.stop()
    assert "Traceback" not in serving.output()


@pytest.mark.parametrize(
    ("header", "host", "allowed"),
    [
        ("127.0.0.1:8000", "127.0.0.1", True),
        ("localhost:8000", "127.0.0.1", True),
        ("127.0.0.1:8001", "127.0.0.1", False),
        ("127.0.0.1", "127.0.0.1", False),  # port 80
        ("rebind.evil.example:8000", "127.0.0.1", False),
        ("127.0.0.1.evil.example:8000", "127.0.0.1", False),
        ("localhost.evil.example:8000", "127.0.0.1", False),
        ("[::1]:8000", "::1", True),
        ("localhost:8000", "::1", True),
        ("[::1]", "::1", False),
        ("::1:8000", "::1", False),
        ("evil.example:8000", "::1", False),
        ("192.168.1.5:8000", "192.168.1.5", True),
        ("localhost:8000", "192.168.1.5", False),
        ("192.168.1.6:8000", "192.168.1.5", False),
        ("192.168.1.6:8000", "0.0.0.0", True),
        ("localhost:8000", "0.0.0.0", True),
        ("evil.example:8000", "0.0.0.0", False),
        ("[fe80::1]:8000", "::", True),
        ("localhost:8000", "localhost", True),
        ("127.0.0.1:8000", "localhost", True),
        ("evil.example:8000", "localhost", False),
        ("127.0.0.1:abc", "127.0.0.1", False),
    ],
)
def test_a_host_header_is_allowed_only_for_the_address_served(header, host, allowed):
    assert host_allowed(header, host, 8000) is allowed
