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
switch. It carries `.prices.json` too (`deploy.prices`): the prices each
question shows and their `reviewed` date, compared with the live release's
before anything is uploaded.
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

from .prices import PRICES, parse_record, unreviewed_changes
from .target import DeployError
from .transport import RemoteError, Transport, Upload

MANIFEST = ".manifest.sha256"
LOCK = ".publish.lock"
LOCK_OWNER = f"{LOCK}/owner"
RELEASES = "releases"
HISTORY = "releases.log"
PARTIAL = ".partial"
RELEASE_ID_RE = re.compile(r"\d{8}-\d{6}-\d{6}")
LIVE, FAILED, ROLLBACK = "live", "failed", "rollback"

VERSION = "version.txt"

Log = Callable[[str], None]


def say(line: str) -> None:
    """Print one step's line at once, so that it keeps its place among other output."""
    print(line, flush=True)


class CheckError(DeployError):
    """The public URL did not serve the release after the switch; the message says where things
    stand (switched back, or still live and marked failed) and what to do."""


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
    time: str = field(default="", compare=False)


def parse_history(text: str) -> list[Event]:
    """The events of releases.log: '<id> <live|failed|rollback> <time> [detail]'."""
    events = []
    for line in text.splitlines():
        parts = line.split(" ", 3)
        if len(parts) >= 3 and RELEASE_ID_RE.fullmatch(parts[0]):
            detail = parts[3] if len(parts) > 3 else ""
            events.append(Event(parts[0], parts[1], detail, parts[2]))
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


def went_live_at(release: str, time: str) -> str:
    """When a release first went live ('2026-11-26 06:18 UTC'), else when it was built."""
    stamp = time or (
        f"{release[:4]}-{release[4:6]}-{release[6:8]}T{release[9:11]}:{release[11:13]}"
    )
    return f"{stamp[:10]} {stamp[11:16]} UTC"


def size(count: int) -> str:
    if count < 1000:
        return f"{count} bytes"
    return f"{count / 1000:.1f} kB" if count < 1_000_000 else f"{count / 1_000_000:.1f} MB"


def plural(count: int, one: str, many: str = "") -> str:
    return f"{count} {one if count == 1 else many or one + 's'}"


# -- the model -----------------------------------------------------------------------


@dataclass
class State:
    """What the server holds: the live release, the releases in live order, the failed ones."""

    live: str | None
    order: list[str]
    failed: dict[str, str] = field(default_factory=dict)
    others: list[str] = field(default_factory=list)
    known: set[str] = field(default_factory=set)
    # When each release first went live, as releases.log says.
    went_live: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ReleaseInfo:
    """One line of `invoke releases`: a release, when it went live, its commit, its state."""

    release: str
    date: str
    commit: str
    live: bool
    failed: str | None


@dataclass(frozen=True)
class Plan:
    """What publishing a build would do, compared with the live release (names './path')."""

    live: str | None
    added: list[str]
    changed: list[str]
    unchanged: list[str]
    deleted: list[str]

    def lines(self) -> list[str]:
        return (
            [f"+ {n[2:]}" for n in self.added]
            + [f"- {n[2:]}" for n in self.deleted]
            + [f"~ {n[2:]}" for n in self.changed]
        )

    def summary(self) -> str:
        send = len(self.added) + len(self.changed)
        reuse = f" to hard-link to release {self.live}" if self.live else " to hard-link"
        return (
            f"Dry run: {plural(send, 'file')} to send, {len(self.unchanged)}{reuse}, "
            f"{len(self.deleted)} to delete; nothing was changed on the server."
        )


def plan(live: str | None, checksums: dict[str, str], live_checksums: dict[str, str]) -> Plan:
    """Compare a build's checksums with the live release's."""
    both = sorted(checksums.keys() & live_checksums.keys())
    return Plan(
        live,
        sorted(checksums.keys() - live_checksums.keys()),
        [n for n in both if checksums[n] != live_checksums[n]],
        [n for n in both if checksums[n] == live_checksums[n]],
        sorted(live_checksums.keys() - checksums.keys()),
    )


