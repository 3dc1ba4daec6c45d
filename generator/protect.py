"""A protected handbook (``--protect``): the site's pages and search index, and the PDF,
encrypted with a passphrase.

The pages are encrypted by mkdocs-encryptcontent-plugin 3.1 (AES-256, a key derived with
PBKDF2-HMAC-SHA256, decrypted in the browser with WebCrypto), which this module configures;
the search index by this module, with the pages' key, since the plugin's own ways either
drop the entries or need a patched Material; the PDF with AES-256 by pikepdf. This module is
the one door to the plugin's internals (the pages' key, its per-process state), checked
against the version it knows.

The passphrase comes from the environment or a prompt, never from a questionnaire; it is
handed to the plugin in memory, never written to a file, and no digest of it is kept: a
protected handbook is always rebuilt.
"""

from __future__ import annotations

import base64
import io
import json
import os
import shlex
import shutil
import sys
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import yaml

from . import output, resources
from .errors import BuildError
from .i18n import _
from .install import pip
from .text import strings

ENV = "CRISISPLAN_PASSPHRASE"
MIN_LENGTH = 12
#: PBKDF2-HMAC-SHA256 with 10**6 iterations: about 0.1 s for the build, a second at most on a
#: phone, once a session (the key is remembered); OWASP asks for 600,000 or more.
KDF_POW = 6
PLUGIN = "encryptcontent"
DISTRIBUTION = "mkdocs-encryptcontent-plugin"
#: The plugin versions whose internals this module reads (``setup``, ``locations``); the
#: same range as crisisplan's dependency on it in pyproject.toml.
KNOWN = ("3.1.",)
REQUIREMENT = f"{DISTRIBUTION}>=3.1,<3.2"
SEARCH_SCRIPT = "assets/javascripts/protect-search.js"
FORM = "crisisplan-decrypt-form.html"
HOOKS_NAME = "crisisplan_protect.py"
HOOKS = (
    '"""MkDocs hook of a protected crisisplan project: the search index encrypted with the\n'
    'pages\' key (crisisplan/protect.py)."""\n\n'
    "from mkdocs.plugins import event_priority\n\n"
    "from crisisplan.protect import encrypt_search_index\n\n\n"
    "# After the search plugin writes search_index.json (0), before Material's offline plugin\n"
    "# copies it into search_index.js (-100).\n"
    "@event_priority(-50)\n"
    "def on_post_build(config, **kwargs):\n"
    "    encrypt_search_index(config)\n"
)


@dataclass(frozen=True)
class Passphrase:
    """The passphrase of a protected build; its ``repr`` does not show it."""

    value: str = field(repr=False)


def check(engine: str, passphrase: Passphrase | None = None) -> None:
    """Refuse, in one line and before anything is built, what cannot be protected."""
    if engine == "zensical":
        raise BuildError(
            _(
                "Error: --protect needs the mkdocs engine: Zensical ignores MkDocs plugins, so"
                " its pages would not be encrypted."
            )
        )
    # A dependency of crisisplan: missing or another version only where someone removed or
    # replaced it after installing crisisplan.
    install = f"{pip()} install {shlex.quote(REQUIREMENT)}"
    try:
        version = metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        raise BuildError(
            _(
                "Error: --protect needs {plugin} {version}x, which crisisplan depends on but is"
                " not installed here: {install}.",
                plugin=DISTRIBUTION,
                version=KNOWN[0],
                install=install,
            )
        ) from None
    if not version.startswith(KNOWN):
        raise BuildError(
            _(
                "Error: --protect knows {plugin} {known}x, not {version}: {install}.",
                plugin=DISTRIBUTION,
                known=KNOWN[0],
                version=version,
                install=install,
            )
        )
    if passphrase is not None:
        check_passphrase(passphrase.value)


def check_passphrase(value: str) -> None:
    """A passphrase long enough to be worth encrypting with (it is tried offline, at will);
    spaces around it are part of it, so they count but are not enough."""
    if not value.strip():
        raise BuildError(
            _(
                "Error: the passphrase is empty; set {env} to one of {n} characters or more,"
                " such as four or more random words.",
                env=ENV,
                n=MIN_LENGTH,
            )
        )
    if len(value) < MIN_LENGTH or len(value.strip()) < MIN_LENGTH:
        raise BuildError(
            _(
                "Error: the passphrase is shorter than {n} characters; use a longer one, such"
                " as four or more random words.",
                n=MIN_LENGTH,
            )
        )


def read_passphrase() -> Passphrase:
    """The passphrase from ``CRISISPLAN_PASSPHRASE``, else typed twice at a hidden prompt when
    there is a terminal to type it in."""
    value = os.environ.get(ENV)
    if value is None:
        if not sys.stdin.isatty():
            raise BuildError(
                _(
                    "Error: --protect needs a passphrase: set {env}, or run the command in a"
                    " terminal to type it.",
                    env=ENV,
                )
            )
        import click

        value = click.prompt(
            _("Passphrase"), hide_input=True, confirmation_prompt=True, err=True, type=str
        )
    check_passphrase(value)
    return Passphrase(value)


# -- the site ---------------------------------------------------------------------------------


