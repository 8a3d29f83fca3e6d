"""The navigation bar comes from the apps' manifests, marks the page the user is on, and its
text meets WCAG AA contrast (4.5:1) on the red bar."""

import re
from pathlib import Path

from django.test import Client
from django.urls import reverse

CSS = Path(__file__).resolve().parents[2] / "static" / "nuanxin" / "nuanxin.css"


def _nav(user, url) -> str:
    client = Client()
    client.force_login(user)
    html = client.get(url).content.decode()
    return html[html.index('<nav class="navbar'): html.index("</nav>")]


def _current(nav: str) -> list[str]:
    return re.findall(r'<a class="nav-link active" href="([^"]*)"[^>]*aria-current="page"', nav)


def test_the_current_page_is_marked_once(personas):
    from nuanxin.registry import services

    worker = services.create_worker(actor=personas.yi, organisation=personas.shinan_hospital, name="导航", team="cdc")
    assert _current(_nav(personas.yi, reverse("home"))) == ["/"]
    assert _current(_nav(personas.yi, reverse("care:difficulty_list"))) == ["/care/difficulties/"]
    # A page below an entry belongs to it; the import pages (/register/imports/) to their own entry.
    assert _current(_nav(personas.yi, reverse("registry:worker_detail", args=[worker.pk]))) == ["/register/"]
    assert _current(_nav(personas.yi, reverse("tables:imports:list"))) == ["/register/imports/"]
    assert _current(_nav(personas.yi, reverse("notify:list"))) == ["/notifications/"]
    assert _current(_nav(personas.auditor, reverse("audit:log"))) == ["/audit/"]
    assert _nav(personas.yi, reverse("home")).count('aria-current="page"') == 1


def test_the_menu_follows_the_policies(personas):
    nav = _nav(personas.viewer, reverse("home"))
    links = re.findall(r'class="nav-link(?: active)?" href="([^"]*)"', nav)
    assert links == [
        "/", "/care/overview/", "/hotline/", "/hotline/figures/", "/funds/", "/reports/", "/honours/", "/welfare/",
        "/volunteers/", "/recuperation/", "/labour/", "/produce/", "/telecom/", "/notifications/", "/accounts/me/",
    ]  # fmt: skip


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_the_bar_text_meets_wcag_aa_contrast():
    css = CSS.read_text()
    bar = re.search(r"\.nx-navbar \{ background-color: (#[0-9a-f]{6}); \}", css).group(1)
    current = re.search(r'aria-current="page"\] \{[^}]*background-color: (#[0-9a-f]{6})', css).group(1)
    for variable in ("--bs-navbar-color", "--bs-navbar-hover-color", "--bs-navbar-active-color"):
        text = re.search(rf"{variable}: (#[0-9a-f]{{3,6}});", css).group(1)
        text = "#ffffff" if text == "#fff" else text
        assert _contrast(text, bar) >= 4.5, variable
        assert _contrast(text, current) >= 4.5, variable
