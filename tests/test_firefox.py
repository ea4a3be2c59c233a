"""Debian's Firefox ESR: a headless screenshot, and Marionette for anchors and axe."""

from __future__ import annotations

import os
import signal
import subprocess

import pytest
from browsing import (
    AXE_RUN_ASYNC,
    PAGES,
    SCROLL_Y,
    TOP_OF,
    axe_source,
    format_violations,
    png_colour_count,
)
from servers import free_port, require, wait_for, wait_for_port
from support import faq_sources

FIREFOX = "firefox-esr"
# A quiet profile: no update, telemetry, experiments or other traffic.
PREFS = {
    "app.update.enabled": False,
    "app.normandy.enabled": False,
    "browser.shell.checkDefaultBrowser": False,
    "browser.startup.homepage_override.mstone": "ignore",
    "datareporting.policy.dataSubmissionEnabled": False,
    "toolkit.telemetry.enabled": False,
    "network.captive-portal-service.enabled": False,
    "network.connectivity-service.enabled": False,
    "browser.safebrowsing.malware.enabled": False,
    "browser.safebrowsing.phishing.enabled": False,
    "messaging-system.rsexperimentloader.enabled": False,
    "services.settings.server": "data:,",
    "extensions.update.enabled": False,
}


def pref_value(value):
    """A preference's value as user.js writes it: booleans in lower case."""
    return str(value).lower() if isinstance(value, bool) else repr(value)


def profile(folder, **extra):
    folder.mkdir(parents=True, exist_ok=True)
    prefs = {**PREFS, **extra}
    (folder / "user.js").write_text(
        "".join(
            f"user_pref({name!r}, {pref_value(value)});\n".replace("'", '"')
            for name, value in prefs.items()
        )
    )
    return folder


@pytest.fixture(scope="module")
def firefox(tmp_path_factory):
    """One Firefox under Marionette for the module, stopped by its process group."""
    require(FIREFOX)
    from marionette_driver.marionette import Marionette

    root = tmp_path_factory.mktemp("firefox")
    port = free_port()
    log = root / "firefox.log"
    process = subprocess.Popen(
        # System access lets the test switch the colour scheme through a preference.
        [
            FIREFOX,
            "--headless",
            "--marionette",
            "--remote-allow-system-access",
            "--no-remote",
            "--profile",
            str(profile(root / "profile", **{"marionette.port": port})),
        ],
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wait_for_port(port, process, log, seconds=60)
        client = Marionette(host="127.0.0.1", port=port)
        client.start_session()
        client.set_window_rect(width=1280, height=800)
        yield client
        client.delete_session()
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def test_headless_screenshot_is_not_blank(served, tmp_path):
    require(FIREFOX)
    shot = tmp_path / "home.png"
    subprocess.run(
        [
            FIREFOX,
            "--headless",
            "--no-remote",
            "--profile",
            str(profile(tmp_path / "profile")),
            "--window-size=1280,1000",
            "--screenshot",
            str(shot),
            f"{served.url}/",
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    assert shot.is_file()
    assert png_colour_count(shot) > 20, "Firefox rendered a blank page"


def set_scheme(firefox, scheme):
    with firefox.using_context("chrome"):
        firefox.set_pref(
            "layout.css.prefers-color-scheme.content-override", 0 if scheme == "dark" else 1
        )


# Not `content`, nor the table of contents below: what Firefox is checked for
# here (contrast, names, landmarks; following an anchor) is the theme's and the
# browser's, the same on an edited copy, where Chromium runs axe on the pages
# of the content and follows the new question's anchors.
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_in_firefox(firefox, served, scheme):
    set_scheme(firefox, scheme)
    source = axe_source()
    for name in PAGES:
        firefox.navigate(f"{served.url}/{name}")
        # Marionette runs each script in its own scope: inject axe and run it in one.
        violations = firefox.execute_async_script(
            f"{source}\n{AXE_RUN_ASYNC}", script_timeout=60_000
        )
        assert violations == [], f"{name} ({scheme}):\n{format_violations(violations)}"


def test_table_of_contents_and_back_to_top_in_firefox(firefox, served):
    set_scheme(firefox, "light")
    firefox.navigate(f"{served.url}/")
    anchors = firefox.execute_script(
        "return [...document.querySelectorAll('nav.toc a')].map(a => a.hash.slice(1));"
    )
    assert anchors == [question.anchor for question in faq_sources()]
    for anchor in anchors:
        firefox.navigate(f"{served.url}/")
        firefox.execute_script(f"document.querySelector('nav.toc a[href=\"#{anchor}\"]').click();")
        wait_for(
            lambda anchor=anchor: abs(firefox.execute_script(TOP_OF, script_args=[anchor])) <= 2,
            5,
            anchor,
        )
        assert firefox.execute_script(SCROLL_Y) > 0
        firefox.execute_script(
            f"document.getElementById('{anchor}').closest('section')"
            ".querySelector('.back-to-top a').click();"
        )
        wait_for(lambda: firefox.execute_script(SCROLL_Y) == 0, 5, "the scroll back to the top")


def test_axe_in_firefox_would_catch_a_violation(firefox, served):
    firefox.navigate(f"{served.url}/contact.html")
    firefox.execute_script("document.documentElement.removeAttribute('lang');")
    violations = firefox.execute_async_script(
        f"{axe_source()}\n{AXE_RUN_ASYNC}", script_timeout=60_000
    )
    assert "html-has-lang" in {v["id"] for v in violations}


def test_the_colour_scheme_preference_switches_the_theme(firefox, served):
    colours = {}
    for scheme in ("light", "dark"):
        set_scheme(firefox, scheme)
        firefox.navigate(f"{served.url}/")
        colours[scheme] = firefox.execute_script(
            "return getComputedStyle(document.body).backgroundColor;"
        )
    set_scheme(firefox, "light")
    assert colours["light"] == "rgb(255, 255, 255)"
    assert colours["dark"] != colours["light"]
