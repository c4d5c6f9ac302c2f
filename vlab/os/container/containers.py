"""The containers of a state directory: create, find, update, remove -- atomically.

A container is a directory ``containers/<id>/`` (``statedir.py``).  :meth:`create`
assembles it under a temporary name and renames it into place, :meth:`save` replaces
``config.json`` by rename, :meth:`save_upper` the writable layer likewise, and
:meth:`remove` renames the directory away before deleting it, so no reader ever sees a
half-made or half-removed container.

Containers are named as docker names them: by the full id, any unique prefix of it, or
the name (``--name``, or ``vlab_<n>`` by creation order).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from vlab.os.fs import ImageLayer, LayerFormatError, WritableLayer

from .errors import ContainerError, NoSuchContainer, StateError
from .record import ContainerRecord, container_id
from .spec import RunSpec
from .statedir import NEW_PREFIX, StateDir, atomic_write, atomic_write_json, read_json

CONFIG = "config.json"
UPPER = "upper.tar"
STDOUT, STDERR = "stdout.log", "stderr.log"
SERIAL = "serial"
LOG_CAP = 1 << 20          # bytes kept per stream (the head; the rest is counted, dropped)


class Containers:
    """The container records under ``state.containers``."""

    def __init__(self, state: StateDir):
        self.state = state

    def _dir(self, cid: str) -> Path:
        return self.state.containers / cid

    # ------------------------------------------------------------ create / find

    def create(self, spec: RunSpec, **fields) -> ContainerRecord:
        """A new container (state ``created``), written whole or not at all."""
        with self.state.locked():
            serial = self._next_serial()
            name = spec.name or f"vlab_{serial}"
            if any(r.name == name for r in self.list()):
                raise ContainerError(f"the container name {name!r} is already in use: "
                                     f"remove that container (vlab container rm {name}) "
                                     "or choose another --name")
            record = ContainerRecord(id=container_id(serial, spec), name=name, serial=serial,
                                     spec=spec, **fields)
            assembling = self.state.containers / (NEW_PREFIX + record.id)
            assembling.mkdir()
            try:
                atomic_write_json(assembling / CONFIG, record.to_json())
                atomic_write(assembling / UPPER, WritableLayer().commit().to_tar())
                for log in (STDOUT, STDERR):
                    (assembling / log).write_bytes(b"")
                os.rename(assembling, self._dir(record.id))
            except BaseException:
                shutil.rmtree(assembling, ignore_errors=True)
                raise
            atomic_write(self.state.root / SERIAL, str(serial).encode())
            return record

    def _next_serial(self) -> int:
        path = self.state.root / SERIAL
        try:
            return int(path.read_text()) + 1
        except (OSError, ValueError):
            return max((r.serial for r in self.list()), default=0) + 1

    def list(self) -> list[ContainerRecord]:
        """Every container, in creation order."""
        records = []
        for entry in self.state.containers.iterdir():
            if entry.name.startswith(".") or not entry.is_dir():
                continue
            records.append(self._load(entry))
        return sorted(records, key=lambda r: r.serial)

    def _load(self, directory: Path) -> ContainerRecord:
        where = str(directory / CONFIG)
        return ContainerRecord.from_json(read_json(directory / CONFIG, "container record"),
                                         where)

    def get(self, ref: str) -> ContainerRecord:
        """By name, full id or unique id prefix (docker's rule)."""
        records = self.list()
        for record in records:
            if ref in (record.name, record.id):
                return record
        matches = [r for r in records if ref and r.id.startswith(ref)]
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise ContainerError(f"{ref!r} is a prefix of {len(matches)} container ids: "
                                 "give more digits")
        raise NoSuchContainer(f"no such container: {ref} (vlab container ps -a lists them)")

    # ------------------------------------------------------------ update

    def save(self, record: ContainerRecord) -> None:
        directory = self._dir(record.id)
        if not directory.is_dir():
            raise NoSuchContainer(f"container {record.short_id} was removed meanwhile")
        atomic_write_json(directory / CONFIG, record.to_json())

    def load_upper(self, record: ContainerRecord) -> WritableLayer:
        """The container's writable layer as it was left (files, whiteouts, opaque)."""
        path = self._dir(record.id) / UPPER
        try:
            layer = ImageLayer.from_tar(path.read_bytes(), name="upper")
        except (OSError, LayerFormatError) as exc:
            raise StateError(f"the writable layer {path} is unreadable ({exc}); remove the "
                             f"container (vlab container rm {record.short_id})") from None
        upper = WritableLayer(name="upper")
        upper.files.update((p, layer.read(p)) for p in layer.paths())
        upper.whiteouts.update(layer.whiteout_paths())
        upper.opaque.update(layer.opaque_dirs())
        return upper

    def save_upper(self, record: ContainerRecord, upper: WritableLayer) -> None:
        atomic_write(self._dir(record.id) / UPPER, upper.commit().to_tar())

    def append_logs(self, record: ContainerRecord, stdout: bytes, stderr: bytes) -> None:
        for name, data in ((STDOUT, stdout), (STDERR, stderr)):
            path = self._dir(record.id) / name
            old = path.read_bytes() if path.exists() else b""
            atomic_write(path, (old + data)[:LOG_CAP])

    def logs(self, record: ContainerRecord) -> tuple[bytes, bytes]:
        directory = self._dir(record.id)
        return tuple((directory / n).read_bytes() if (directory / n).exists() else b""
                     for n in (STDOUT, STDERR))

    # ------------------------------------------------------------ remove

    def remove(self, record: ContainerRecord) -> None:
        """Delete the container's directory (renamed away first: never half removed)."""
        with self.state.locked():
            directory = self._dir(record.id)
            doomed = self.state.containers / (NEW_PREFIX + "rm-" + record.id)
            try:
                os.rename(directory, doomed)
            except FileNotFoundError:
                raise NoSuchContainer(f"no such container: {record.short_id}") from None
            shutil.rmtree(doomed, ignore_errors=True)
