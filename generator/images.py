"""Logos and favicons checked by their bytes: real type, size caps, and SVGs rebuilt from an allow-list.

A client's image is untrusted: a file named ``logo.svg`` may be a script, an HTML page, a
``<use>`` bomb or a PNG of 13000x13000 pixels. Only what passes here is published, and what is
published is the checked copy (for SVG, the rebuilt one), never the client's file as it is.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from . import svgbounds
from .i18n import _
from .loader import open_regular

MAX_BYTES = 2 * 1024 * 1024
MAX_PIXELS = 4096  # the longest side of a raster image
MAX_ELEMENTS = 5_000  # in an SVG
MAX_DEPTH = 32

SVG = "http://www.w3.org/2000/svg"
XLINK = "http://www.w3.org/1999/xlink"

#: What a logo may be drawn with: shapes, text, gradients, clipping and masks. Not: scripts,
#: ``<use>`` and ``<symbol>`` (which multiply work), ``<image>`` and ``<foreignObject>``
#: (which load or embed other documents), animation (which can set links), filters and
#: patterns (which can be made arbitrarily expensive), links.
ELEMENTS = frozenset(
    [
        "svg",
        "g",
        "defs",
        "title",
        "desc",
        "path",
        "rect",
        "circle",
        "ellipse",
        "line",
        "polyline",
        "polygon",
        "text",
        "tspan",
        "linearGradient",
        "radialGradient",
        "stop",
        "clipPath",
        "mask",
        "style",
    ]
)
ATTRIBUTES = frozenset(
    [
        "id",
        "class",
        "style",
        "transform",
        "version",
        "viewBox",
        "preserveAspectRatio",
        "width",
        "height",
        "x",
        "y",
        "x1",
        "y1",
        "x2",
        "y2",
        "cx",
        "cy",
        "r",
        "rx",
        "ry",
        "fx",
        "fy",
        "fr",
        "d",
        "points",
        "pathLength",
        "offset",
        "dx",
        "dy",
        "rotate",
        "textLength",
        "lengthAdjust",
        "fill",
        "fill-opacity",
        "fill-rule",
        "stroke",
        "stroke-width",
        "stroke-linecap",
        "stroke-linejoin",
        "stroke-miterlimit",
        "stroke-dasharray",
        "stroke-dashoffset",
        "stroke-opacity",
        "opacity",
        "color",
        "stop-color",
        "stop-opacity",
        "gradientUnits",
        "gradientTransform",
        "spreadMethod",
        "clip-path",
        "clip-rule",
        "clipPathUnits",
        "mask",
        "maskUnits",
        "maskContentUnits",
        "display",
        "visibility",
        "paint-order",
        "vector-effect",
        "shape-rendering",
        "text-rendering",
        "font-family",
        "font-size",
        "font-weight",
        "font-style",
        "font-variant",
        "text-anchor",
        "dominant-baseline",
        "alignment-baseline",
        "baseline-shift",
        "letter-spacing",
        "word-spacing",
        "text-decoration",
        "writing-mode",
        "role",
        "aria-label",
        "aria-hidden",
        "focusable",
    ]
)
#: The only references an SVG may hold are to its own ids: ``url(#id)`` and ``href="#id"``.
_URL = re.compile(r"url\s*\(", re.I)
_LOCAL_URL = re.compile(r"url\s*\(\s*['\"]?#[\w.:-]+['\"]?\s*\)", re.I)
_CSS_UNSAFE = re.compile(r"@|\\|expression|javascript|<", re.I)

_KINDS = {
    "PNG": ("png", "image/png"),
    "JPEG": ("jpg", "image/jpeg"),
    "WEBP": ("webp", "image/webp"),
    "ICO": ("ico", "image/x-icon"),
}


class ImageError(ValueError):
    """An image that cannot be published; the message says why and what is allowed."""


@dataclass(frozen=True)
class Image:
    """A checked image: its type from its bytes, and the bytes to publish."""

    suffix: str
    mime: str
    data: bytes

    def data_uri(self) -> str:
        import base64

        return f"data:{self.mime};base64,{base64.b64encode(self.data).decode('ascii')}"


def read_image(path: Path, *, favicon: bool = False) -> Image:
    """The image at ``path`` checked by its content, or :class:`ImageError`."""
    allowed = _("PNG, JPEG, WebP, ICO or SVG") if favicon else _("PNG, JPEG, WebP or SVG")
    with open_regular(path) as file:
        data = file.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ImageError(
            _("the file is larger than {mb} MB: use a smaller image", mb=MAX_BYTES // 1024 // 1024)
        )
    if _looks_like_svg(data):
        return Image("svg", "image/svg+xml", sanitize_svg(data))
    return _raster(data, allowed, favicon)


def _looks_like_svg(data: bytes) -> bool:
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<?xml", b"<svg", b"<!--", b"<!doctype svg"))


def _raster(data: bytes, allowed: str, favicon: bool) -> Image:
    import warnings

    from PIL import Image as PILImage
    from PIL import UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            # Pillow warns, then refuses, past 89 million pixels: both are ours to report
            warnings.simplefilter("error", PILImage.DecompressionBombWarning)
            image = PILImage.open(io.BytesIO(data))  # reads the header, decodes nothing
        with image:
            kind, (width, height) = image.format, image.size
            if kind not in _KINDS or (kind == "ICO" and not favicon):
                raise ImageError(
                    _("the file is {kind}: use a {allowed} image", kind=kind, allowed=allowed)
                    if kind
                    else _("the file is not an image: use a {allowed} image", allowed=allowed)
                )
            if max(width, height) > MAX_PIXELS:
                raise _too_big(width, height)
            image.verify()
    except ImageError:
        raise
    except (PILImage.DecompressionBombWarning, PILImage.DecompressionBombError):
        raise _too_big(*_png_size(data)) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise ImageError(
            _("the file is not an image: use a {allowed} image", allowed=allowed)
            if isinstance(exc, UnidentifiedImageError)
            else _("the file is a damaged image: use a {allowed} image", allowed=allowed)
        ) from None
    suffix, mime = _KINDS[kind]
    try:
        clean = _reencode(data, kind)
    except (OSError, ValueError, SyntaxError):
        raise ImageError(
            _("the file is a damaged image: use a {allowed} image", allowed=allowed)
        ) from None
    return Image(suffix, mime, clean)


def _reencode(data: bytes, kind: str) -> bytes:
    """The image's pixels encoded afresh: no text, EXIF, XMP, ICC profile or trailing data.

    Encoders given the same pixels and options write the same bytes, so builds stay
    reproducible. A JPEG keeps its quantisation tables (close to its quality); an animated
    image is published as its first frame.
    """
    from PIL import Image as PILImage
    from PIL import ImageOps, JpegImagePlugin

    with PILImage.open(io.BytesIO(data)) as image:
        image.load()
        options: dict[str, Any] = {}
        if isinstance(image, JpegImagePlugin.JpegImageFile):
            options = {
                "qtables": image.quantization,
                "subsampling": JpegImagePlugin.get_sampling(image),
            }
        elif kind == "WEBP":
            options = {"lossless": b"VP8L" in data, "quality": 90}
        elif kind == "ICO":
            options = {"sizes": sorted(image.info.get("sizes", {image.size}))}
        transparency = image.info.get("transparency")
        upright = ImageOps.exif_transpose(image)  # what a browser shows, now without EXIF
        upright.info = {}
        if transparency is not None and upright.mode in ("P", "L", "RGB"):
            options["transparency"] = transparency
        out = io.BytesIO()
        upright.save(out, format=kind, **options)
    return out.getvalue()


def _too_big(width: int, height: int) -> ImageError:
    size = (
        _("{width}x{height} pixels", width=width, height=height)
        if width
        else _("more than 89 million pixels")
    )
    return ImageError(
        _(
            "the image is {size}; at most {most}x{most} are allowed: use a smaller image",
            size=size,
            most=MAX_PIXELS,
        )
    )


def _png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's header (Pillow refused to open it), else zeros."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR":
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    return 0, 0


def sanitize_svg(data: bytes) -> bytes:
    """The SVG rebuilt from its allowed elements and attributes, or :class:`ImageError`.

    Parsed with defusedxml, which refuses DTDs, so no entity can expand or be fetched.
    """
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    try:
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise ImageError(
            _(
                "the SVG declares a DOCTYPE or entities, which logos may not: export it again as"
                " plain SVG"
            )
        ) from None
    except ET.ParseError as exc:
        raise ImageError(
            _("the file is not valid SVG ({why}): export it again as plain SVG", why=exc)
        ) from None
    if root.tag != f"{{{SVG}}}svg":
        raise ImageError(
            _(
                "the file is not an SVG image (its root is not an <svg> element with"
                ' xmlns="http://www.w3.org/2000/svg"): export it again as plain SVG'
            )
        )
    count = [0]
    clean = _rebuild(root, 0, count)
    assert clean is not None
    try:
        svgbounds.check(clean)
    except svgbounds.TooMuchWork as exc:
        raise ImageError(str(exc)) from None
    ET.register_namespace("", SVG)
    ET.register_namespace("xlink", XLINK)
    rebuilt: bytes = ET.tostring(clean, encoding="utf-8", xml_declaration=True)
    return rebuilt


def _rebuild(element: Any, depth: int, count: list[int]) -> Any:
    namespace, _sep, name = element.tag.rpartition("}")
    if namespace != "{" + SVG or name not in ELEMENTS:
        return None
    count[0] += 1
    if count[0] > MAX_ELEMENTS or depth > MAX_DEPTH:
        raise ImageError(
            _(
                "the SVG has more than {elements:,} elements or {depth} levels: simplify it",
                elements=MAX_ELEMENTS,
                depth=MAX_DEPTH,
            )
        )
    out = ET.Element(element.tag)
    for key, value in element.attrib.items():
        attribute = _attribute(name, key, value)
        if attribute:
            out.set(*attribute)
    if name == "style":
        css = element.text or ""
        if _CSS_UNSAFE.search(css) or _remote_url(css):
            return None
        out.text = css
        return out
    if name in ("text", "tspan", "title", "desc"):
        out.text = element.text
    for child in element:
        kept = _rebuild(child, depth + 1, count)
        if kept is not None:
            kept.tail = child.tail if name in ("text", "tspan") else None
            out.append(kept)
    return out


def _attribute(element: str, key: str, value: str) -> tuple[str, str] | None:
    if key in (f"{{{XLINK}}}href", "href"):
        # gradients may inherit another gradient's stops: a reference to this file only
        if element.endswith("Gradient") and re.fullmatch(r"#[\w.:-]+", value.strip()):
            return (f"{{{XLINK}}}href" if key.startswith("{") else "href", value.strip())
        return None
    if key.startswith("{") or key not in ATTRIBUTES:
        return None
    if key == "style" and _CSS_UNSAFE.search(value):
        return None
    if _remote_url(value):
        return None
    return key, value


def _remote_url(text: str) -> bool:
    """Whether ``text`` holds a ``url(...)`` that is not a reference to an id of this file."""
    return len(_URL.findall(text)) != len(_LOCAL_URL.findall(text))
