"""Debian's Chromium, driven by Playwright: accessibility, anchors, focus, screens, privacy."""

from __future__ import annotations

import io
from urllib.parse import urlsplit

import pytest
from browsing import (
    ARTIFACTS,
    AXE_RUN,
    CHROMIUM,
    PAGES,
    PLAYWRIGHT_CHROMIUM_ARGS,
    SCROLL_Y,
    TOP_OF,
    axe_source,
    format_violations,
    pages_marked,
    stylesheet_colours,
)
from servers import require
from support import faq_sources


@pytest.fixture(scope="module")
def browser():
    """One Chromium for the whole module."""
    require(CHROMIUM)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=PLAYWRIGHT_CHROMIUM_ARGS,
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    tab = context.new_page()
    yield tab
    context.close()


def js(page, script, *args):
    """Run a WebDriver-style script (`return …`, `arguments[0]`) in the page."""
    return page.evaluate(f"(arguments) => {{ {script} }}", list(args))


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("name", pages_marked())
def test_axe_finds_no_wcag_21_aa_violation(page, served, name, scheme):
    page.emulate_media(color_scheme=scheme)
    page.goto(f"{served.url}/{name}")
    page.add_script_tag(content=axe_source())
    violations = js(page, AXE_RUN)
    assert violations == [], format_violations(violations)


# The pages whose content depends on the kind of publisher and the VAT regime.
@pytest.mark.parametrize("name", ["index.html", "mentions-legales.html", "confidentialite.html"])
@pytest.mark.parametrize("site_server", ["served_filled", "served_ei"])
def test_axe_finds_no_violation_with_real_facts(page, request, site_server, name):
    served = request.getfixturevalue(site_server)
    page.goto(f"{served.url}/{name}")
    page.add_script_tag(content=axe_source())
    violations = js(page, AXE_RUN)
    assert violations == [], format_violations(violations)


def test_axe_would_catch_a_violation(page, served):
    page.goto(f"{served.url}/index.html")
    page.evaluate(
        "document.querySelector('html').removeAttribute('lang');"
        "document.querySelector('.brand-tagline').style.color = '#b8bcc2'"
    )
    page.add_script_tag(content=axe_source())
    ids = {v["id"] for v in js(page, AXE_RUN)}
    assert {"html-has-lang", "color-contrast"} <= ids


@pytest.mark.content
def test_table_of_contents_links_bring_each_question_to_the_top(page, served):
    page.goto(f"{served.url}/")
    anchors = [a.get_attribute("href")[1:] for a in page.locator("nav.toc a").all()]
    assert anchors == [question.anchor for question in faq_sources()]
    for anchor in anchors:
        page.goto(f"{served.url}/")
        page.click(f'nav.toc a[href="#{anchor}"]')
        page.wait_for_function("id => location.hash === '#' + id", arg=anchor)
        assert abs(js(page, TOP_OF, anchor)) <= 2, anchor


@pytest.mark.content
def test_back_to_top_links_bring_the_top_back(page, served):
    page.goto(f"{served.url}/")
    links = page.locator("p.back-to-top a")
    assert links.count() == len(faq_sources())
    for index in range(links.count()):
        links.nth(index).scroll_into_view_if_needed()
        assert js(page, SCROLL_Y) > 0
        links.nth(index).click()
        page.wait_for_function("window.scrollY === 0")
        assert page.locator("header.site-header").bounding_box()["y"] == 0


def test_first_tab_is_the_skip_link_which_moves_focus_to_main(page, served):
    page.goto(f"{served.url}/contact.html")
    page.keyboard.press("Tab")
    focused = js(page, "return document.activeElement.className;")
    assert focused == "skip-link"
    box = page.locator(".skip-link").bounding_box()
    assert box["y"] >= 0, "the focused skip link is visible"
    assert box["height"] > 10, "the focused skip link is visible"
    page.keyboard.press("Enter")
    assert js(page, "return document.activeElement.id;") == "contenu"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_focus_is_visible_in_the_focus_colour(page, served, scheme):
    page.emulate_media(color_scheme=scheme)
    page.goto(f"{served.url}/")
    focus = stylesheet_colours(scheme)["--color-focus"]
    for _ in range(3):  # skip link, brand, first navigation link
        page.keyboard.press("Tab")
        outline = js(
            page,
            "const s = getComputedStyle(document.activeElement);"
            "return [s.outlineStyle, parseFloat(s.outlineWidth), s.outlineColor];",
        )
        assert outline[0] != "none", outline
        assert outline[1] >= 2, outline
        assert outline[2] == focus, outline


@pytest.mark.parametrize("width", [320, 375])
@pytest.mark.parametrize("name", pages_marked())
def test_no_horizontal_scrolling_on_small_screens(browser, served, width, name):
    context = browser.new_context(viewport={"width": width, "height": 700})
    tab = context.new_page()
    tab.goto(f"{served.url}/{name}")
    sizes = js(tab, "return [document.documentElement.scrollWidth, window.innerWidth];")
    context.close()
    assert sizes[0] <= sizes[1], f"{name} is {sizes[0]} px wide at {width} px"