def configure(data: dict[str, Any], project: Path, *, language: str, folder: str) -> None:
    """Make the client's mkdocs.yml (``data``, written afterwards) a protected project: the
    plugin after the search plugin, with the handbook's words, the search script and the hook
    that encrypts the search index. No passphrase: :func:`unlock` gives it after loading."""
    s = strings(language)["protect"]
    base = yaml.safe_load(resources.base_config().read_text(encoding="utf-8"))
    source = resources.themes_dir() / "protect"
    shutil.copyfile(source / "decrypt-form.tpl.html", project / FORM)
    (project / "docs" / SEARCH_SCRIPT).parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source / "protect-search.js", project / "docs" / SEARCH_SCRIPT)
    (project / HOOKS_NAME).write_text(HOOKS, encoding="utf-8")
    data["hooks"] = [*data.get("hooks", []), HOOKS_NAME]
    extra = data.setdefault("extra", {})
    extra["polyfills"] = [*base["extra"]["polyfills"], SEARCH_SCRIPT]
    data["plugins"] = [
        *base["plugins"],  # the search plugin first: it indexes the pages in clear
        {
            PLUGIN: {
                "title_prefix": "",
                "summary": s["summary"],
                "encryption_info_message": s["info"],
                "placeholder": s["label"],
                "password_button": True,
                "password_button_text": s["button"],
                "decryption_failure_message": s["wrong"],
                "html_template_path": FORM,
                # The table of contents repeats the page's headings.
                "encrypted_something": {"md-nav--secondary": ["nav", "class"]},
                "remember_keys": True,  # for the session, in sessionStorage: one passphrase a visit
                "remember_password": False,
                # One name per handbook folder: the two editions of a company, opened in one
                # tab, each keep their own key.
                "remember_prefix": f"crisisplan-{folder}-",
                "webcrypto": True,
                "esm": False,
                "kdf_pow": KDF_POW,
                # encrypt_search_index() does it, with the pages' key; the plugin's "encrypted"
                # drops the entries, its "dynamically" needs a patched Material, and both run
                # after the offline plugin has copied the index in clear.
                "search_index": "clear",
                "cache_file": "",  # its cache would hold the passphrase, in clear
                "threshold_warning_min_entropy": 0,  # check_passphrase() says it, in one line
            }
        },
    ]


def unlock(config: Any, passphrase: Passphrase) -> None:
    """Give a loaded MkDocs configuration's plugin the passphrase, and a state of its own: the
    plugin keeps its keys and passwords in a dictionary shared by every instance in a
    process, which would carry them from one client's build to the next."""
    plugin = config.plugins[PLUGIN]
    plugin.setup = {}
    plugin.config["global_password"] = passphrase.value


def encrypt_search_index(config: Any) -> None:
    """Encrypt every entry of ``search/search_index.json`` with its page's key, the format of
    the plugin's own search encryption: ``config.encrypted`` maps each key's id to its
    entries, AES-256-CBC, ``"iv;ciphertext"`` in base64. ``protect-search.js`` decrypts them
    in the page. An entry of a page left in clear stops the build."""
    index_file = Path(config["site_dir"]) / "search" / "search_index.json"
    if not index_file.is_file():
        return
    locations: dict[str, tuple[bytes, str]] = config.plugins[PLUGIN].setup["locations"]
    index = json.loads(index_file.read_text(encoding="utf-8"))
    by_key: dict[str, tuple[bytes, list[Any]]] = {}
    for entry in index["docs"]:
        page = entry["location"].partition("#")[0]
        if page not in locations:
            raise BuildError(
                _(
                    "Error: the page {page} was not encrypted; nothing was written.",
                    page=page or "index.html",
                )
            )
        key, key_id = locations[page]
        by_key.setdefault(key_id, (key, []))[1].append(entry)
    index["docs"] = []
    index["config"]["encrypted"] = {
        key_id: _encrypt(json.dumps(entries, ensure_ascii=False, separators=(",", ":")), key)
        for key_id, (key, entries) in by_key.items()
    }
    text = json.dumps(index, ensure_ascii=False, separators=(",", ":"))
    index_file.write_text(text, encoding="utf-8")


def _encrypt(text: str, key: bytes) -> str:
    from Crypto.Cipher import AES
    from Crypto.Random import get_random_bytes
    from Crypto.Util.Padding import pad

    iv = get_random_bytes(16)
    data = AES.new(key, AES.MODE_CBC, iv).encrypt(pad(text.encode("utf-8"), 16, style="pkcs7"))
    return f"{base64.b64encode(iv).decode()};{base64.b64encode(data).decode()}"


# -- the PDF ----------------------------------------------------------------------------------


def encrypt_pdf(path: Path, passphrase: Passphrase) -> None:
    """Encrypt the PDF at ``path`` in place with AES-256 (revision 6): it opens only with the
    passphrase, then with every permission (printing, copying, assistive technology). Its
    tags and metadata are kept, encrypted with the rest."""
    import pikepdf

    encrypted = io.BytesIO()
    with pikepdf.open(path) as pdf:
        pdf.save(
            encrypted,
            encryption=pikepdf.Encryption(owner=passphrase.value, user=passphrase.value, R=6),
            object_stream_mode=pikepdf.ObjectStreamMode.preserve,
        )
    output.write_bytes(path, encrypted.getbuffer())  # see there: not by qpdf
