"""Production builds of the real site for the benchmarks."""

from __future__ import annotations

import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parent.parent
REPO = TESTS.parent
sys.path[:0] = [str(TESTS), str(REPO), str(REPO / "plugins")]

from samples import COMPANY_VAT  # noqa: E402

from project import build as pelican_build  # noqa: E402


def production_build(output: Path, site_url: str | None = None) -> Path:
    """Build the site as `publish` does, with test legal details, into `output`."""
    url = site_url or COMPANY_VAT["SITE_PUBLIC_URL"]
    pelican_build(
        REPO / "publishconf.py",
        {
            **COMPANY_VAT,
            "SITE_PUBLIC_URL": url,
            "SITEURL": url,
            "OUTPUT_PATH": str(output),
            "CACHE_PATH": str(output.parent / "cache"),
        },
    )
    return output
