"""Application streaming: a package's blocks travel to the client on first use.

The server holds the package; the client starts with nothing.  Launching an
application fetches the package's metadata (header + index, one round trip),
after which every file can be *listed* but none is present.  The first read
of a file is a *stream fault*: the client fetches that file's missing blocks
in one request, checks each block's CRC-32, and caches them, so later reads
cost nothing.  A client may instead *prefetch* the launch set (App-V's feature
block 1) in one batched request before the application starts.  This is the
scheme of App-V (fault streaming, FB1/FB2) and of the LANDesk/Citrix streaming
products cited by Hwang et al. (2011, sec. 3.1.2.5).

Every request is logged in :class:`StreamStats` with its bytes and its modeled
time from :class:`~vlab.application.sandbox.network.NetworkModel`, so a chapter
can show how much of a package a launch really needed; given a ledger, the
client also charges each request to it (:mod:`~vlab.application.sandbox.costs`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from vlab.application.sandbox.costs import charge_request
from vlab.application.sandbox.errors import PackageFormatError, VirtualFileNotFound
from vlab.application.sandbox.manifest import Manifest
from vlab.application.sandbox.network import LAN, NetworkModel
from vlab.application.sandbox.package import Package
from vlab.application.sandbox.package_format import (
    HEADER,
    Header,
    Index,
    check_block,
    decode_header,
    decode_index,
)


class StreamingServer:
    """Serves the raw bytes of one package: its metadata, or any list of blocks.

    The server does not trust or check what it serves (a corrupt or truncated
    package is served as is); the client checks everything it receives.
    """

    def __init__(self, package: Package | bytes) -> None:
        self.data = package.data if isinstance(package, Package) else bytes(package)
        self.requests_served = 0

    @property
    def size(self) -> int:
        return len(self.data)

    def serve_metadata(self) -> bytes:
        """Header and index: the header's index-length field says how far to send."""
        self.requests_served += 1
        if len(self.data) < HEADER.size:
            return self.data
        index_length = HEADER.unpack_from(self.data)[5]
        return self.data[:HEADER.size + index_length]

    def serve_ranges(self, ranges: list[tuple[int, int]]) -> list[bytes]:
        """One request for several ``(offset, length)`` ranges (an HTTP multi-range GET)."""
        self.requests_served += 1
        return [self.data[offset:offset + length] for offset, length in ranges]


@dataclass(frozen=True)
class FetchEvent:
    """One request the client made: why, which blocks, how many bytes, how long."""

    number: int
    reason: str
    paths: tuple[str, ...]
    blocks: tuple[int, ...]
    nbytes: int
    modeled_us: float


@dataclass
class StreamStats:
    """What streaming cost so far, against the size of the whole package."""

    package_bytes: int
    events: list[FetchEvent] = field(default_factory=list)
    cache_hits: int = 0

    @property
    def requests(self) -> int:
        return len(self.events)

    @property
    def blocks_fetched(self) -> int:
        return sum(len(event.blocks) for event in self.events)

    @property
    def bytes_fetched(self) -> int:
        return sum(event.nbytes for event in self.events)

    @property
    def modeled_us(self) -> float:
        return sum(event.modeled_us for event in self.events)

    @property
    def fraction_fetched(self) -> float:
        """Share of the package's bytes that crossed the network."""
        return self.bytes_fetched / self.package_bytes if self.package_bytes else 0.0

    def summary(self) -> str:
        return (
            f"{self.requests} requests, {self.blocks_fetched} blocks, "
            f"{self.bytes_fetched} of {self.package_bytes} bytes "
            f"({100 * self.fraction_fetched:.1f}%), {self.modeled_us / 1000:.2f} ms modeled"
        )


class StreamingClient:
    """The client side: fetches metadata once, then blocks on first use, and caches them."""

    def __init__(self, server: StreamingServer, network: NetworkModel = LAN,
                 ledger=None) -> None:
        self.server = server
        self.network = network
        self.ledger = ledger  # a vlab.host.ledger.Ledger charged per request, or None
        self.stats = StreamStats(package_bytes=server.size)
        self._cache: dict[int, bytes] = {}
        self.header, self.index = self._fetch_metadata()
        self.manifest = Manifest.from_fields(self.index.manifest)

    def _record(self, reason: str, paths, blocks, nbytes: int) -> None:
        self.stats.events.append(FetchEvent(
            len(self.stats.events) + 1, reason, tuple(paths), tuple(blocks),
            nbytes, self.network.request_us(nbytes),
        ))
        if self.ledger is not None:
            charge_request(self.ledger, nbytes)

    def _fetch_metadata(self) -> tuple[Header, Index]:
        data = self.server.serve_metadata()
        self._record("metadata", (), (), len(data))
        header = decode_header(data)
        return header, decode_index(header, data[HEADER.size:])

    # ------------------------------------------------------------ what is known

    @property
    def paths(self) -> list[str]:
        """Every file of the package, known from the metadata alone."""
        return sorted(self.index.files)

    def has_file(self, path: str) -> bool:
        return path in self.index.files

    def file_size(self, path: str) -> int:
        return self._entry(path).size

    def is_cached(self, path: str) -> bool:
        return all(block in self._cache for block in self._entry(path).blocks)

    def _entry(self, path: str):
        entry = self.index.files.get(path)
        if entry is None:
            raise VirtualFileNotFound(
                f"the package {self.manifest.name!r} has no file {path!r}"
            )
        return entry

    # ------------------------------------------------------------ fetching

    def _fetch_blocks(self, reason: str, paths: list[str]) -> None:
        """One request for every missing block of ``paths``; checks and caches them."""
        wanted = [b for p in paths for b in self._entry(p).blocks if b not in self._cache]
        if not wanted:
            self.stats.cache_hits += 1
            return
        ranges = [self._range(b) for b in wanted]
        payloads = self.server.serve_ranges(ranges)
        self._record(reason, paths, wanted, sum(len(p) for p in payloads))
        for block, payload in zip(wanted, payloads, strict=True):
            self._cache[block] = check_block(self.index, block, payload)

    def _range(self, block: int) -> tuple[int, int]:
        entry = self.index.blocks[block]
        return self.header.data_offset + entry.offset, entry.length

    def read_file(self, path: str) -> bytes:
        """A file's bytes; its missing blocks are fetched first (a stream fault)."""
        self._fetch_blocks("fault", [path])
        return b"".join(self._cache[b] for b in self._entry(path).blocks)

    def prefetch(self, paths: list[str] | tuple[str, ...]) -> None:
        """Fetch every missing block of ``paths`` in one batched request."""
        self._fetch_blocks("prefetch", list(paths))

    def prefetch_launch_set(self) -> None:
        """Prefetch the manifest's launch set (App-V's feature block 1)."""
        if not self.manifest.launch:
            raise PackageFormatError(
                f"the package {self.manifest.name!r} declares no launch set; "
                "build it with build_package(..., launch=[...])"
            )
        self.prefetch(self.manifest.launch)

    def drop_cache(self) -> None:
        """Forget every cached block (the client's package cache is deleted)."""
        self._cache.clear()
