"""The release model, written once for every transport.

On the server, the base folder holds:

- `releases/<id>/`: one folder per release, never changed once finished;
- `releases/<id>.partial/`: an upload in progress, cleared by the next publish;
- the live symlink (`www` by default), the host's docroot, pointing to
  `releases/<id>`; it is replaced in one atomic step;
- `releases.log`: one line per event (a release went live, failed its check
  after the switch, or was rolled back to), in order. Rollback and pruning
  order releases by when they first went live, as written there, never by
  their ids, which come from the publishing machine's clock;
- `.publish.lock/`: a folder made atomically by the publish that holds it,
  with its owner and the time inside.

Each release carries `.manifest.sha256`, the checksums of the build computed
before the quality gate; the upload is verified against them before the
switch.
"""

from __future__ import annotations

import datetime
import hashlib
import re
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .target import DeployError
from .transport import RemoteError, Transport

MANIFEST = ".manifest.sha256"
LOCK = ".publish.lock"
LOCK_OWNER = f"{LOCK}/owner"
RELEASES = "releases"
HISTORY = "releases.log"
PARTIAL = ".partial"
RELEASE_ID_RE = re.compile(r"\d{8}-\d{6}-\d{6}")
LIVE, FAILED, ROLLBACK = "live", "failed", "rollback"

Log = Callable[[str], None]


def new_release_id(now: datetime.datetime | None = None) -> str:
    """A release id: 20261126-061850-123456 (UTC, from this machine's clock)."""
    now = now or datetime.datetime.now(datetime.UTC)
    return now.strftime("%Y%m%d-%H%M%S-%f")


def utc_now() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# -- checksums -------------------------------------------------------------------


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


def describe(problems: list[str]) -> str:
    shown = "; ".join(problems[:10])
    return f"{shown}; and {len(problems) - 10} more" if len(problems) > 10 else shown


# -- the order of releases ---------------------------------------------------------


@dataclass(frozen=True)
class Event:
    release: str
    what: str
    detail: str = ""


def parse_history(text: str) -> list[Event]:
    """The events of releases.log: '<id> <live|failed|rollback> <time> [detail]'."""
    events = []
    for line in text.splitlines():
        parts = line.split(" ", 3)
        if len(parts) >= 3 and RELEASE_ID_RE.fullmatch(parts[0]):
            events.append(Event(parts[0], parts[1], parts[3] if len(parts) > 3 else ""))
    return events


def history_line(release: str, what: str, detail: str = "") -> str:
    return f"{release} {what} {utc_now()}{' ' + detail if detail else ''}\n"


def live_order(releases: list[str], events: list[Event]) -> list[str]:
    """Finished releases in the order they first went live, the oldest first.

    Releases that releases.log does not know (made before it existed) come
    first, by id.
    """
    finished = {r for r in releases if RELEASE_ID_RE.fullmatch(r)}
    went_live: list[str] = []
    for event in events:
        if event.what == LIVE and event.release in finished and event.release not in went_live:
            went_live.append(event.release)
    return sorted(finished - set(went_live)) + went_live


def failures(events: list[Event]) -> dict[str, str]:
    """The releases that failed their check after the switch, and why."""
    return {e.release: e.detail for e in events if e.what == FAILED}


def previous_release(order: list[str], live: str | None, failed: set[str]) -> str | None:
    """The release that went live before the live one, skipping failed ones."""
    before = order[: order.index(live)] if live in order else []
    good = [r for r in before if r not in failed]
    return good[-1] if good else None


def prune_plan(order: list[str], live: str | None, failed: set[str], keep: int) -> list[str]:
    """The releases to delete: all but the newest `keep`, the live and the previous good one."""
    kept = set(order[-keep:]) if keep > 0 else set()
    kept |= {r for r in (live, previous_release(order, live, failed)) if r}
    return [r for r in order if r not in kept]


# -- the post-switch check -----------------------------------------------------------


