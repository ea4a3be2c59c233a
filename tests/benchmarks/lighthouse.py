"""Lighthouse scores of every page, mobile and desktop, served by a real Apache over HTTPS.

Run: uv run invoke lighthouse. Builds the site for production with its public
address set to the local Apache, serves it with the generated .htaccess (so
headers, compression and caching count), runs Lighthouse 12 (pinned in
tests/benchmarks/package-lock.json) in Debian's Chromium, and prints a table.
Target: 100 in all four categories.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from servers import ApacheServer
from sites import production_build

HERE = Path(__file__).resolve().parent
LIGHTHOUSE = HERE / "node_modules" / ".bin" / "lighthouse"
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
PAGES = ["/", "/contact.html", "/mentions-legales.html", "/confidentialite.html"]
CHROME_FLAGS = (
    "--headless=new --no-sandbox --disable-gpu --ignore-certificate-errors "
    "--disable-background-networking --disable-component-update --disable-sync "
    "--no-first-run"
)


def run_lighthouse(url: str, form_factor: str, report: Path) -> dict:
    command = [
        str(LIGHTHOUSE),
        url,
        "--quiet",
        "--output=json",
        f"--output-path={report}",
        f"--chrome-flags={CHROME_FLAGS}",
        "--only-categories=" + ",".join(CATEGORIES),
    ]
    if form_factor == "desktop":
        command.append("--preset=desktop")
    subprocess.run(
        command,
        check=True,
        env={**os.environ, "CHROME_PATH": "/usr/bin/chromium"},
        capture_output=True,
        timeout=300,
    )
    result = json.loads(report.read_text())
    scores = {key: round(result["categories"][key]["score"] * 100) for key in CATEGORIES}
    weighted = {
        ref["id"]
        for key in CATEGORIES
        for ref in result["categories"][key]["auditRefs"]
        if ref["weight"] > 0
    }
    audits = result["audits"]
    lost = [
        f"{audit_id}: {audits[audit_id].get('explanation') or audits[audit_id]['title']}"
        for audit_id in sorted(weighted)
        if (audits[audit_id].get("score") or 1) < 1
    ]
    return {"scores": scores, "lost": lost}


def main() -> int:
    if not LIGHTHOUSE.exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=HERE, check=True)
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        scratch.chmod(0o755)
        server_root = scratch / "apache"
        server_root.mkdir()
        (scratch / "output").mkdir()
        # Apache first: the site's public address is the port it listens on.
        apache = ApacheServer(server_root, scratch, scratch / "output")
        try:
            site_url = apache.https_url
            production_build(scratch / "output", site_url)
            for path in (scratch / "output").rglob("*"):
                path.chmod(0o755 if path.is_dir() else 0o644)
            (scratch / "output").chmod(0o755)
            rows = []
            for page in PAGES:
                for form_factor in ("mobile", "desktop"):
                    report = scratch / f"report-{form_factor}.json"
                    rows.append(
                        (page, form_factor, run_lighthouse(site_url + page, form_factor, report))
                    )
        finally:
            apache.stop()
    print("| page | form factor | performance | accessibility | best practices | SEO |")
    print("| --- | --- | --- | --- | --- | --- |")
    for page, form_factor, result in rows:
        scores = result["scores"]
        print(
            f"| {page} | {form_factor} | " + " | ".join(str(scores[c]) for c in CATEGORIES) + " |"
        )
    losses = sorted({item for _, _, result in rows for item in result["lost"]})
    print("\nAudits not passed: " + (", ".join(losses) if losses else "none"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
