"""Atomic deploys: releases side by side on the server, a symlink switched in one step.

- `releases`: the release model (ids, manifest, verification, lock, switch,
  history, pruning, rollback), written once;
- `ssh` and `sftp`: the two transports, each supplying file operations;
- `config`: the one place that reads the environment and the settings;
- `sources`: which commit the build comes from;
- `pipeline`: the production build, the quality gate, then the deploy.

Not a Pelican plugin: `tasks.py` calls it.
"""

from __future__ import annotations

from .releases import (
    MANIFEST,
    Releases,
    State,
    file_checksums,
    live_order,
    manifest_differences,
    new_release_id,
    previous_release,
    prune_plan,
)
from .target import DeployError, Target, parse_target

__all__ = [
    "MANIFEST",
    "DeployError",
    "Releases",
    "State",
    "Target",
    "file_checksums",
    "live_order",
    "manifest_differences",
    "new_release_id",
    "parse_target",
    "previous_release",
    "prune_plan",
]
