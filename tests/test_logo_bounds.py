"""Logos that ask for too much work are refused; one right under every bound builds and paints
at once; raster logos are published re-encoded, without what the client's file carried."""

from __future__ import annotations

import base64
import io
import re
import time
from pathlib import Path

import PIL.Image
import PIL.PngImagePlugin
import pytest
import weasyprint

from crisisplan.build import Options, build_handbook
from crisisplan.errors import QuestionnaireError
from crisisplan.images import ImageError, read_image, sanitize_svg
from crisisplan.questionnaire import load_questionnaire

SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}">{body}</svg>'


def client(tmp_path: Path, logo: str | bytes, name: str = "logo.svg") -> Path:
    folder = tmp_path / "client"
    folder.mkdir()
    (folder / name).write_bytes(logo.encode() if isinstance(logo, str) else logo)
    path = folder / "questionnaire.yaml"
    path.write_text(f"company:\n  name: Toko\nbrand:\n  logo: {name}\n", encoding="utf-8")
    return path


def chain(tag: str, attribute: str, levels: int = 40) -> str:
    """Each level uses the one before twice: 2^40 draws from 6 KB, as in issue 30."""
    parts = [f'<{tag} id="m0"><rect width="10" height="10" fill="#fff"/></{tag}>']
    for i in range(1, levels):
        use = f'{attribute}="url(#m{i - 1})" width="10" height="10" fill="#fff"'
        parts.append(f'<{tag} id="m{i}"><rect {use}/><rect x="1" {use}/></{tag}>')
    body = f'<defs>{"".join(parts)}</defs><rect {attribute}="url(#m{levels - 1})" width="10"/>'
    return SVG.format(size=10, body=body)


def dashed_paths(count: int = 4096) -> str:
    """4,096 lines across a 4,096-unit logo, dashed every 0.01: 800 million dashes."""
    paths = "".join(
        f'<path d="M0 {i} H4096" stroke="#000" stroke-dasharray="0.01"/>' for i in range(count)
    )
    return SVG.format(size=4096, body=paths)


def segment_bomb(points: int = 200_000) -> str:
    return SVG.format(size=10, body=f'<path d="M0 0{" L10 10 0 10" * (points // 2)}"/>')


@pytest.mark.parametrize(
    ("logo", "message"),
    [
        (
            chain("mask", "mask"),
            "a mask may not use another mask or clip-path ('m1' uses 'm0'): flatten the logo",
        ),
        (
            chain("clipPath", "clip-path"),
            "a clip-path may not use another mask or clip-path ('m1' uses 'm0'): flatten the logo",
        ),
        (
            dashed_paths(),
            "the SVG's stroke-dasharray would draw about 838,860,800 dashes; at most 100,000 are"
            " allowed: use longer dashes and gaps",
        ),
        (
            segment_bomb(),
            "the SVG has 200,001 path segments; at most 8,000 are allowed: simplify it or use a PNG",
        ),
    ],
    ids=["mask-chain", "clip-chain", "dashes", "segments"],
)
def test_a_logo_that_asks_for_too_much_work_is_refused(tmp_path, logo, message) -> None:
    path = client(tmp_path, logo)
    started = time.perf_counter()
    with pytest.raises(QuestionnaireError) as info:
        load_questionnaire(path)
    assert time.perf_counter() - started < 5
    first, *rest = info.value.format_message().splitlines()
    assert first == f"{path}:4:9: brand.logo: 'logo.svg': {message}"
    assert rest == [f"Error: 1 error in {path}; nothing was written."]


MASK = '<mask id="m"><rect width="5" height="5" fill="#fff"/></mask>'


