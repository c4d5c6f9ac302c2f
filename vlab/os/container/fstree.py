"""Directories and files in a VFS tree: the runtime's ``mkdir -p`` and a filled ramfs.

Mount points (``/proc``, ``/dev``, a bind target) must be directories of the tree they
are mounted in, as ``mount(2)`` requires; runc makes the missing ones as it prepares a
container's root (``rootfs_linux.go``, ``createIfNotExists``), and so does
:func:`mkdirs`.  :func:`populate` writes a set of files into a ramfs (the host system's
root, a host process's program).
"""

from __future__ import annotations


def mkdirs(context, path: str):
    """The directory ``path`` under ``context``'s root, made with its parents if missing."""
    from vlab.os.errno import SyscallError
    from vlab.os.vfs.mount import cross_mounts
    location = context.root
    for name in [n for n in path.split("/") if n]:
        try:
            inode = location.inode.lookup(name)
        except SyscallError:
            inode = location.inode.mkdir(name, 0o755)
        location = cross_mounts(location.child(name, inode))
    return location


def populate(root_dir, files: dict[str, bytes]) -> None:
    """Write ``files`` (path -> bytes) into a ramfs, directories made on the way."""
    from vlab.os.errno import SyscallError
    from vlab.os.vfs.constants import S_IFREG
    for path, data in sorted(files.items()):
        *dirs, name = [p for p in path.split("/") if p]
        where = root_dir
        for directory in dirs:
            try:
                where = where.lookup(directory)
            except SyscallError:
                where = where.mkdir(directory, 0o755)
        if name == ".keep":
            continue                      # the directory is what was wanted
        inode = where.create(name, S_IFREG | 0o755)
        inode.write_at(0, data)
