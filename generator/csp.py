"""A strict Content-Security-Policy on every page of a built site, and the same for hosts.

The policy is the first thing in each page's ``<head>`` after its character set, before the
``<title>``: no script runs but the site's own files and the theme's inline scripts, each
allowed by its SHA-256 hash (computed from the page as built, so a theme upgrade needs no
change here); nothing is loaded from the network; no plugin, ``<base>`` or form. Hosts that
send headers get the policy in a ``_headers`` file (the Netlify and Cloudflare Pages
convention), with the directives a ``<meta>`` cannot carry.
"""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

#: Every directive but the script hashes, which each page adds.
DIRECTIVES = (
    "default-src 'self'",
    "script-src 'self'{hashes}",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "worker-src 'self'",
    "frame-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
)
#: Only a response header can say these: no page may frame the handbook, nothing is sniffed.
HEADERS = (
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
    ("X-Frame-Options", "DENY"),
)
HEADERS_FILE = "_headers"

_INLINE = re.compile(r"<script(?![^>]*\ssrc=)([^>]*)>(.*?)</script>", re.S | re.I)
_DATA_TYPE = re.compile(r"""\stype=["']?application/(?:ld\+)?json""", re.I)
_EXISTING = re.compile(r'<meta http-equiv="Content-Security-Policy"[^>]*>\s*', re.I)
_CHARSET = re.compile(r"<meta charset=[^>]*>", re.I)


def script_hashes(html: str) -> list[str]:
    """The CSP source of each inline script of ``html`` that a browser would run."""
    out = []
    for match in _INLINE.finditer(html):
        if _DATA_TYPE.search(match.group(1)):
            continue  # data, not code: a policy does not apply to it
        digest = hashlib.sha256(match.group(2).encode("utf-8")).digest()
        out.append(f"'sha256-{base64.b64encode(digest).decode('ascii')}'")
    return list(dict.fromkeys(out))


def policy(hashes: list[str]) -> str:
    return "; ".join(DIRECTIVES).format(hashes="".join(f" {h}" for h in hashes))


def secure_page(html: str) -> tuple[str, list[str]]:
    """``html`` with its policy first in ``<head>``; and the hashes it allows."""
    hashes = script_hashes(html)
    meta = f'<meta http-equiv="Content-Security-Policy" content="{policy(hashes)}">'
    html = _EXISTING.sub("", html)
    charset = _CHARSET.search(html)
    if charset:
        at = charset.end()
    else:
        head = html.lower().find("<head>")
        at = head + len("<head>") if head >= 0 else 0
    return f"{html[:at]}\n    {meta}{html[at:]}", hashes


def write_headers(site: Path, hashes: list[str]) -> None:
    """Write ``_headers`` for hosts: the policy with every page's script hashes, and the
    directives only a header can carry."""
    lines = [
        "/*",
        f"  Content-Security-Policy: {policy(list(dict.fromkeys(hashes)))}; frame-ancestors 'none'",
    ]
    lines += [f"  {name}: {value}" for name, value in HEADERS]
    (site / HEADERS_FILE).write_text("\n".join(lines) + "\n", encoding="utf-8")
