"""COPY: which files of the build context land where in the image (Dockerfile rules).

The *build context* is the directory given to ``build``; COPY sources are named
relative to it and can never leave it (``..`` above it, or a symbolic link that resolves
outside, is refused with the Containerfile line).  Where the files go follows the
Dockerfile reference for COPY:

* a source *file* goes to ``dest`` itself, or to ``dest/NAME`` when ``dest`` ends in
  ``/`` or there are several sources;
* a source *directory* copies its contents (not the directory itself) under ``dest``;
* a relative ``dest`` is relative to the current WORKDIR.

Symbolic links inside the context are followed when they stay inside it (files only;
a link to a directory is refused rather than walked).  Simplified: no wildcards and no
``.dockerignore``.  :func:`copy_layer` returns the files as a layer-store
:class:`~vlab.os.fs.ImageLayer`, whose digest is the content address the build cache
keys on (:func:`vlab.os.image.cachekey.cache_key`).
"""

from __future__ import annotations

import os
import stat

from vlab.os.fs import ImageLayer
from vlab.os.fs.errors import FsError
from vlab.os.fs.paths import host_path, normalize
from vlab.os.image.containerfile import Instruction
from vlab.os.image.errors import ContainerfileError
from vlab.os.image.tarsafe import MAX_LAYER, MAX_MEMBER, MAX_MEMBERS


def copy_files(context: str | os.PathLike, instruction: Instruction,
               workdir: str = "/") -> dict[str, bytes]:
    """Image path -> bytes for one COPY instruction over build context ``context``."""
    def fail(reason: str, hint: str = "") -> ContainerfileError:
        return ContainerfileError(instruction.path, instruction.line, reason, hint)

    if instruction.keyword != "COPY":
        raise fail(f"copy_files() is for COPY, not {instruction.keyword}")
    context = os.path.realpath(os.fspath(context))
    if not os.path.isdir(context):
        raise fail(f"build context {context!r} is not a directory")
    try:
        dest = normalize(instruction.dest, workdir)
    except FsError as error:
        raise fail(f"bad COPY destination {instruction.dest!r}: {error}") from None
    into_dir = instruction.dest.endswith("/") or len(instruction.sources) > 1
    files: dict[str, bytes] = {}

    def add(image_path: str, host: str) -> None:
        try:
            real = host_path(context, os.path.relpath(host, context))
        except FsError:
            raise fail(f"COPY source {os.path.relpath(host, context)!r} is a link that "
                       "leaves the build context", "copy the file into the context") from None
        info = os.stat(real)
        if not stat.S_ISREG(info.st_mode):
            raise fail(f"COPY source {os.path.relpath(host, context)!r} is not a regular file")
        if info.st_size > MAX_MEMBER:
            raise fail(f"COPY source {os.path.relpath(host, context)!r} is {info.st_size} "
                       f"bytes, above the per-file cap {MAX_MEMBER}")
        if len(files) >= MAX_MEMBERS or sum(map(len, files.values())) + info.st_size > MAX_LAYER:
            raise fail(f"COPY adds more than {MAX_MEMBERS} files or {MAX_LAYER} bytes")
        with open(real, "rb") as handle:
            files[image_path] = handle.read()

    for source in instruction.sources:
        try:
            relative = normalize("/" + source).lstrip("/")
            host = host_path(context, "/" + relative)
        except FsError as error:
            raise fail(f"COPY source {source!r} is outside the build context: {error}",
                       "sources are paths inside the build directory") from None
        if not os.path.lexists(host):
            raise fail(f"COPY source {source!r} not found in the build context {context!r}")
        if os.path.isdir(host):
            for top, dirs, names in os.walk(host):
                for name in dirs:
                    inner_dir = os.path.join(top, name)
                    if os.path.islink(inner_dir):
                        raise fail(f"COPY source {os.path.relpath(inner_dir, context)!r} is a "
                                   "link to a directory", "copy the directory itself")
                for name in sorted(names):
                    inner = os.path.relpath(os.path.join(top, name), host)
                    add(normalize(inner, dest), os.path.join(top, name))
        else:
            target = normalize(os.path.basename(host), dest) if into_dir else dest
            add(target, host)
    return files


def copy_layer(context: str | os.PathLike, instruction: Instruction,
               workdir: str = "/") -> ImageLayer:
    """The layer one COPY instruction adds (its digest is the COPY's content address)."""
    files = copy_files(context, instruction, workdir)
    try:
        return ImageLayer(files, name=f"COPY at {instruction.where}")
    except FsError as error:
        raise ContainerfileError(instruction.path, instruction.line, str(error)) from None
