"""The build benchmark runs on a fresh clone, and a failed build shows its own error."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BENCHMARKS = REPO / "tests" / "benchmarks"


def run_python(code: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )


def guard(cwd: Path, limit: str) -> subprocess.CompletedProcess:
    """The CI guard on a synthetic site of 3 questions, one paired round."""
    script = str(BENCHMARKS / "build_speed.py")
    return subprocess.run(
        [sys.executable, script, "--sizes", "3", "--rounds", "1", "--max-ratio", limit],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_guard_builds_the_synthetic_site_both_ways_prints_its_table_and_fails_above(tmp_path):
    done = guard(tmp_path, "0.01")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "| round | a plain | b full | b/a |" in done.stdout
    assert "ABOVE the limit 0.01" in done.stdout


def test_the_guard_passes_when_its_best_round_is_within_the_limit(capsys, monkeypatch):
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    import build_speed

    assert build_speed.verdict([1.5, 1.2, 1.6], 1.3) == 0
    assert "best round 1.20 (median 1.50), within the limit 1.3" in capsys.readouterr().out
    assert build_speed.verdict([1.5, 1.4, 1.6], 1.3) == 1
    assert "best round 1.40 (median 1.50), ABOVE the limit 1.3" in capsys.readouterr().out


def test_a_failed_build_stops_the_benchmark_with_the_build_s_own_error(tmp_path):
    # A synthetic site whose first question has lost its summary.
    done = run_python(
        f"""
        import sys
        from pathlib import Path
        sys.path.insert(0, {str(BENCHMARKS)!r})
        import build_speed
        settings = build_speed.site_settings(2, Path({str(tmp_path)!r}))
        question = Path({str(tmp_path)!r}) / "content-2" / "faq" / "q-0001.md"
        lines = question.read_text(encoding="utf-8").splitlines(keepends=True)
        question.write_text("".join(l for l in lines if not l.startswith("summary:")))
        try:
            build_speed.measure(build_speed.pelican(settings["b"]), Path({str(tmp_path)!r}))
        except build_speed.BuildFailed as error:
            print(error)
        """,
        tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert "settings-b-2.py" in done.stdout
    assert "failed (exit 1)" in done.stdout
    assert "q-0001.md" in done.stdout
    assert "summary" in done.stdout


def test_the_pathological_table_times_the_site_s_own_steps_without_an_error():
    # The steps that call the plugin's code with the site's settings: a changed
    # signature shows as an error in a cell, which must not pass unseen.
    result = subprocess.run(
        [
            sys.executable,
            str(BENCHMARKS / "pathological.py"),
            "--steps",
            "placeholders",
            "--limit",
            "5",
            "--shapes",
            "2",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    rows = [
        line for line in result.stdout.splitlines() if line.startswith("| ") and "---" not in line
    ]
    assert len(rows) == 3, result.stdout  # the header and the two answers
    assert not [row for row in rows if "Error" in row], result.stdout