# The price table in development, with VAT columns (company), with an hourly row (EI).
@pytest.mark.content
@pytest.mark.parametrize("site_server", ["served", "served_filled", "served_ei"])
@pytest.mark.parametrize("width", [320, 375])
def test_price_table_is_readable_on_small_screens(browser, request, site_server, width):
    served = request.getfixturevalue(site_server)
    context = browser.new_context(viewport={"width": width, "height": 700})
    tab = context.new_page()
    tab.goto(f"{served.url}/")
    cells = js(
        tab,
        """
        const box = document.querySelector('.table-scroll');
        return {scroll: [box.scrollWidth, box.clientWidth],
                cells: [...box.querySelectorAll('th, td')].map(c => {
                    const r = c.getBoundingClientRect();
                    return [c.textContent.trim(), r.left, r.right, c.scrollWidth, c.clientWidth];
                })};""",
    )
    context.close()
    assert cells["scroll"][0] <= cells["scroll"][1], "the table needs sideways scrolling"
    for text, left, right, scroll_width, client_width in cells["cells"]:
        assert left >= 0, f"{text!r} is cut off at {width} px"
        assert right <= width, f"{text!r} is cut off at {width} px"
        assert scroll_width <= client_width, f"{text!r} overflows its cell"


@pytest.mark.parametrize("name", PAGES)
def test_nothing_leaves_the_machine_no_cookie_no_script_no_error(browser, served, name):
    context = browser.new_context()
    tab = context.new_page()
    requests, errors = [], []
    tab.on("request", lambda request: requests.append((request.url, request.resource_type)))
    tab.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.goto(f"{served.url}/{name}", wait_until="networkidle")
    cookies = context.cookies()
    context.close()
    assert requests, "no request was seen"
    for url, _ in requests:
        assert urlsplit(url).hostname == "127.0.0.1", f"{name} asked {url}"
    assert [url for url, kind in requests if kind == "script"] == []
    assert cookies == []
    # The 404 page is fetched here with status 200; no resource may fail either.
    assert errors == [], errors


def differing_share(shot, alone, left: int, top: int) -> float:
    """The share of `alone`'s pixels that differ in `shot` at (left, top), give or take 1 px."""
    from PIL import ImageChops

    shares = []
    for dx in (-1, 0, 1):
        for dy in (-1, 0, 1):
            x, y = left + dx, top + dy
            seen = shot.crop((x, y, x + alone.width, y + alone.height))
            difference = ImageChops.difference(seen, alone).convert("L")
            differing = sum(1 for value in difference.get_flattened_data() if value > 32)
            shares.append(differing / (alone.width * alone.height))
    return min(shares)


def test_the_screenshot_comparison_tells_a_shown_element_from_a_missing_one():
    from PIL import Image, ImageDraw

    page_shot = Image.new("RGB", (200, 100), "white")
    ImageDraw.Draw(page_shot).text((20, 30), "Combien ?", fill="black")
    heading = page_shot.crop((15, 25, 90, 50))
    assert differing_share(page_shot, heading, 15, 25) == 0
    blank = Image.new("RGB", (200, 100), "white")
    assert differing_share(blank, heading, 15, 25) > 0.05


@pytest.mark.parametrize(
    ("label", "viewport", "scheme"),
    [
        ("desktop", {"width": 1280, "height": 800}, "light"),
        ("mobile", {"width": 375, "height": 800}, "light"),
        ("dark", {"width": 1280, "height": 800}, "dark"),
    ],
)
def test_full_page_screenshots(browser, served, label, viewport, scheme):
    """Each screenshot shows the page: its heading and price table where the page has them."""
    from PIL import Image

    context = browser.new_context(viewport=viewport, color_scheme=scheme)
    tab = context.new_page()
    ARTIFACTS.mkdir(exist_ok=True)
    for name in ("index.html", "contact.html"):
        tab.goto(f"{served.url}/{name}")
        path = ARTIFACTS / f"{label}-{name.removesuffix('.html')}.png"
        tab.screenshot(path=str(path), full_page=True)
        shot = Image.open(path).convert("RGB")
        parts = ["main h1", ".price-table"] if name == "index.html" else ["main h1"]
        for selector in parts:
            element = tab.locator(selector)
            alone = Image.open(io.BytesIO(element.screenshot())).convert("RGB")
            # Where the element is on the whole page, whatever the page scrolled to.
            left, top = element.evaluate(
                "e => { const r = e.getBoundingClientRect();"
                " return [Math.floor(r.left + scrollX), Math.floor(r.top + scrollY)]; }"
            )
            assert differing_share(shot, alone, left, top) <= 0.02, (label, name, selector)
            colours = alone.getcolors(maxcolors=alone.width * alone.height) or ()
            assert len(colours) > 10, f"{selector} is blank in {path}"
    context.close()


def test_each_colour_scheme_uses_its_own_background(browser, served):
    backgrounds = {}
    for scheme in ("light", "dark"):
        context = browser.new_context(color_scheme=scheme)
        tab = context.new_page()
        tab.goto(f"{served.url}/")
        backgrounds[scheme] = js(tab, "return getComputedStyle(document.body).backgroundColor;")
        context.close()
        assert backgrounds[scheme] == stylesheet_colours(scheme)["--color-background"]
    assert backgrounds["light"] != backgrounds["dark"]
