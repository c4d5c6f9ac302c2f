"""The writable upper layer: where every change of an overlay lands.

Like the ``upperdir`` of Linux overlayfs (``Documentation/filesystems/overlayfs.rst``):
written and copied-up files, directories made here (``mkdir``: a directory exists on its
own, empty or not, until ``rmdir``), *whiteouts* for files and directories deleted from
the layers below, and *opaque* markers for directories that were deleted and created
again.  Deleting this
layer (:meth:`WritableLayer.clear`) removes every trace of the changes; the lower layers
were never touched.  :meth:`WritableLayer.commit` freezes the changes into a new
content-addressed :class:`~vlab.os.fs.image_layer.ImageLayer` (what ``docker commit``
does with a container's upper layer).
"""

from __future__ import annotations

from vlab.os.fs.image_layer import ImageLayer
from vlab.os.fs.paths import is_within
from vlab.os.fs.whiteout import check_regular_name

#: What one file, whiteout or opaque marker costs beyond its content: the directory
#: entry and inode a real upper directory spends (ext4: 256-byte inodes).  It makes a
#: quota bound the number of files too, not only their bytes.
ENTRY_BYTES = 256


class WritableLayer:
    """Written files, whiteouts and opaque directories; the only layer that changes."""

    def __init__(self, name: str = "upper") -> None:
        self.name = name
        self.files: dict[str, bytes] = {}
        self.dirs: set[str] = set()            # directories made in this layer
        self.whiteouts: set[str] = set()
        self.opaque: set[str] = set()
        self.copy_ups = 0

    # ------------------------------------------------------------ the Layer protocol

    def has(self, path: str) -> bool:
        return path in self.files

    def read(self, path: str) -> bytes | None:
        return self.files.get(path)

    def paths(self) -> list[str]:
        return sorted(self.files)

    def dir_paths(self) -> set[str]:
        """Directories this layer holds on its own (besides those its files imply)."""
        return self.dirs

    def whiteout_paths(self) -> set[str]:
        return self.whiteouts

    def opaque_dirs(self) -> set[str]:
        return self.opaque

    def hides(self, path: str) -> bool:
        """Whether a whiteout on ``path`` itself hides the lower layers' file."""
        return path in self.whiteouts

    # ------------------------------------------------------------ changing

    def write(self, path: str, data: bytes) -> None:
        self.files[check_regular_name(path)] = bytes(data)
        self.whiteouts.discard(path)

    def remove(self, path: str, *, whiteout: bool) -> None:
        """Drop this layer's copy of ``path``; leave a whiteout if a lower copy must hide."""
        self.files.pop(path, None)
        if whiteout:
            self.whiteouts.add(path)

    def remove_tree(self, directory: str, *, whiteout: bool) -> None:
        """Drop everything this layer holds at or beneath ``directory``; maybe whiteout it."""
        for path in [p for p in self.files if is_within(p, directory)]:
            del self.files[path]
        self.dirs -= {p for p in self.dirs if is_within(p, directory)}
        self.whiteouts -= {p for p in self.whiteouts if is_within(p, directory)}
        self.opaque -= {p for p in self.opaque if is_within(p, directory)}
        if whiteout:
            self.whiteouts.add(directory)

    def make_dir(self, directory: str) -> None:
        """A directory made here (``mkdir``); over a whiteout it becomes opaque."""
        if directory in self.whiteouts:
            self.reopen(directory)
        self.dirs.add(check_regular_name(directory))

    def reopen(self, directory: str) -> None:
        """A file is created in a deleted ``directory``: its whiteout becomes opaque.

        The lower layers' old entries stay hidden, the new file is visible (overlayfs
        creates an opaque directory over a whiteout in the same way).
        """
        self.whiteouts.discard(directory)
        self.opaque.add(directory)
        self.dirs.add(directory)

    # ------------------------------------------------------------ accounting

    def size_bytes(self) -> int:
        """Bytes of file content in this layer."""
        return sum(len(data) for data in self.files.values())

    @staticmethod
    def entry_cost(path: str, size: int = 0) -> int:
        """Quota bytes one file of ``size`` bytes (or a marker, size 0) at ``path`` uses."""
        return size + ENTRY_BYTES + len(path.encode("utf-8"))

    def usage_bytes(self) -> int:
        """Quota bytes in use: every file's content and entry, every marker's entry."""
        markers = [*self.dirs, *self.whiteouts, *self.opaque]
        return (sum(self.entry_cost(p, len(d)) for p, d in self.files.items())
                + sum(self.entry_cost(p) for p in markers))

    def changes(self) -> list[tuple[str, str]]:
        """``(path, 'written' | 'deleted' | 'opaque')`` for every change, sorted by path."""
        rows = ([(p, "written") for p in self.files] + [(p, "deleted") for p in self.whiteouts]
                + [(p, "opaque") for p in self.opaque])
        return sorted(rows)

    def commit(self, name: str | None = None) -> ImageLayer:
        """Freeze the changes into a new content-addressed image layer.

        Simplified: an image layer holds regular files only, so a directory made here
        that is still empty is not in the committed layer."""
        return ImageLayer(self.files, whiteouts=self.whiteouts, opaque_dirs=self.opaque,
                          name=name or self.name)

    def clear(self) -> None:
        self.files.clear()
        self.dirs.clear()
        self.whiteouts.clear()
        self.opaque.clear()
        self.copy_ups = 0
