"""Run the rules over a built site."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlsplit

from bs4 import BeautifulSoup, Tag

from .core import Finding, Site, format_report, locate_in_sources
from .inputs import GateInputs
from .registry import RULES
from .rules import external_urls


def as_site(built: Path | Site) -> Site:
    """A built folder, read once: callers that run several passes pass the Site."""
    return built if isinstance(built, Site) else Site(built)


def check_site(
    built: Path | Site, rules: Iterable[str] = tuple(RULES), inputs: GateInputs | None = None
) -> list[Finding]:
    """Return every finding of `rules` on the site built in a folder, located in its sources."""
    selected = tuple(rules)
    unknown = set(selected) - set(RULES)
    if unknown:
        raise ValueError(f"unknown rule {', '.join(sorted(unknown))}; rules: {', '.join(RULES)}")
    inputs = inputs or GateInputs()
    site = as_site(built)
    findings: list[Finding] = []
    for name, rule in RULES.items():
        if name in selected:
            findings += rule.check(site, inputs)
    return locate_in_sources(findings, inputs.content_dir, site=site)


def canonical_address(built: Path) -> str:
    """The address a built site states as its own: its home page's canonical URL, without /.

    A folder built elsewhere (a production build) is checked against its own
    address, so that its absolute links to itself are internal links.
    """
    home = built / "index.html"
    if not home.is_file():
        return ""
    link = BeautifulSoup(home.read_bytes(), "html.parser").find("link", rel="canonical")
    href = link.get("href") if isinstance(link, Tag) else None
    if not isinstance(href, str):
        return ""
    parts = urlsplit(href)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def external_links(built: Path | Site, site_url: str = "") -> dict[str, list[str]]:
    """Return each external URL of the site with the pages that link to it."""
    netloc = urlsplit(site_url).netloc
    links: dict[str, list[str]] = {}
    for page in as_site(built).pages.values():
        for url in external_urls(page, netloc):
            links.setdefault(url, [])
            if page.name not in links[url]:
                links[url].append(page.name)
    return links


def fetch_external(links: dict[str, list[str]], timeout: float = 10.0) -> list[Finding]:
    """Fetch each external URL; return a finding for each that does not answer 2xx/3xx."""
    findings: list[Finding] = []
    for url, pages in sorted(links.items()):
        request = urllib.request.Request(
            url, method="HEAD", headers={"User-Agent": "cimw-site-check"}
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout):
                continue
        except urllib.error.HTTPError as error:
            problem = f"HTTP {error.code}"
        except (urllib.error.URLError, OSError) as error:
            problem = str(getattr(error, "reason", error))
        findings += [Finding(page, 1, "external", f"{url}: {problem}") for page in pages]
    return findings


def run_gate(
    built: Path,
    inputs: GateInputs,
    rules: Iterable[str] = tuple(RULES),
    *,
    external: bool = False,
) -> list[Finding]:
    """Run the quality gate on a built folder; print the report; return the findings."""
    site = Site(built)  # read and parsed once for the rules and the link list
    findings = check_site(site, rules, inputs)
    links = external_links(site, inputs.site_url)
    if external:
        findings += fetch_external(links)
    if links:
        state = "fetched" if external else "not fetched; --external fetches them"
        print(f"External links ({state}):")
        for url, pages in sorted(links.items()):
            print(f"  {url}  ({', '.join(pages)})")
    print(format_report(findings), flush=True)
    return findings
