"""The live preview in Debian's Chromium: errors and findings show in the open page."""

from __future__ import annotations

import re

import pytest
from browsing import CHROMIUM, PLAYWRIGHT_CHROMIUM_ARGS
from previewing import Served, first_question
from servers import require, wait_for
from support import copy_project

# How long a page may take to show a rebuild, in milliseconds: generous, for a busy machine.
SHOWN_WITHIN_MS = 30_000
# The error page's heading.
FAILED = "Le site n\u2019a pas pu être construit"
# The page's script has its socket open: it hears of the next build.
CONNECTED = "() => document.documentElement.dataset.previewConnected === 'yes'"


@pytest.fixture(scope="module")
def browser():
    """One Chromium for the whole module."""
    require(CHROMIUM)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=PLAYWRIGHT_CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def preview_site(tmp_path):
    server = Served(copy_project(tmp_path / "site"))
    wait_for(lambda: "Serving on" in server.log(), seconds=120, details=server.log)
    yield server
    server.stop()


@pytest.fixture
def tab(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    yield page
    context.close()


def open_and_connected(tab, url: str) -> None:
    tab.goto(url)
    tab.wait_for_function(CONNECTED, timeout=SHOWN_WITHIN_MS)


def test_a_broken_question_shows_in_the_open_page_until_it_is_fixed(tab, preview_site):
    from playwright.sync_api import expect

    question, front_matter = first_question(preview_site.root)
    good = question.read_text(encoding="utf-8")
    first_words = front_matter["title"].split()[0]
    open_and_connected(tab, preview_site.url)
    expect(tab.locator("main")).to_contain_text(first_words)

    question.write_text(re.sub(r"(?m)^position: \d+$", "position: cinq", good), encoding="utf-8")
    # No reload from the test: the page reloads itself with the error page.
    expect(tab.locator("h1")).to_have_text(FAILED, timeout=SHOWN_WITHIN_MS)
    problem = tab.locator("main li").filter(has_text=f"content/faq/{question.name}:")
    expect(problem).to_contain_text("position: expected a whole number")
    # In the site's style: its stylesheet is the one the error page uses.
    assert tab.evaluate("document.styleSheets.length") >= 1
    font = tab.evaluate("getComputedStyle(document.body).fontFamily")
    assert "system-ui" in font

    tab.wait_for_function(CONNECTED, timeout=SHOWN_WITHIN_MS)
    question.write_text(good, encoding="utf-8")
    expect(tab.locator("main")).to_contain_text(first_words, timeout=SHOWN_WITHIN_MS)
    expect(tab.locator("h1")).not_to_have_text(FAILED)


def test_a_broken_link_shows_as_a_finding_on_its_page(tab, preview_site):
    from playwright.sync_api import expect

    question, _ = first_question(preview_site.root)
    good = question.read_text(encoding="utf-8")
    open_and_connected(tab, preview_site.url)
    expect(tab.locator("dialog.dev-findings")).to_have_count(0)

    question.write_text(good + "\nNos [factures](/factures.html) sont mensuelles.\n")
    banner = tab.locator("dialog.dev-findings")
    expect(banner).to_be_visible(timeout=SHOWN_WITHIN_MS)
    expect(banner).to_contain_text(f"content/faq/{question.name}:")
    expect(banner).to_contain_text("/factures.html: no file")
    # Another page has no such finding, and no banner.
    other = tab.context.new_page()
    other.goto(preview_site.url + "contact.html")
    expect(other.locator("dialog.dev-findings")).to_have_count(0)
    other.close()

    # The banner closes without a script of the site's.
    banner.get_by_role("button", name="Fermer").click()
    expect(banner).to_be_hidden()