class Releases:
    """The releases on one server, through one transport."""

    def __init__(self, transport: Transport, live_link: str = "www", log: Log = say) -> None:
        self.transport = transport
        self.live_link = live_link
        self.log = log
        # The price record and the live release last compared: asked again
        # (publish under its lock, a dry run's plan), the same pair is not.
        self._prices_compared: tuple[str | None, str | None] | None = None

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
            raise self.lock_refused(error) from None
        try:
            self.transport.write_text(LOCK_OWNER, f"{owner} since {utc_now()}\n")
        except RemoteError as error:
            self.transport.remove([LOCK])
            raise DeployError(
                f"could not write the lock's owner on {self.where} ({error.reason}): is the "
                "server's disk full? Nothing was published."
            ) from None

    def lock_refused(self, error: RemoteError) -> DeployError:
        """Why the lock could not be made: not writable, held, or left behind."""
        if self.transport.kind(LOCK) is None:
            return DeployError(
                f"the base folder {self.transport.target.base} is not writable ({error.reason}): "
                f"the lock {LOCK} cannot be made there. Nothing was published."
            )
        holder = (self.transport.read_text(LOCK_OWNER) or "").strip()
        if not holder:
            return DeployError(
                f"a stale lock with no owner is on {self.where} (a publish was stopped "
                "while taking it). Clear it with: uv run invoke unlock. Nothing was published."
            )
        return DeployError(
            f"another publish holds the lock on {self.where}: {holder}. If none is "
            "running, clear it with: uv run invoke unlock. Nothing was published."
        )

    def release_lock(self) -> None:
        """Clear our lock; if the server refuses, say so without hiding what happened before."""
        try:
            self.transport.remove([LOCK])
        except DeployError as error:
            self.log(
                f"Warning: the lock {LOCK} on {self.where} could not be cleared ({error}): "
                "clear it with: uv run invoke unlock."
            )

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
        went_live: dict[str, str] = {}
        for event in events:
            if event.what == LIVE:
                went_live.setdefault(event.release, event.time)
        return State(live, order, failures(events), others, known, went_live)

    def listing(self) -> list[ReleaseInfo]:
        """Every finished release in live order: when it went live, its commit, its state."""
        state = self.state()
        infos = []
        for name in state.order:
            version = (self.transport.read_text(f"{RELEASES}/{name}/{VERSION}") or "").split()
            commit = version[1] if len(version) > 1 else "?"
            infos.append(
                ReleaseInfo(
                    name,
                    went_live_at(name, state.went_live.get(name, "")),
                    commit[:12] + ("-dirty" if commit.endswith("-dirty") else ""),
                    name == state.live,
                    state.failed.get(name),
                )
            )
        return infos

    def record(self, release: str, what: str, detail: str = "") -> None:
        self.transport.append_text(HISTORY, history_line(release, what, detail))

    def switch(self, release: str) -> None:
        self.transport.switch_link(
            self.live_link, f"{RELEASES}/{release}", f".{self.live_link}.new"
        )

    # -- publish ---------------------------------------------------------------------

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
            live = self.prepare(release_id)
            self.compare_prices(folder, live)
            self.upload(folder, release_id, checksums, live)
            self.switch(release_id)
            self.record(release_id, LIVE)
            self.log(f"Switched {self.live_link} to release {release_id}.")
            if check_url:
                self.check(check_url, release_id, live)
            self.log(f"Release {release_id} is live.")
            self.prune(release_id, keep)
        finally:
            self.release_lock()
        return release_id

    def prepare(self, release_id: str) -> str | None:
        """Clear unfinished uploads and refuse a known id; return the live release."""
        self.transport.remove(
            [f"{RELEASES}/{n}" for n in self.transport.list_dir(RELEASES) if n.endswith(PARTIAL)]
        )
        state = self.state()
        if release_id in state.known or f"{release_id}{PARTIAL}" in state.known:
            raise DeployError(
                f"a release {release_id} already exists on {self.where}: release ids are "
                "unique. Publish again for a new one. Nothing was published."
            )
        return state.live if state.live in state.order else None

    def upload(
        self, folder: Path, release_id: str, checksums: dict[str, str], live: str | None
    ) -> None:
        """Upload into releases/<id>.partial, verify it, and give it its final name."""
        self.log(
            f"Uploading release {release_id} to {self.where} "
            f"({'reusing ' + live if live else 'first release'})."
        )
        self.transport.preflight(LOCK)
        partial = f"{RELEASES}/{release_id}{PARTIAL}"
        reused = self.release_checksums(live) if live else None
        upload = self.transport.upload(
            folder, partial, f"{RELEASES}/{live}" if live else None, checksums, reused
        )
        self.log(sent_line(upload, live))
        self.verify(partial, folder, checksums)
        self.transport.rename(partial, f"{RELEASES}/{release_id}")

    def prune(self, release_id: str, keep: int) -> None:
        """Remove old releases; the new one is live already, so a refusal only warns."""
        try:
            state = self.state()
            doomed = prune_plan(state.order, release_id, set(state.failed), keep)
            self.transport.remove([f"{RELEASES}/{r}" for r in doomed])
        except DeployError as error:
            self.log(f"Warning: old releases were not removed ({error}).")
            return
        if doomed:
            self.log(f"Removed old releases: {', '.join(doomed)}.")

    def live_release(self) -> str | None:
        """The live release, if it is a finished one."""
        state = self.state()
        return state.live if state.live in state.order else None

    def check_prices(self, folder: Path) -> None:
        """Refuse prices that changed under an unchanged `reviewed` date since the live release.

        Publish asks again under the lock, before the upload, which compares
        again only if another release went live in between.
        """
        self.compare_prices(folder, self.live_release())

    def compare_prices(self, folder: Path, live: str | None) -> None:
        """Refuse prices that changed under an unchanged `reviewed` date."""
        new_text = (
            (folder / PRICES).read_text(encoding="utf-8") if (folder / PRICES).is_file() else None
        )
        if self._prices_compared == (new_text, live):
            return
        new = parse_record(new_text) if new_text else None
        if live is None or new is None:
            return
        live_text = self.transport.read_text(f"{RELEASES}/{live}/{PRICES}")
        before = parse_record(live_text) if live_text else None
        if before is None:
            self.log(f"Prices not compared: the live release {live} has no price record.")
        elif problems := unreviewed_changes(before, new):
            raise DeployError(
                f"prices changed without a new reviewed date (compared with the live release "
                f"{live}): " + "; ".join(problems) + ". Nothing was published."
            )
        self._prices_compared = (new_text, live)

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

    # -- the post-switch check -------------------------------------------------------

    def not_served(self, url: str, release: str) -> str | None:
        """Why `url` does not serve `release` ('… answered …'); None if it does or cannot say."""
        status, served = fetch_version(url)
        if status == "unreachable":
            self.log(f"Warning: {url} is not reachable from here ({served}); not checked.")
            return None
        served_id = served.split()[0] if served.split() else ""
        if status == "ok" and served_id == release:
            self.log(f"Checked: {url} serves release {release}.")
            return None
        return f"{url} answered {served if status == 'error' else repr(served_id)}"

    def check_help(self, url: str, again: str) -> str:
        return (
            f"Check that the host serves {self.transport.target.base}/{self.live_link} at {url} "
            f"(PUBLISH_CHECK_URL) with no cache in between, then {again}."
        )

    def check(self, url: str, release_id: str, previous: str | None) -> None:
        """Ask the public URL which release it serves; switch back if not this one."""
        reason = self.not_served(url, release_id)
        if reason is None:
            return
        self.record(release_id, FAILED, reason)
        if previous:
            self.switch(previous)
            raise CheckError(
                f"Not published: {reason} instead of release {release_id}, so the live site "
                f"was switched back to release {previous}, and {release_id} is marked failed. "
                + self.check_help(url, "publish again")
            )
        raise CheckError(
            f"Release {release_id} is still live, marked failed: {reason} instead of it, and "
            "there is no earlier release to switch back to. "
            + self.check_help(url, "publish again")
        )

    # -- rollback --------------------------------------------------------------------

    def rollback(self, release: str = "", owner: str = "", check_url: str = "") -> str:
        """Switch the live site to the release before the live one, or to `release`."""
        if release and not RELEASE_ID_RE.fullmatch(release):
            raise DeployError(f"{release!r} is not a release id (like 20261126-061850-123456)")
        self.lock(owner or "rollback")
        try:
            state = self.state()
            chosen = self.rollback_choice(state, release)
            self.switch(chosen)
            self.record(chosen, ROLLBACK, f"from {state.live}")
            self.log(f"Switched {self.live_link} to release {chosen}.")
            if check_url:
                self.check_rollback(check_url, chosen, state.live)
            note = f" (it had failed: {state.failed[chosen]})" if chosen in state.failed else ""
            self.log(f"Release {chosen} is live (was {state.live}){note}.")
            return chosen
        finally:
            self.release_lock()

    def rollback_choice(self, state: State, release: str) -> str:
        """The named release, else the good one before the live one; DeployError lists others."""
        if release and release not in state.order:
            raise DeployError(
                f"there is no release {release} on {self.where}: uv run invoke releases lists them"
            )
        chosen = release or previous_release(state.order, state.live, set(state.failed))
        if chosen:
            return chosen
        candidates = [
            name + (" (failed)" if name in state.failed else "")
            for name in state.order
            if name != state.live
        ]
        if not candidates:
            raise DeployError(f"there is no other release on {self.where} to roll back to")
        raise DeployError(
            f"there is no good release that went live before {state.live} to roll back to: "
            f"name one with --release ID, among: {', '.join(candidates)}"
        )

    def check_rollback(self, url: str, chosen: str, previous: str | None) -> None:
        reason = self.not_served(url, chosen)
        if reason is None:
            return
        if previous:
            self.switch(previous)
            self.record(previous, ROLLBACK, f"from {chosen}, which {url} did not serve")
            raise CheckError(
                f"Not rolled back: {reason} instead of release {chosen}, so the live site was "
                f"switched back to release {previous}. " + self.check_help(url, "roll back again")
            )
        raise CheckError(
            f"Release {chosen} is live, but {reason} instead of it. "
            + self.check_help(url, "check again")
        )

    # -- what a publish would change -------------------------------------------------

    def release_checksums(self, release: str) -> dict[str, str]:
        """A release's checksums: its manifest, or its files read back if it has none."""
        text = self.transport.read_text(f"{RELEASES}/{release}/{MANIFEST}")
        found = parse_manifest(text) if text else self.transport.checksums(f"{RELEASES}/{release}")
        found.pop(f"./{MANIFEST}", None)
        return found

    def plan(self, folder: Path, checksums: dict[str, str]) -> Plan:
        """What publishing `folder` would do, compared with the live release; prices checked."""
        live = self.live_release()
        self.compare_prices(folder, live)
        return plan(live, checksums, self.release_checksums(live) if live else {})

    def changes(self, folder: Path, checksums: dict[str, str]) -> list[str]:
        """What publishing `folder` would change compared with the live release."""
        return self.plan(folder, checksums).lines()


def sent_line(upload: Upload, live: str | None) -> str:
    """'Sent 2 files (12.3 kB); hard-linked 55 unchanged files to release …'."""
    line = f"Sent {plural(upload.sent, 'file')} ({size(upload.bytes_sent)})"
    if upload.linked:
        line += f"; hard-linked {plural(upload.linked, 'unchanged file')} to release {live}"
    return line + (f" ({upload.note})" if upload.note else "") + "."
