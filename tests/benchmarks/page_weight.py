"""Page weight: bytes of each page and its stylesheet, raw and compressed, and requests.

Run: uv run invoke weight. Prints a Markdown table. Target: under 14 KB compressed
per page (HTML + CSS, one TCP initial window) and at most 2 requests.
"""

from __future__ import annotations

import gzip
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import brotli
from bs4 import BeautifulSoup
from sites import production_build

BUDGET = 14 * 1024
REQUESTS_BUDGET = 2


def sizes(data: bytes) -> tuple[int, int, int]:
    return len(data), len(gzip.compress(data, 9)), len(brotli.compress(data, quality=11))


def page_resources(html: str) -> list[str]:
    """Paths a browser fetches to render the page (icons apart: fetched once per site)."""
    soup = BeautifulSoup(html, "html.parser")
    urls = [link["href"] for link in soup.select('link[rel~="stylesheet"]')]
    urls += [tag["src"] for tag in soup.select("img[src], script[src], iframe[src], video[src]")]
    return [urlsplit(url).path for url in urls]


def weigh(output: Path) -> list[dict]:
    rows = []
    for page in sorted(output.glob("*.html")):
        html = page.read_bytes()
        resources = page_resources(html.decode("utf-8"))
        css = b"".join(
            (output / path.lstrip("/")).read_bytes() for path in resources if path.endswith(".css")
        )
        html_sizes, css_sizes = sizes(html), sizes(css)
        rows.append(
            {
                "page": page.name,
                "html": html_sizes,
                "css": css_sizes,
                "total_gzip": html_sizes[1] + css_sizes[1],
                "total_br": html_sizes[2] + css_sizes[2],
                "requests": 1 + len(resources),
            }
        )
    return rows


def table(rows: list[dict]) -> str:
    kb = lambda n: f"{n / 1024:.1f}"  # noqa: E731
    lines = [
        "| page | HTML raw / gzip / br (KB) | CSS raw / gzip / br (KB) | total gzip (KB)"
        " | total br (KB) | requests | within budget |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for row in rows:
        ok = row["total_gzip"] <= BUDGET and row["requests"] <= REQUESTS_BUDGET
        lines.append(
            f"| {row['page']} | {' / '.join(map(kb, row['html']))} | "
            f"{' / '.join(map(kb, row['css']))} | {kb(row['total_gzip'])} | "
            f"{kb(row['total_br'])} | {row['requests']} | {'yes' if ok else 'NO'} |"
        )
    return "\n".join(lines)


def main() -> int:
    with tempfile.TemporaryDirectory() as scratch:
        rows = weigh(production_build(Path(scratch) / "output"))
    print(table(rows))
    print(
        f"\nBudget: {BUDGET // 1024} KB compressed (gzip) per page, HTML + CSS; "
        f"at most {REQUESTS_BUDGET} requests. Icons are not counted: a browser fetches "
        "them once per site and caches them."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
