"""Application isolation, sandboxing and streaming (Hwang et al. 2011, sec. 3.1.2.5).

The second form of application-level virtualization in the lecture: wrap an
application in a layer isolated from the host OS and from other applications,
so it is delivered by streaming, runs without installation, and is removed by
deleting one directory (LANDesk Application Virtualization, Microsoft App-V,
VMware ThinApp).  The package tells the story in order:

============================  ====================================================
module                        concept
============================  ====================================================
``package_format``            the binary ``.vapp`` container: header, index, blocks
``manifest``                  what the package says about the application
``packager``                  files (dict or directory) -> package
``package``                   a whole package in memory, fully checked
``network``                   the modeled link: round trip + bytes / bandwidth
``streaming``                 server and client: metadata first, blocks on first use
``costs``                     streaming round trips and bytes on the shared ledger
``paths``                     package entries, by the layer store's path rules
``layers``                    host (read-only), package (streamed), sandbox (writable)
``isolation``                 per-directory modes (ThinApp) as a view of the host
``vfs``                       the three layers as an overlay of ``vlab.os.fs``
``workstation``               launch without installing, remove by deleting the sandbox
``sandboxed_host``            the HLL VM's host interface over the layered VFS
``class_path``                the HLL VM's class-path source reading the package
============================  ====================================================
"""

from vlab.application.sandbox.class_path import PackageClassPath
from vlab.application.sandbox.errors import (
    PackageFormatError,
    PathEscapeError,
    SandboxError,
    VirtualFileNotFound,
)
from vlab.application.sandbox.manifest import Manifest
from vlab.application.sandbox.network import LAN, WAN, NetworkModel
from vlab.application.sandbox.package import Package
from vlab.application.sandbox.packager import build_package, build_package_from_directory
from vlab.application.sandbox.sandboxed_host import SandboxedHost
from vlab.application.sandbox.streaming import StreamingClient, StreamingServer, StreamStats
from vlab.application.sandbox.vfs import LayeredFileSystem, SandboxQuotaExceeded
from vlab.application.sandbox.workstation import VirtualApp, Workstation

__all__ = [
    "LAN", "WAN", "LayeredFileSystem", "Manifest", "NetworkModel", "Package",
    "PackageClassPath", "PackageFormatError", "PathEscapeError", "SandboxError",
    "SandboxQuotaExceeded", "SandboxedHost", "StreamStats", "StreamingClient",
    "StreamingServer", "VirtualApp", "VirtualFileNotFound", "Workstation",
    "build_package", "build_package_from_directory",
]