@pytest.mark.parametrize(
    ("body", "message"),
    [
        # a chain through a style attribute, a child's group, a style sheet rule, itself
        (
            f'<defs>{MASK}<clipPath id="c"><rect style="mask: url(#m)"/></clipPath></defs>',
            "a clip-path may not use another mask or clip-path ('c' uses 'm')",
        ),
        (
            f'<defs>{MASK}<mask id="n"><g><g mask="url(#m)"/></g></mask></defs>',
            "a mask may not use another mask or clip-path ('n' uses 'm')",
        ),
        (
            f'<style>.a {{ clip-path: url("#m") }}</style><defs>{MASK}'
            '<mask id="n"><rect class="b a"/></mask></defs>',
            "a mask may not use another mask or clip-path ('n' uses 'm')",
        ),
        (
            f"<style>:not(.x) {{ mask: url(#m) }}</style><defs>{MASK}</defs>",
            "a mask may not use another mask or clip-path ('m' uses 'm')",
        ),
        (
            "<defs>" + MASK + "</defs>" + '<rect mask="url(#m)"/>' * 33,
            "the SVG has 33 elements that use a mask; at most 32 are allowed",
        ),
        (
            '<linearGradient id="g"/>' + '<rect fill="url(#g)"/>' * 1001,
            "the SVG has 1,001 url(#…) references; at most 1,000 are allowed",
        ),
        (
            '<clipPath id="c">' + "<rect/>" * 99 + "</clipPath>" + '<g clip-path="url(#c)"/>' * 51,
            "the SVG has 5,100 shapes drawn through clip-paths and masks (each use counted);"
            " at most 5,000 are allowed",
        ),
        (
            f'<clipPath id="c"><path d="M0 0{" 1 1" * 999}"/></clipPath>'
            + '<g clip-path="url(#c)"/>' * 8,
            "the SVG has 9,000 path segments; at most 8,000 are allowed",
        ),
        (
            f'<polygon points="{"1 2 " * 8001}"/>',
            "the SVG has 8,002 path segments; at most 8,000 are allowed",
        ),
        (
            '<path d="M0 0h1" stroke-dasharray="' + "1 " * 17 + '"/>',
            "a stroke-dasharray has 17 values; at most 16 are allowed",
        ),
        # a tiny period inherited from a group, or set in CSS, with a declared pathLength
        (
            '<g stroke-dasharray="0.001"><circle r="1000"/></g>',
            "the SVG's stroke-dasharray would draw about 3,141,593 dashes",
        ),
        (
            '<style>line { stroke-dasharray: 1e-6 }</style><line x2="1" pathLength="1"/>',
            "the SVG's stroke-dasharray would draw about 500,000 dashes",
        ),
        (
            '<mask id="m"><path d="M0 0h100" stroke-dasharray="0.01"/></mask>'
            + '<rect mask="url(#m)"/>' * 30,
            "the SVG's stroke-dasharray would draw about 155,000 dashes",
        ),
        (
            '<path d="M0 0h1" stroke-dasharray="1%"/>',
            "stroke-dasharray '1%' is not a list of lengths: use plain numbers",
        ),
        (
            '<path d="M0 0h1" stroke-dasharray="1"/><text>T</text>',
            "a logo with text may not use stroke-dasharray: convert the text to paths",
        ),
        (
            "<rect style=\"clip-path: path('M0 0 L1 1')\"/>",
            "the SVG draws a shape in CSS (d, path(), polygon() or shape())",
        ),
    ],
    ids=[
        "style-attribute",
        "grandchild",
        "style-sheet",
        "itself",
        "mask-uses",
        "references",
        "masked-shapes",
        "masked-segments",
        "polygon-points",
        "dash-values",
        "inherited-dashes",
        "css-dashes-path-length",
        "dashes-in-a-mask",
        "dash-units",
        "dashed-text",
        "css-shape",
    ],
)
def test_each_bound_is_counted_wherever_the_svg_asks_for_work(body, message) -> None:
    with pytest.raises(ImageError, match="^" + re.escape(message)):
        sanitize_svg(SVG.format(size=10, body=body).encode())