def fetch_version(url: str, timeout: float = 10.0) -> tuple[str, str]:
    """Ask the public site what it serves: ('ok', text), ('unreachable', why) or ('error', why)."""
    request = urllib.request.Request(
        f"{url.rstrip('/')}/version.txt", headers={"Cache-Control": "no-cache"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body: bytes = response.read()
            return "ok", body.decode("utf-8", "replace").strip()
    except urllib.error.HTTPError as error:
        return "error", f"HTTP {error.code}"
    except (TimeoutError, urllib.error.URLError, OSError) as error:
        return "unreachable", str(getattr(error, "reason", error))


def release_name(link: str | None) -> str | None:
    """'releases/20261126-…' -> '20261126-…'."""
    return link.rstrip("/").rsplit("/", 1)[-1] if link else None


# -- the model -----------------------------------------------------------------------


@dataclass
class State:
    """What the server holds: the live release, the releases in live order, the failed ones."""

    live: str | None
    order: list[str]
    failed: dict[str, str] = field(default_factory=dict)
    others: list[str] = field(default_factory=list)
    known: set[str] = field(default_factory=set)


class Releases:
    """The releases on one server, through one transport."""

    def __init__(self, transport: Transport, live_link: str = "www", log: Log = print) -> None:
        self.transport = transport
        self.live_link = live_link
        self.log = log

    def __enter__(self) -> Releases:
        self.transport.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.transport.close()

    @property
    def where(self) -> str:
        return str(self.transport.target)

    # -- the lock --------------------------------------------------------------------

    def lock(self, owner: str) -> None:
        """Take the server's lock, or say exactly why not."""
        base = self.transport.target.base
        try:
            self.transport.make_dir(RELEASES, parents=True)
        except RemoteError as error:
            raise DeployError(
                f"cannot create {base}/{RELEASES} on the server ({error.reason}): check that "
                "the base folder of PUBLISH_TARGET is right and writable. Nothing was published."
            ) from None
        if self.transport.kind(self.live_link) in ("dir", "file"):
            raise DeployError(
                f"{base}/{self.live_link} is a folder, not a symlink: move it aside (the host's "
                "docroot must be the symlink, see the README). Nothing was published."
            )
        try:
            self.transport.make_dir(LOCK)
        except RemoteError as error:
            if self.transport.kind(LOCK) is None:
                raise DeployError(
                    f"the base folder {base} is not writable ({error.reason}): the lock "
                    f"{LOCK} cannot be made there. Nothing was published."
                ) from None
            holder = (self.transport.read_text(LOCK_OWNER) or "").strip()
            if not holder:
                raise DeployError(
                    f"a stale lock with no owner is on {self.where} (a publish was stopped "
                    "while taking it). Clear it with: uv run invoke unlock. Nothing was published."
                ) from None
            raise DeployError(
                f"another publish holds the lock on {self.where}: {holder}. If none is "
                "running, clear it with: uv run invoke unlock. Nothing was published."
            ) from None
        try:
            self.transport.write_text(LOCK_OWNER, f"{owner} since {utc_now()}\n")
        except RemoteError as error:
            self.transport.remove([LOCK])
            raise DeployError(
                f"could not write the lock's owner on {self.where} ({error.reason}): is the "
                "server's disk full? Nothing was published."
            ) from None

    def release_lock(self) -> None:
        self.transport.remove([LOCK])

    def unlock(self) -> str | None:
        """Clear the lock; return who held it ('' if nobody was named), None if there was none."""
        if self.transport.kind(LOCK) is None:
            return None
        holder = (self.transport.read_text(LOCK_OWNER) or "").strip()
        self.transport.remove([LOCK])
        return holder

    # -- what is there ---------------------------------------------------------------

    def state(self) -> State:
        names = self.transport.list_dir(RELEASES)
        events = parse_history(self.transport.read_text(HISTORY) or "")
        live = release_name(self.transport.read_link(self.live_link))
        order = live_order(names, events)
        others = [n for n in names if not RELEASE_ID_RE.fullmatch(n)]
        known = set(names) | {e.release for e in events}
        return State(live, order, failures(events), others, known)

    def record(self, release: str, what: str, detail: str = "") -> None:
        self.transport.append_text(HISTORY, history_line(release, what, detail))

    def switch(self, release: str) -> None:
        self.transport.switch_link(
            self.live_link, f"{RELEASES}/{release}", f".{self.live_link}.new"
        )

    # -- publish, rollback -----------------------------------------------------------

    def publish(
        self,
        folder: Path,
        release_id: str,
        checksums: dict[str, str],
        *,
        check_url: str = "",
        keep: int = 5,
        owner: str = "",
    ) -> str:
        """Upload, verify, switch and check one release; return its id.

        `checksums` are the build's, taken before the quality gate: a byte
        changed since, here or on the server, stops the publish before the switch.
        """
        changed = manifest_differences(checksums, file_checksums(folder))
        if changed:
            raise DeployError(
                f"the build in {folder} changed after it was checked ({describe(changed)}). "
                "Nothing was published."
            )
        (folder / MANIFEST).write_text(manifest_text(checksums), encoding="utf-8")
        self.lock(owner or release_id)
        try:
            self.transport.remove(
                [
                    f"{RELEASES}/{n}"
                    for n in self.transport.list_dir(RELEASES)
                    if n.endswith(PARTIAL)
                ]
            )
            state = self.state()
            if release_id in state.known or f"{release_id}{PARTIAL}" in state.known:
                raise DeployError(
                    f"a release {release_id} already exists on {self.where}: release ids are "
                    "unique. Publish again for a new one. Nothing was published."
                )
            live = state.live if state.live in state.order else None
            self.log(
                f"Uploading release {release_id} to {self.where} "
                f"({'reusing ' + live if live else 'first release'})"
            )
            self.transport.preflight(LOCK)
            partial = f"{RELEASES}/{release_id}{PARTIAL}"
            reused = self.release_checksums(live) if live else None
            upload = self.transport.upload(
                folder, partial, f"{RELEASES}/{live}" if live else None, checksums, reused
            )
            self.log(
                f"Sent {upload.sent} files"
                + (f", linked {upload.linked} unchanged files" if upload.linked else "")
                + (f" ({upload.note})" if upload.note else "")
                + "."
            )
            self.verify(partial, folder, checksums)
            self.transport.rename(partial, f"{RELEASES}/{release_id}")
            self.switch(release_id)
            self.record(release_id, LIVE)
            self.log(f"Release {release_id} is live.")
            if check_url:
                self.check(check_url, release_id, live)
            state = self.state()
            doomed = prune_plan(state.order, release_id, set(state.failed), keep)
            self.transport.remove([f"{RELEASES}/{r}" for r in doomed])
            if doomed:
                self.log(f"Removed old releases: {', '.join(doomed)}")
        finally:
            self.release_lock()
        return release_id

    def verify(self, partial: str, folder: Path, checksums: dict[str, str]) -> None:
        """Every uploaded byte against the checksums taken before the gate."""
        found = self.transport.checksums(partial)
        manifest = hashlib.sha256((folder / MANIFEST).read_bytes()).hexdigest()
        expected = {**checksums, f"./{MANIFEST}": manifest}
        problems = manifest_differences(expected, found)
        if problems:
            raise DeployError(
                f"the upload does not match the build ({len(problems)} files): "
                f"{describe(problems)}. The live site was not changed."
            )
        self.log(f"Verified: the {len(found)} files on the server match the checked build.")

    def check(self, url: str, release_id: str, previous: str | None) -> None:
        """Ask the public URL which release it serves; switch back if not this one."""
        status, served = fetch_version(url)
        if status == "unreachable":
            self.log(f"Warning: {url} is not reachable from here ({served}); not checked.")
            return
        served_id = served.split()[0] if served.split() else ""
        if status == "ok" and served_id == release_id:
            self.log(f"Checked: {url} serves release {release_id}.")
            return
        what = served if status == "error" else f"release {served_id!r}"
        reason = f"{url} answered {what}"
        self.record(release_id, FAILED, reason)
        if previous:
            self.switch(previous)
            raise DeployError(
                f"{reason} instead of {release_id}: switched back to {previous}. "
                f"{release_id} is marked failed."
            )
        raise DeployError(
            f"{reason} instead of {release_id}, and there is no earlier release to switch "
            f"back to. {release_id} is marked failed."
        )

    def rollback(self, release: str = "", owner: str = "") -> str:
        """Switch the live site to the release before the live one, or to `release`."""
        if release and not RELEASE_ID_RE.fullmatch(release):
            raise DeployError(f"{release!r} is not a release id (like 20261126-061850-123456)")
        self.lock(owner or "rollback")
        try:
            state = self.state()
            chosen = release or previous_release(state.order, state.live, set(state.failed))
            if chosen is None:
                raise DeployError(
                    f"there is no good release that went live before {state.live} to roll back to"
                )
            if chosen not in state.order:
                raise DeployError(
                    f"there is no release {chosen} on {self.where}: "
                    "uv run invoke releases lists them"
                )
            self.switch(chosen)
            self.record(chosen, ROLLBACK, f"from {state.live}")
            note = f" (it had failed: {state.failed[chosen]})" if chosen in state.failed else ""
            self.log(f"Release {chosen} is live (was {state.live}){note}.")
            return chosen
        finally:
            self.release_lock()

    def release_checksums(self, release: str) -> dict[str, str]:
        """A release's checksums: its manifest, or its files read back if it has none."""
        text = self.transport.read_text(f"{RELEASES}/{release}/{MANIFEST}")
        found = parse_manifest(text) if text else self.transport.checksums(f"{RELEASES}/{release}")
        found.pop(f"./{MANIFEST}", None)
        return found

    def changes(self, folder: Path, checksums: dict[str, str]) -> list[str]:
        """What publishing `folder` would change compared with the live release."""
        state = self.state()
        if state.live is None:
            return [f"+ {name[2:]}" for name in sorted(checksums)]
        live = self.release_checksums(state.live)
        lines = [f"+ {n[2:]}" for n in sorted(checksums.keys() - live.keys())]
        lines += [f"- {n[2:]}" for n in sorted(live.keys() - checksums.keys())]
        lines += [
            f"~ {n[2:]}" for n in sorted(checksums.keys() & live.keys()) if checksums[n] != live[n]
        ]
        return lines
