"""Atomic deploys over SSH: releases side by side, a symlink switched in one step.

The server's base folder holds `releases/<id>/` and the live docroot, a
symlink to one of them. A publish uploads into `releases/<id>.partial/`
(unchanged files hard-linked from the live release), verifies every file
against a checksum manifest, renames the folder, then replaces the symlink
with `mv -T`, which is atomic: visitors see the old site or the new one, never
a mix. A lock folder on the server keeps two publishes apart.

Not a Pelican plugin: `tasks.py` calls it after the production build and the
quality gate.
"""

from __future__ import annotations

import datetime
import hashlib
import re
import socket
import subprocess
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from .remote import DeployError, Target, parse_target, rsync_command, run_remote

__all__ = ["DeployError", "Server", "Target", "parse_target", "publish", "rollback"]

MANIFEST = ".manifest.sha256"
LOCK = ".publish.lock"
RELEASE_ID_RE = re.compile(r"\d{8}-\d{6}-\d{6}")

ACQUIRE = r"""
set -eu
base=$1; live=$2; owner=$3
command -v rsync >/dev/null 2>&1 || { echo "rsync is not installed on the server" >&2; exit 3; }
mkdir -p "$base/releases"
if [ -e "$base/$live" ] && [ ! -L "$base/$live" ]; then
  echo "$base/$live is a folder, not a symlink" >&2; exit 5
fi
if ! mkdir "$base/.publish.lock" 2>/dev/null; then
  cat "$base/.publish.lock/owner" 2>/dev/null || echo "unknown"
  exit 4
fi
printf '%s\n' "$owner" > "$base/.publish.lock/owner"
for partial in "$base"/releases/*.partial; do
  if [ -e "$partial" ]; then rm -rf "$partial"; fi
done
if [ -L "$base/$live" ]; then readlink "$base/$live"; fi
"""
STATE = r"""
base=$1; live=$2
if [ -L "$base/$live" ]; then readlink "$base/$live"; fi
echo --
if [ -d "$base/releases" ]; then ls -1 "$base/releases"; fi
"""
RELEASE_LOCK = r"""rm -rf "$1/.publish.lock" """
UNLOCK = r"""
if [ -d "$1/.publish.lock" ]; then cat "$1/.publish.lock/owner" 2>/dev/null; rm -rf "$1/.publish.lock"
else exit 7; fi
"""
CHECKSUMS = r"""
cd "$1" && find . -type f ! -name .manifest.sha256 -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum
"""
FINALIZE = r"""set -eu; mv "$1/releases/$2.partial" "$1/releases/$2" """
SWITCH = r"""
set -eu
base=$1; live=$2; id=$3
[ -d "$base/releases/$id" ] || { echo "there is no release $id on the server" >&2; exit 6; }
ln -sfn "releases/$id" "$base/.$live.new"
mv -T "$base/.$live.new" "$base/$live"
"""
REMOVE = r"""
set -eu
cd "$1/releases"; shift
rm -rf -- "$@"
"""


def new_release_id(now: datetime.datetime | None = None) -> str:
    """A release id that sorts by time: 20261126-061850-123456 (UTC)."""
    now = now or datetime.datetime.now(datetime.UTC)
    return now.strftime("%Y%m%d-%H%M%S-%f")


def file_checksums(folder: Path) -> dict[str, str]:
    """SHA-256 of every file under `folder` but the manifest, keyed like sha256sum's './path'."""
    checksums = {}
    for path in sorted(p for p in Path(folder).rglob("*") if p.is_file()):
        relative = "./" + path.relative_to(folder).as_posix()
        if relative != f"./{MANIFEST}":
            checksums[relative] = hashlib.sha256(path.read_bytes()).hexdigest()
    return checksums


def manifest_text(checksums: dict[str, str]) -> str:
    return "".join(f"{digest}  {name}\n" for name, digest in sorted(checksums.items()))


def parse_manifest(text: str) -> dict[str, str]:
    checksums = {}
    for line in text.splitlines():
        digest, _, name = line.partition("  ")
        if name:
            checksums[name] = digest
    return checksums