def at_every_bound() -> str:
    """A logo right under every bound at once, each part of it as costly as the bound allows:
    32 masked elements of 155 shapes each, 960 painted references, about 96,000 dashes, and a
    path of 7,500 segments that each cross the whole picture (the rasteriser's worst case)."""
    shapes = "".join(
        f'<rect x="{i % 13}" y="{i // 13}" width="0.05" height="0.05" fill="#fff"/>'
        for i in range(155)
    )
    masked = "".join(
        f'<rect mask="url(#m)" x="{i % 8}" width="2" height="12" fill="#5B3A29"/>'
        for i in range(32)
    )
    painted = "".join(
        f'<rect fill="url(#g)" x="{i % 12}" y="{i // 80}" width="0.2" height="0.2"/>'
        for i in range(960)
    )
    dashed = "".join(
        f'<path d="M0 {i / 9:.2f}h100" stroke="#000" stroke-width="0.02"'
        ' stroke-dasharray="0.05 0.05"/>'
        for i in range(60)
    )
    zigzag = " ".join(f"{(i * 7919) % 13 / 100} {0.12 if i % 2 else 0}" for i in range(7_500))
    return SVG.format(
        size=12,
        body='<defs><linearGradient id="g"><stop offset="0" stop-color="#E0A526"/>'
        f'<stop offset="1" stop-color="#5B3A29"/></linearGradient><mask id="m">{shapes}</mask>'
        f'</defs>{masked}{painted}<g transform="scale(0.12)">{dashed}</g>'
        f'<path transform="scale(100)" d="M{zigzag}" fill="#E0A526" fill-opacity="0.3"'
        ' stroke="#5B3A29" stroke-width="0.0001"/>',
    )


def test_a_logo_right_under_every_bound_builds_and_paints_at_once(tmp_path, page) -> None:
    logo = at_every_bound()
    assert sanitize_svg(logo.encode())  # accepted: it is under every bound
    result = build_handbook(client(tmp_path, logo), tmp_path / "out")
    assert result.seconds < 120  # the 40 chained masks ran for more than 300 s
    published = (result.output / "assets" / "logo.svg").read_bytes()
    uri = "data:image/svg+xml;base64," + base64.b64encode(published).decode()
    started = time.perf_counter()
    weasyprint.HTML(string=f'<img src="{uri}" style="width: 34mm">').write_pdf()
    assert time.perf_counter() - started < 5  # the logo's own share of the PDF
    page.set_viewport_size({"width": 512, "height": 512})
    started = time.perf_counter()
    page.goto((result.output / "index.html").as_uri())  # the header shows it, the tab too
    page.locator(".md-header .md-logo img").evaluate("img => img.decode()")
    page.screenshot()  # a screenshot waits for the page to be painted
    assert time.perf_counter() - started < 1
    assert page.console_errors == []
    page.goto("about:blank")
    page.set_content(f'<img src="{uri}" width="512" height="512">')  # and as large as a page
    started = time.perf_counter()
    page.evaluate("() => document.images[0].decode()")
    page.screenshot()
    assert time.perf_counter() - started < 1


def test_a_raster_logo_is_published_reencoded_without_its_metadata(tmp_path) -> None:
    image = PIL.Image.new("RGBA", (40, 30), (91, 58, 41, 200))
    image.putpixel((3, 4), (224, 165, 38, 255))
    info = PIL.PngImagePlugin.PngInfo()
    info.add_text("Comment", "from the client's camera")
    out = io.BytesIO()
    image.save(out, format="PNG", pnginfo=info, icc_profile=b"not sRGB" * 8, dpi=(300, 300))
    sent = out.getvalue() + b"<script>alert(1)</script>"
    path = client(tmp_path, sent, "logo.png")
    result = build_handbook(path, tmp_path / "out", Options(pdf=False))
    published = (result.output / "assets" / "logo.png").read_bytes()
    assert published.endswith(b"IEND\xaeB`\x82")  # nothing after the image's end
    for gone in (b"tEXt", b"camera", b"iCCP", b"pHYs", b"script"):
        assert gone not in published, gone
    with PIL.Image.open(io.BytesIO(published)) as again:
        assert again.size == (40, 30)
        assert again.convert("RGBA").tobytes() == image.tobytes()  # the same picture
    assert read_image(path.parent / "logo.png").data == published  # the same bytes every build
