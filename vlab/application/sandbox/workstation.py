"""A client workstation that runs streamed applications without installing them.

This is the scenario of the lecture's LANDesk example (Hwang et al. 2011,
sec. 3.1.2.5): self-contained applications run in an isolated environment
"without the need for installation, system modifications, or elevated
security privileges".  A :class:`Workstation` has a read-only host image and,
per application, two things it keeps between launches:

* a **package cache** (the streaming client, with the blocks fetched so far),
* a **sandbox layer** (everything the application changed).

:meth:`Workstation.launch` stacks sandbox over package over host into a
:class:`~vlab.application.sandbox.vfs.LayeredFileSystem`; nothing is copied
onto the host.  :meth:`Workstation.remove` deletes the cache and the sandbox,
and the workstation is exactly as before the application first arrived.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from vlab.application.sandbox.class_path import PackageClassPath
from vlab.application.sandbox.errors import SandboxError
from vlab.application.sandbox.layers import HostLayer, PackageLayer, SandboxLayer
from vlab.application.sandbox.network import LAN, NetworkModel
from vlab.application.sandbox.package import Package
from vlab.application.sandbox.sandboxed_host import SandboxedHost
from vlab.application.sandbox.streaming import StreamingClient, StreamingServer
from vlab.application.sandbox.vfs import DEFAULT_QUOTA_BYTES, LayeredFileSystem

DEFAULT_HOST_FILES: dict[str, bytes] = {
    "/etc/hostname": b"ws-01\n",
    "/etc/motd": b"Welcome to workstation ws-01.\n",
    "/home/student/notes.txt": b"Buy milk.\n",
    "/usr/share/dict/words": b"alpha\nbeta\ngamma\n",
}


@dataclass
class VirtualApp:
    """One launched application: its manifest, streaming client, sandbox and file system."""

    name: str
    client: StreamingClient
    sandbox: SandboxLayer
    vfs: LayeredFileSystem

    @property
    def manifest(self):
        return self.client.manifest

    @property
    def stats(self):
        """Streaming statistics of this application's package cache."""
        return self.client.stats

    def class_path(self) -> PackageClassPath:
        """A class-path source reading this application's class files from its package."""
        return PackageClassPath(self.client)

    def host(self, *, echo=None) -> SandboxedHost:
        """The HLL VM host interface over this application's layered file system."""
        return SandboxedHost(self.vfs, stream_stats=self.client.stats, echo=echo)


class Workstation:
    """A modeled client machine: one read-only host image, many sandboxed applications."""

    def __init__(
        self,
        host_files: Mapping[str, bytes] | None = None,
        *,
        network: NetworkModel = LAN,
        quota_bytes: int = DEFAULT_QUOTA_BYTES,
        ledger=None,
    ) -> None:
        self.host = HostLayer(DEFAULT_HOST_FILES if host_files is None else host_files)
        self.network = network
        self.ledger = ledger  # streaming requests are charged here (vlab.host.ledger.Ledger)
        self.quota_bytes = quota_bytes
        self._clients: dict[str, StreamingClient] = {}
        self._sandboxes: dict[str, SandboxLayer] = {}

    @property
    def applications(self) -> list[str]:
        """Names of the applications with a cache or sandbox on this workstation."""
        return sorted(self._sandboxes)

    def launch(self, server: StreamingServer | Package, *, prefetch: bool = False) -> VirtualApp:
        """Start (or restart) an application streamed from ``server``.

        The first launch fetches the package's metadata and creates an empty
        sandbox; later launches reuse both, so the application finds what it
        wrote last time and already-fetched blocks are not fetched again.
        ``prefetch`` fetches the manifest's launch set in one request first.
        """
        if isinstance(server, Package):
            server = StreamingServer(server)
        client = self._client_for(server)
        name = client.manifest.name
        sandbox = self._sandboxes.setdefault(name, SandboxLayer(name))
        if prefetch:
            client.prefetch_launch_set()
        vfs = LayeredFileSystem(
            self.host, PackageLayer(client), sandbox,
            isolation=client.manifest.isolation, cwd=client.manifest.root,
            quota_bytes=self.quota_bytes,
        )
        return VirtualApp(name, client, sandbox, vfs)

    def _client_for(self, server: StreamingServer) -> StreamingClient:
        """The cached client of ``server``'s application, or a new one (fetches metadata)."""
        for client in self._clients.values():
            if client.server is server or client.server.data is server.data:
                return client  # the same package bytes: reuse its cache
        client = StreamingClient(server, self.network, self.ledger)
        if client.manifest.name in self._clients:
            raise SandboxError(
                f"an application named {client.manifest.name!r} from another server is "
                "already on this workstation; remove it first"
            )
        self._clients[client.manifest.name] = client
        return client

    def sandbox_of(self, name: str) -> SandboxLayer:
        if name not in self._sandboxes:
            raise SandboxError(f"no application {name!r} on this workstation")
        return self._sandboxes[name]

    def remove(self, name: str) -> None:
        """Uninstall: delete the application's sandbox and package cache, nothing else."""
        self.sandbox_of(name).clear()
        self._clients.pop(name).drop_cache()
        del self._sandboxes[name]
