"""The runtime's view of the image store, and the base image ``vlab/base``.

Images are the OCI engineer's :class:`vlab.os.image.store.ImageStore` (one OCI image
layout under ``<state>/images``).  This module adds what a container runtime needs on
top: the run settings of an image's config, its layers for a root file system, docker's
``images``/``inspect`` views, and the base image every build can start ``FROM``:

``vlab/base`` is one layer holding the userland (``vlab.os.userland.userland_files()``:
``/bin/sh``, the coreutils subset, ``/sbin/init``, static musl executables) plus the
directories a container's mounts need (``/proc``, ``/dev``, ``/sys/fs/cgroup``, ``/tmp``,
``/etc``); its config runs ``/bin/sh`` with docker's default ``PATH``.  It is built on
first use (the C programs are compiled once, then cached by content), so a fresh state
directory can ``vlab container run vlab/base echo hi`` straight away.

The layer store holds regular files only (directories are implicit), so each of those
directories is made by an empty ``.keep`` file in it -- the convention of empty
directories in git; a mount over the directory hides it.
"""

from __future__ import annotations

from dataclasses import dataclass

from vlab.os.fs import ImageLayer

from .errors import ContainerError, NoSuchImage
from .process import DEFAULT_PATH

BASE_IMAGE = "vlab/base:latest"
MOUNT_POINTS = ("/proc", "/dev", "/sys/fs/cgroup", "/tmp", "/etc", "/root", "/home")
KEEP = ".keep"


@dataclass(frozen=True)
class ImageSummary:
    name: str
    id: str
    layers: int
    size: int

    @property
    def short_id(self) -> str:
        return self.id.split(":")[-1][:12]


def open_store(state) -> Images:
    from vlab.os.image.store import ImageStore
    return Images(ImageStore(state.images))


def normalize(name: str) -> str:
    from vlab.os.image.errors import ImageError
    from vlab.os.image.names import normalize_name
    try:
        return normalize_name(name)
    except ImageError as exc:
        raise ContainerError(str(exc)) from None


def base_files() -> dict[str, bytes]:
    """The files of ``vlab/base``: the userland and the mount-point directories."""
    from vlab.isa.runtime import ToolchainMissing
    from vlab.os.userland import UserlandBuildError, userland_files
    try:
        files = dict(userland_files())
    except (ToolchainMissing, UserlandBuildError) as exc:
        raise ContainerError(f"cannot build the base image {BASE_IMAGE}: the userland "
                             f"does not compile ({exc})") from None
    for directory in MOUNT_POINTS:
        files.setdefault(f"{directory}/{KEEP}", b"")
    return files


class Images:
    """Images by name, as the runtime and the CLI use them."""

    def __init__(self, store):
        self.store = store

    def ensure(self, name: str) -> str:
        """The normalized name; ``vlab/base`` is built if the store lacks it."""
        name = normalize(name)
        if name == BASE_IMAGE and name not in self.store.names():
            self.build_base()
        return name

    def build_base(self):
        from vlab.os.image.config import ImageConfig
        layer = ImageLayer(base_files(), name="vlab/base userland")
        ref = self.store.add_layer(layer)
        config = ImageConfig(env=[f"PATH={DEFAULT_PATH}"], cmd=["/bin/sh"],
                             history=[{"created_by": "vlab: userland_files() (sh, "
                                       "coreutils subset, init; static musl)"}])
        return self.store.add_image(BASE_IMAGE, [ref], config)

    def exists(self, name: str) -> bool:
        name = self.ensure(name)
        return name in self.store.names()

    def record(self, name: str):
        name = self.ensure(name)
        from vlab.os.image.errors import ImageNotFound
        try:
            return self.store.image(name)
        except ImageNotFound as exc:
            raise NoSuchImage(str(exc)) from None

    def image_id(self, name: str) -> str:
        return self.record(name).id

    def run_config(self, name: str):
        return self.record(name).config

    def layers(self, name: str) -> list:
        """The image's layers, topmost first (an Overlay's lower layers)."""
        return self.store.rootfs_layers(self.ensure(name))

    def list(self) -> list[ImageSummary]:
        return [ImageSummary(r.name, r.id, len(r.layers), r.size) for r in self.store.list()]

    def remove(self, name: str) -> list[str]:
        return self.store.remove(normalize(name))

    def inspect(self, name: str) -> dict:
        record = self.record(name)
        config = record.config
        return {"Id": record.id, "RepoTags": [record.name], "RepoDigests": [record.digest],
                "Architecture": config.architecture, "Variant": config.variant,
                "Os": config.os, "Size": record.size,
                "Config": {"Env": config.env, "Entrypoint": config.entrypoint,
                           "Cmd": config.cmd, "WorkingDir": config.working_dir,
                           "User": config.user},
                "RootFS": {"Type": "layers", "Layers": list(config.diff_ids)},
                "History": config.history}

    def save(self, name: str, directory) -> None:
        self.store.export(self.ensure(name), directory)

    def load(self, directory) -> list[str]:
        return self.store.import_layout(directory)
