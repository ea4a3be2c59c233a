"""Run the rules over a built site."""

from __future__ import annotations

import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

from .core import Finding, Site, format_report, locate_in_sources
from .grammar import check_grammar
from .rules import check_document, check_entities, check_links, external_urls
from .spelling import check_spelling
from .typography import check_typography, load_checks
from .validity import check_validity

RULES = ("entities", "spelling", "grammar", "typography", "links", "document", "validity")
# Fast enough to run after every rebuild of `invoke serve`.
FAST_RULES = ("entities", "typography", "links", "document")


def as_site(built: Path | Site) -> Site:
    """A built folder, read once: callers that run several passes pass the Site."""
    return built if isinstance(built, Site) else Site(built)


def check_site(
    built: Path | Site,
    rules=RULES,
    content_dir: Path | None = None,
    word_list: Path | None = None,
    jar: Path | None = None,
    site_url: str = "",
    typography_table: Path | None = None,
    grammar_exceptions: Path | None = None,
) -> list[Finding]:
    """Return every finding of `rules` on the site built in a folder."""
    unknown = set(rules) - set(RULES)
    if unknown:
        raise ValueError(f"unknown rule {', '.join(sorted(unknown))}; rules: {', '.join(RULES)}")
    site = as_site(built)
    if "typography" in rules:
        if typography_table is None:
            raise ValueError("the typography rule needs the path of the typography table")
        typography_checks = load_checks(typography_table)
    netloc = urlsplit(site_url).netloc
    findings: list[Finding] = []
    for page in site.pages.values():
        if "entities" in rules:
            findings += check_entities(page)
        if "typography" in rules:
            findings += check_typography(page, typography_checks)
        if "document" in rules:
            findings += check_document(page, site, netloc)
        if "links" in rules:
            findings += check_links(page, site, netloc)
    if "spelling" in rules:
        word_list = word_list if word_list and Path(word_list).is_file() else None
        findings += check_spelling(list(site.pages.values()), word_list)
    if "grammar" in rules:
        findings += check_grammar(list(site.pages.values()), grammar_exceptions)
    if "validity" in rules:
        if jar is None:
            raise ValueError("the validity rule needs the path of vnu.jar")
        findings += check_validity(site.root, jar)
    return locate_in_sources(findings, content_dir)


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
    findings = []
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
    rules=RULES,
    *,
    site_url: str,
    external: bool = False,
    **inputs: Path | None,
) -> list[Finding]:
    """Run the quality gate on a built folder; print the report; return the findings.

    `inputs` are check_site's files: content_dir, word_list, jar, typography_table,
    grammar_exceptions.
    """
    site = Site(built)  # read and parsed once for the rules and the link list
    findings = check_site(site, rules=rules, site_url=site_url, **inputs)
    links = external_links(site, site_url)
    if external:
        findings += fetch_external(links)
    if links:
        state = "fetched" if external else "not fetched; --external fetches them"
        print(f"External links ({state}):")
        for url, pages in sorted(links.items()):
            print(f"  {url}  ({', '.join(pages)})")
    print(format_report(findings), flush=True)
    return findings
