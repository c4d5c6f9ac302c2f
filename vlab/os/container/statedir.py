"""The state directory: where images and containers live between ``vlab`` commands.

Our kernel runs inside one Python process, so nothing of a container survives the
command that ran it except what is written here.  Consecutive commands see the same
images and containers because they all open the same directory::

    $VLAB_STATE_DIR                     (default: $XDG_CACHE_HOME/vlab/containers,
    |                                    i.e. ~/.cache/vlab/containers)
    +-- lock                            flock(2) held by the command that changes state
    +-- images/                         the image store (vlab.os.image), OCI layouts
    +-- containers/<id>/
        +-- config.json                 id, name, image, command, options, state, exit code
        +-- upper.tar                   the container's writable layer (an OCI layer tar,
        |                               whiteouts included)
        +-- stdout.log, stderr.log      what its processes wrote (``logs``)

The cache home follows the XDG Base Directory Specification like the C build cache
(``vlab/isa/runtime/build_cache.py``); ``VLAB_STATE_DIR`` overrides it (tests, several
independent labs on one machine).

**Atomic writes.**  Every file is written to a temporary file in the same directory and
renamed over its name (``rename(2)`` replaces atomically on one file system), and a new
container is assembled in ``containers/.new-<id>`` and renamed into place only when
complete, so a crash or an error in the middle never leaves half a container: the old
state or the new one is on disk, nothing between.  Leftover ``.new-*`` directories of a
crashed command are removed the next time the directory is opened.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import tempfile
from pathlib import Path

from .errors import StateError

ENV_VAR = "VLAB_STATE_DIR"
SUBDIRECTORY = "containers"
NEW_PREFIX = ".new-"


def default_state_dir() -> Path:
    """``$VLAB_STATE_DIR``, else ``$XDG_CACHE_HOME/vlab/containers`` (``~/.cache``)."""
    explicit = os.environ.get(ENV_VAR)
    if explicit:
        return Path(explicit)
    cache_home = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(cache_home) / "vlab" / SUBDIRECTORY


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so a reader sees the old content or all of the new."""
    path = Path(path)
    fd, temporary = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def atomic_write_json(path: Path, value) -> None:
    atomic_write(path, (json.dumps(value, indent=2, sort_keys=True) + "\n").encode())


def read_json(path: Path, what: str):
    """A JSON file of the state directory, or a StateError that names it."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise StateError(f"{what} {path} is missing: the state directory was changed by "
                         "hand; remove the entry or the whole directory") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise StateError(f"{what} {path} is unreadable ({exc}): remove it (vlab container "
                         f"rm) or the state directory {Path(path).parents[2]}") from None


class StateDir:
    """The directory of the module docstring, created on first use."""

    def __init__(self, root: Path | str | None = None):
        self.root = Path(root) if root is not None else default_state_dir()
        try:
            self.containers.mkdir(parents=True, exist_ok=True)
            self.images.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StateError(f"cannot create the state directory {self.root}: "
                             f"{exc.strerror}; set {ENV_VAR} to a writable directory") from None
        if not os.access(self.containers, os.W_OK):
            raise StateError(f"the state directory {self.root} is not writable; set "
                             f"{ENV_VAR} to a writable directory")
        self._remove_leftovers()

    @property
    def containers(self) -> Path:
        return self.root / "containers"

    @property
    def images(self) -> Path:
        return self.root / "images"

    @contextlib.contextmanager
    def locked(self):
        """Hold the state lock (``flock``): one command changes the state at a time."""
        with open(self.root / "lock", "a+b") as handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            try:
                yield self
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

    def _remove_leftovers(self) -> None:
        """Drop ``.new-*`` directories of a crashed command (only if no command is
        changing the state now: an assembling container holds the lock)."""
        with open(self.root / "lock", "a+b") as handle:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                return
            try:
                self._remove_unlocked()
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

    def _remove_unlocked(self) -> None:
        for entry in self.containers.iterdir():
            if entry.name.startswith(NEW_PREFIX) and entry.is_dir():
                shutil.rmtree(entry, ignore_errors=True)
