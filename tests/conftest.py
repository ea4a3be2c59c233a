"""Shared fixtures: the real site built once, sites of sample facts, tiny sites built to fail."""

from __future__ import annotations

import os

import pytest
from samples import COMPANY_VAT, SOLE_TRADER_FRANCHISE, UNCONFIRMED
from support import REPO, BuiltSite, TinySite, build_real_site, made_once, pelican_build


def pytest_xdist_auto_num_workers():
    """`-n auto`: one worker more than the cores.

    A quarter of the suite's time is spent waiting (on a server starting, a
    browser, an upload), with a core idle; the extra worker fills it.
    """
    return len(os.sched_getaffinity(0)) + 1


def pytest_collection_modifyitems(items):
    """Mark the tests over generated inputs (hypothesis) `generated`."""
    for item in items:
        if hasattr(getattr(item, "obj", None), "hypothesis"):
            item.add_marker(pytest.mark.generated)


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> BuiltSite:
    """The real site with the repository's settings, built once per test session."""
    return BuiltSite(made_once(tmp_path_factory, "site", build_real_site) / "output")


@pytest.fixture(scope="session")
def site_unconfirmed(tmp_path_factory) -> BuiltSite:
    """The real site with every fact left to confirm, as a new checkout has them."""
    folder = made_once(
        tmp_path_factory, "unconfirmed", lambda tmp: build_real_site(tmp, **UNCONFIRMED)
    )
    return BuiltSite(folder / "output")


# Both are built as production builds them: refusing any fact left unconfirmed.
@pytest.fixture(scope="session")
def site_filled(tmp_path_factory) -> BuiltSite:
    """The real site of a company charging VAT, every fact filled in."""
    folder = made_once(
        tmp_path_factory,
        "filled",
        lambda tmp: build_real_site(tmp, **COMPANY_VAT, LEGAL_REQUIRE_REAL_VALUES=True),
    )
    return BuiltSite(folder / "output")


@pytest.fixture(scope="session")
def site_ei(tmp_path_factory) -> BuiltSite:
    """The real site of an entrepreneur individuel under the VAT franchise, every fact filled in."""
    folder = made_once(
        tmp_path_factory,
        "ei",
        lambda tmp: build_real_site(tmp, **SOLE_TRADER_FRANCHISE, LEGAL_REQUIRE_REAL_VALUES=True),
    )
    return BuiltSite(folder / "output")


@pytest.fixture
def tiny_site(tmp_path) -> TinySite:
    return TinySite(tmp_path)


def serve_site(built: BuiltSite, tmp_path_factory):
    from browsing import StaticServer

    server = StaticServer(built.output, tmp_path_factory.mktemp("http") / "server.log")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def served(site, tmp_path_factory):
    """The real site served on 127.0.0.1 for the browsers, stopped by its process id."""
    yield from serve_site(site, tmp_path_factory)


@pytest.fixture(scope="session")
def served_filled(site_filled, tmp_path_factory):
    """The company's site, prices with and without VAT, served like `served`."""
    yield from serve_site(site_filled, tmp_path_factory)


@pytest.fixture(scope="session")
def served_ei(site_ei, tmp_path_factory):
    """The entrepreneur individuel's site, served like `served`."""
    yield from serve_site(site_ei, tmp_path_factory)


@pytest.fixture(scope="session")
def sshd(tmp_path_factory):
    """One throwaway OpenSSH server for every publishing test, stopped by its process id."""
    from servers import SshServer

    server = SshServer(tmp_path_factory.mktemp("sshd"))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def release_build(tmp_path_factory) -> BuiltSite:
    """The real site built once with the production settings and the legal fields filled in."""

    def build(tmp):
        settings = {"OUTPUT_PATH": str(tmp / "output"), "CACHE_PATH": str(tmp / "cache")}
        settings.update(COMPANY_VAT, SITEURL=COMPANY_VAT["SITE_PUBLIC_URL"])
        settings["RELEASE_ID"] = "20260101-000000-000000"
        pelican_build(REPO / "publishconf.py", settings)

    return BuiltSite(made_once(tmp_path_factory, "release", build) / "output")
