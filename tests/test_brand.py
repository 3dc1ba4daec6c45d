"""Brand colours stay readable: header text, links in both colour schemes."""

from __future__ import annotations

import re

import pytest

from crisisplan.build import prepare
from crisisplan.model import (
    DARK_BACKGROUND,
    DARK_SURFACES,
    LIGHT_BACKGROUND,
    LIGHT_SURFACES,
    contrast,
    readable,
)
from crisisplan.site import brand_css


def test_contrast_is_wcag():
    assert contrast("#000000", "#FFFFFF") == pytest.approx(21)
    assert contrast("#777777", "#777777") == pytest.approx(1)


@pytest.mark.parametrize(
    "color", ["#5B3A29", "#FFD700", "#1F4E79", "#E0A526", "#000000", "#FFFFFF"]
)
@pytest.mark.parametrize("background", [LIGHT_BACKGROUND, DARK_BACKGROUND])
def test_readable_reaches_four_and_a_half_to_one(color, background):
    assert contrast(readable(color, background), background) >= 4.5


def test_a_readable_colour_is_left_alone():
    assert readable("#5B3A29", LIGHT_BACKGROUND) == "#5B3A29"


@pytest.mark.parametrize(("primary", "text"), [("#5B3A29", "#FFFFFF"), ("#FFD700", "#000000")])
def test_header_text_follows_the_brand_colour(tmp_path, primary, text):
    path = tmp_path / "q.yaml"
    path.write_text(
        f'company:\n  name: X\nbrand:\n  colors:\n    primary: "{primary}"\n', encoding="utf-8"
    )
    _, hb, _ = prepare(path)
    css = brand_css(hb)
    assert f"--md-primary-bg-color: {text};" in css
    dark_link = re.search(r'slate"\] \{\n  --md-typeset-a-color: (#[0-9A-F]{6})', css).group(1)
    assert all(contrast(dark_link, surface) >= 4.5 for surface in DARK_SURFACES)


@pytest.mark.parametrize("color", ["#5B3A29", "#FFD700", "#1F4E79", "#808080"])
@pytest.mark.parametrize("surfaces", [LIGHT_SURFACES, DARK_SURFACES])
def test_a_link_colour_reads_on_every_surface_of_its_scheme(color, surfaces):
    link = readable(color, surfaces)
    assert all(contrast(link, surface) >= 4.5 for surface in surfaces)