def manifest_differences(expected: dict[str, str], found: dict[str, str]) -> list[str]:
    """Describe each file that is missing, extra or different on the server."""
    problems = [f"missing: {name}" for name in sorted(expected.keys() - found.keys())]
    problems += [f"unexpected: {name}" for name in sorted(found.keys() - expected.keys())]
    problems += [
        f"different: {name}"
        for name in sorted(expected.keys() & found.keys())
        if expected[name] != found[name]
    ]
    return problems


def previous_release(releases: list[str], live: str | None) -> str | None:
    """The newest release older than the live one."""
    older = [
        r for r in sorted(releases) if RELEASE_ID_RE.fullmatch(r) and (live is None or r < live)
    ]
    return older[-1] if older else None


def prune_plan(releases: list[str], live: str | None, keep: int) -> list[str]:
    """The releases to delete: all but the newest `keep`, the live and the previous one."""
    finished = sorted(r for r in releases if RELEASE_ID_RE.fullmatch(r))
    kept = set(finished[-keep:]) if keep > 0 else set()
    kept |= {live, previous_release(finished, live)}
    return [r for r in finished if r not in kept]


@dataclass
class Server:
    """The deploy operations on one target."""

    target: Target
    live_link: str = "www"

    def acquire(self, owner: str) -> str | None:
        """Check the server, take the lock, clear unfinished uploads; return the live id."""
        result = run_remote(
            self.target, ACQUIRE, self.target.base, self.live_link, owner, check=False
        )
        if result.returncode == 3:
            raise DeployError(
                f"rsync is not installed on {self.target.host}: ask the host "
                "to install it. Nothing was published."
            )
        if result.returncode == 4:
            raise DeployError(
                f"another publish holds the lock on {self.target} "
                f"({result.stdout.strip()}). If none is running, clear it with: "
                "uv run invoke unlock. Nothing was published."
            )
        if result.returncode == 5:
            raise DeployError(
                f"{self.target.base}/{self.live_link} is a folder, not a symlink: move it "
                "aside (the host's docroot must be the symlink, see the README). "
                "Nothing was published."
            )
        if result.returncode != 0:
            raise DeployError(f"on {self.target.host}: {result.stderr.strip()}")
        return release_name(result.stdout.strip())

    def release_lock(self) -> None:
        run_remote(self.target, RELEASE_LOCK, self.target.base)

    def unlock(self) -> str | None:
        """Clear the lock; return who held it, or None if there was none."""
        result = run_remote(self.target, UNLOCK, self.target.base, check=False)
        return result.stdout.strip() or "unknown" if result.returncode == 0 else None

    def state(self) -> tuple[str | None, list[str]]:
        """The live release id and every release on the server."""
        out = run_remote(self.target, STATE, self.target.base, self.live_link).stdout
        live, _, listing = out.partition("--\n")
        releases = [line for line in listing.splitlines() if line.strip()]
        return release_name(live.strip()), releases

    def upload(self, output: Path, release_id: str, live: str | None) -> None:
        """rsync the build into releases/<id>.partial/, hard-linking what the live one has."""
        options = [
            "--recursive",
            "--links",
            "--perms",
            "--chmod=D755,F644",
            "--checksum",
            "--delete",
            "--info=progress2",
            "--stats",
        ]
        # Pelican rewrites every mtime, so files are compared by checksum, and
        # times are not kept: a new mtime would stop rsync from linking a file.
        if live:
            options.append(f"--link-dest=../{live}")
        command = rsync_command(
            self.target, f"{output}/", f"{self.target.base}/releases/{release_id}.partial/", options
        )
        if subprocess.run(command, check=False).returncode != 0:
            raise DeployError(
                "the upload did not finish; the live site was not changed. Publish again to retry."
            )

    def checksums(self, folder: str) -> dict[str, str]:
        result = run_remote(self.target, CHECKSUMS, f"{self.target.base}/releases/{folder}")
        return parse_manifest(result.stdout)

    def finalize(self, release_id: str) -> None:
        run_remote(self.target, FINALIZE, self.target.base, release_id)

    def switch(self, release_id: str) -> None:
        run_remote(self.target, SWITCH, self.target.base, self.live_link, release_id)

    def remove(self, releases: list[str]) -> None:
        if releases:
            run_remote(self.target, REMOVE, self.target.base, *releases)

    def dry_run(self, output: Path, live: str | None) -> str:
        """What a publish would change, compared with the live release; nothing is written."""
        if live is None:
            return "No live release yet: every file would be uploaded."
        options = [
            "--recursive",
            "--links",
            "--checksum",
            "--delete",
            "--dry-run",
            "--itemize-changes",
            "--exclude",
            MANIFEST,
        ]
        command = rsync_command(
            self.target, f"{output}/", f"{self.target.base}/releases/{live}/", options
        )
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise DeployError(f"rsync --dry-run failed: {result.stderr.strip()}")
        return result.stdout.strip() or "Nothing would change."


