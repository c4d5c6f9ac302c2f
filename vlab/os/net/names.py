"""Where a socket's name is looked up: per-namespace tables.

Linux binds an AF_UNIX socket to a path by creating a socket inode in the file system
(man 7 unix), and an *abstract* name (a leading NUL byte) in a table of the network
namespace; a UDP port lives in the namespace's port table (``net/ipv4/udp.c``).

Simplified here, without touching the VFS: a path name goes in a table keyed by the
process's *mount namespace* and the path text (normalized with ``posixpath.normpath``;
a relative path is not joined with the working directory, so ``s`` and ``/tmp/s`` are
different names), and no inode appears in the directory: ``ls`` does not show it,
``unlink`` does not remove it, and the name is freed when the socket is closed (Linux
keeps the file until it is unlinked).  Abstract names and UDP ports are keyed by the
process's *network namespace* (``namespaces.NetNamespace``), so two processes in
different network namespaces never reach each other's sockets.  The tables are held
weakly: a namespace that goes away takes its sockets' names with it.
"""

from __future__ import annotations

import posixpath
import weakref

from ..sysfile import mnt_ns_of

_TABLES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def table(owner, kind: str) -> dict:
    """The ``kind`` table ("unix", "abstract", "udp") of a namespace (or a kernel)."""
    tables = _TABLES.setdefault(owner, {})
    return tables.setdefault(kind, {})


def net_of(kernel, proc):
    """The process's network namespace; a process without namespaces (a bare test
    process, the proxy kernel) shares one per kernel."""
    ns = getattr(proc, "ns", None)
    net = getattr(ns, "net", None)
    return net if net is not None else kernel


def unix_slot(kernel, proc, name: bytes) -> tuple[dict, bytes]:
    """(the table, the key) for an AF_UNIX name: abstract names per network namespace,
    paths per mount namespace."""
    if name[:1] == b"\0":
        return table(net_of(kernel, proc), "abstract"), name
    return table(mnt_ns_of(proc), "unix"), posixpath.normpath(name)
