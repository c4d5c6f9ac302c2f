"""The layered virtual file system one sandboxed application sees.

An :class:`~vlab.os.fs.overlay.Overlay` of the layer store (:mod:`vlab.os.fs`) with
three layers, top to bottom (:mod:`~vlab.application.sandbox.layers`)::

    sandbox  (this app's writes and whiteouts)   read-write
    package  (the app's own files, streamed)     read-only
    host     (the workstation, modeled)          read-only, maybe hidden (isolation)

The first layer that has the path answers; a whiteout in the sandbox stops the search
(the file was deleted).  Every change lands in the sandbox:

* **write** puts the whole new content in the sandbox;
* **append** to a file that lives below is *copy-on-write*: the lower file is copied up
  into the sandbox first, then changed there;
* **delete** removes the sandbox copy and, if a lower layer still has the file, leaves
  a whiteout so it stays deleted.

The lower layers are never written, so the host is unchanged by construction and an
application is uninstalled by deleting its sandbox.  A sandbox quota (file contents
plus a per-entry cost, so many empty files count too) stops an application from
filling the workstation's disk.
"""

from __future__ import annotations

from vlab.application.sandbox.errors import SandboxQuotaExceeded
from vlab.application.sandbox.isolation import IsolatedView
from vlab.application.sandbox.layers import HostLayer, PackageLayer, SandboxLayer
from vlab.os.fs.overlay import Overlay
from vlab.os.fs.paths import ROOT

__all__ = ["DEFAULT_QUOTA_BYTES", "LayeredFileSystem", "SandboxQuotaExceeded"]

DEFAULT_QUOTA_BYTES = 4 * 1024 * 1024


class LayeredFileSystem(Overlay):
    """Sandbox over package over host, with copy-on-write and whiteouts."""

    def __init__(
        self,
        host: HostLayer,
        package: PackageLayer,
        sandbox: SandboxLayer,
        *,
        isolation: dict[str, str] | None = None,
        cwd: str = ROOT,
        quota_bytes: int = DEFAULT_QUOTA_BYTES,
    ) -> None:
        self.host, self.package, self.sandbox = host, package, sandbox
        self.isolation = dict(isolation or {})
        super().__init__(sandbox, (package, IsolatedView(host, self.isolation)),
                         cwd=cwd, quota_bytes=quota_bytes)