def release_name(link: str) -> str | None:
    """'releases/20261126-…' -> '20261126-…'."""
    return link.rsplit("/", 1)[-1] if link else None


def fetch_release_id(url: str, timeout: float = 10.0) -> tuple[str, str]:
    """Ask the public site which release it serves: ('ok', id), ('unreachable', why) or ('error', why)."""
    request = urllib.request.Request(
        f"{url.rstrip('/')}/version.txt", headers={"Cache-Control": "no-cache"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return "ok", response.read().decode("utf-8", "replace").strip()
    except urllib.error.HTTPError as error:
        return "error", f"HTTP {error.code}"
    except (TimeoutError, urllib.error.URLError, OSError) as error:
        return "unreachable", str(getattr(error, "reason", error))


def publish(
    output: Path,
    target: Target,
    release_id: str,
    *,
    live_link: str = "www",
    check_url: str = "",
    keep: int = 5,
    owner: str = "",
    log=print,
) -> str:
    """Upload, verify, switch and check one release; return its id."""
    output = Path(output)
    expected = file_checksums(output)
    (output / MANIFEST).write_text(manifest_text(expected), encoding="utf-8")
    server = Server(target, live_link)
    live = server.acquire(owner or release_id)
    try:
        log(
            f"Uploading release {release_id} to {target} "
            f"({'reusing ' + live if live else 'first release'})"
        )
        server.upload(output, release_id, live)
        problems = manifest_differences(expected, server.checksums(f"{release_id}.partial"))
        if problems:
            raise DeployError(
                f"the upload does not match the build ({len(problems)} files): "
                + "; ".join(problems[:10])
                + ". The live site was not changed."
            )
        server.finalize(release_id)
        server.switch(release_id)
        log(f"Release {release_id} is live.")
        if check_url:
            status, served = fetch_release_id(check_url)
            if status == "unreachable":
                log(
                    f"Warning: {check_url} is not reachable from here ({served}); "
                    "the new release was not checked."
                )
            elif served != release_id:
                what = served if status == "error" else f"release {served!r}"
                if live:
                    server.switch(live)
                    raise DeployError(
                        f"{check_url} answered {what} instead of {release_id}: "
                        f"switched back to {live}."
                    )
                raise DeployError(
                    f"{check_url} answered {what} instead of {release_id}, "
                    "and there is no earlier release to switch back to."
                )
            else:
                log(f"Checked: {check_url} serves release {release_id}.")
        _, releases = server.state()
        doomed = prune_plan(releases, release_id, keep)
        server.remove(doomed)
        if doomed:
            log(f"Removed old releases: {', '.join(doomed)}")
    finally:
        server.release_lock()
    return release_id


def rollback(
    target: Target, release: str = "", *, live_link: str = "www", owner: str = "", log=print
) -> str:
    """Switch the live site to the previous release, or to `release`; return it."""
    if release and not RELEASE_ID_RE.fullmatch(release):
        raise DeployError(f"{release!r} is not a release id (like 20261126-061850-123456)")
    server = Server(target, live_link)
    live = server.acquire(owner or "rollback")
    try:
        _, releases = server.state()
        chosen = release or previous_release(releases, live)
        if chosen is None:
            raise DeployError(f"there is no release older than {live} to roll back to")
        if chosen not in releases:
            raise DeployError(
                f"there is no release {chosen} on {target}; uv run invoke releases lists them"
            )
        server.switch(chosen)
        log(f"Release {chosen} is live (was {live}).")
        return chosen
    finally:
        server.release_lock()
