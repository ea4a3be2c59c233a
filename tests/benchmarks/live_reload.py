"""Edit to page: how long `./run serve` takes to serve an edited question.

Run: ./run bench (after the build table). Starts `./run serve` on a
copy of the site, then edits one question several times; each time it polls
the page every 10 ms until the edit is served, and prints the median and the
range. The browser reloads when the rebuild ends, so this is the wait an
author sees. Target: a tenth of a second (median).
"""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from sites import REPO

sys.path.insert(0, str(REPO / "tests"))
from servers import free_port
from support import copy_project

EDITS = 7


def fetch(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.read().decode("utf-8")
    except OSError:
        return ""


def main() -> int:
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        copy_project(root)
        port = free_port()
        url = f"http://localhost:{port}/"
        process = subprocess.Popen(
            [sys.executable, "-m", "invoke", "serve", "--port", str(port)],
            cwd=root,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + 60
            while "Combien" not in fetch(url) and time.monotonic() < deadline:
                time.sleep(0.1)
            answer = root / "content" / "faq" / "05-combien-ca-coute.md"
            original = answer.read_text(encoding="utf-8")
            waits = []
            for edit in range(EDITS):
                marker = f"Relecture numéro {edit}"
                time.sleep(1.5)  # let the server settle between edits
                start = time.perf_counter()
                answer.write_text(original + f"\n{marker}.\n", encoding="utf-8")
                while marker not in fetch(url):
                    if time.perf_counter() - start > 30:
                        raise RuntimeError("the edit was never served")
                    time.sleep(0.01)
                waits.append(time.perf_counter() - start)
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=10)
    print("| edits | median (s) | min (s) | max (s) |")
    print("| --- | --- | --- | --- |")
    print(f"| {EDITS} | {statistics.median(waits):.2f} | {min(waits):.2f} | {max(waits):.2f} |")
    print(
        "\nFrom saving a question to the page serving it, through `./run serve`. "
        "Target: 0.1 s (median)."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
