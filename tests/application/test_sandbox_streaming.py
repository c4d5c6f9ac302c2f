"""Streaming: metadata first, each block fetched once on first use, modeled cost, checks."""

import pytest

from vlab.application.sandbox.errors import PackageFormatError, VirtualFileNotFound
from vlab.application.sandbox.network import LAN, WAN, NetworkModel
from vlab.application.sandbox.packager import build_package
from vlab.application.sandbox.streaming import StreamingClient, StreamingServer
from vlab.application.sandbox.workstation import Workstation

BIG = bytes(i % 251 for i in range(5000))  # 5 blocks of 1024 (last 904)
FILES = {"classes/Main.vclass": b"M" * 1500, "lib/big.bin": BIG, "docs/help.txt": b"help\n"}
MAIN = "/apps/app/classes/Main.vclass"
HELP = "/apps/app/docs/help.txt"


def package():
    return build_package(FILES, "app", launch=["classes/Main.vclass"])


def test_connecting_fetches_only_the_metadata():
    pkg = package()
    client = StreamingClient(StreamingServer(pkg))
    assert client.stats.requests == 1
    assert client.stats.bytes_fetched == pkg.metadata_size
    assert client.stats.blocks_fetched == 0
    assert client.paths == pkg.paths  # every file is known without fetching any
    assert client.file_size("/apps/app/lib/big.bin") == 5000
    assert not client.is_cached(MAIN)


def test_first_read_fetches_the_files_blocks_once():
    pkg = package()
    server = StreamingServer(pkg)
    client = StreamingClient(server)
    assert client.read_file(MAIN) == b"M" * 1500
    event = client.stats.events[-1]
    assert (event.reason, event.paths, event.nbytes) == ("fault", (MAIN,), 1500)
    assert len(event.blocks) == 2
    assert client.read_file(MAIN) == b"M" * 1500
    assert client.stats.requests == 2  # the second read was served from the cache
    assert client.stats.cache_hits == 1
    assert server.requests_served == 2


def test_lazy_fetch_moves_only_what_is_used():
    pkg = package()
    client = StreamingClient(StreamingServer(pkg))
    client.read_file(HELP)
    assert client.stats.bytes_fetched == pkg.metadata_size + 5
    assert client.stats.fraction_fetched < 0.1
    for path in pkg.paths:
        assert client.read_file(path) == pkg.read(path)
    assert client.stats.blocks_fetched == pkg.header.block_count
    assert client.stats.bytes_fetched == pkg.size  # everything, each byte exactly once


def test_modeled_time_is_round_trips_plus_bytes_over_bandwidth():
    pkg = package()
    client = StreamingClient(StreamingServer(pkg), LAN)
    client.read_file("/apps/app/lib/big.bin")
    # LAN: 500 us round trip, 100 Mbit/s = 12.5 bytes/us
    expected = (500 + pkg.metadata_size * 8 / 100) + (500 + 5000 * 8 / 100)
    assert client.stats.modeled_us == pytest.approx(expected)


def test_prefetching_the_launch_set_saves_round_trips_on_a_wan():
    files = {f"classes/C{i}.vclass": bytes([i]) * 300 for i in range(8)}
    pkg = build_package(files, "many", launch=list(files))
    lazy = StreamingClient(StreamingServer(pkg), WAN)
    for path in pkg.manifest.launch:
        lazy.read_file(path)
    eager = StreamingClient(StreamingServer(pkg), WAN)
    eager.prefetch_launch_set()
    for path in pkg.manifest.launch:
        eager.read_file(path)
    assert lazy.stats.bytes_fetched == eager.stats.bytes_fetched
    assert (lazy.stats.requests, eager.stats.requests) == (1 + 8, 1 + 1)
    saved = lazy.stats.modeled_us - eager.stats.modeled_us
    assert saved == pytest.approx(7 * WAN.round_trip_us)


def test_prefetch_without_a_launch_set_is_a_clear_error():
    client = StreamingClient(StreamingServer(build_package({"a": b"x"}, "nolaunch")))
    with pytest.raises(PackageFormatError, match="declares no launch set"):
        client.prefetch_launch_set()


def test_reading_a_file_the_package_lacks():
    client = StreamingClient(StreamingServer(package()))
    with pytest.raises(VirtualFileNotFound, match="has no file '/apps/app/nope'"):
        client.read_file("/apps/app/nope")


def test_a_corrupt_block_is_rejected_when_it_arrives():
    pkg = package()
    data = bytearray(pkg.data)
    data[-1] ^= 0xFF  # the last block belongs to the alphabetically last file, lib/big.bin
    client = StreamingClient(StreamingServer(bytes(data)))
    assert client.read_file(HELP) == b"help\n"  # other files still stream fine
    with pytest.raises(PackageFormatError, match=r"checksum mismatch in block \d+ \(/apps/app/lib"):
        client.read_file("/apps/app/lib/big.bin")


def test_a_truncated_package_is_rejected_when_the_missing_block_is_needed():
    pkg = package()
    client = StreamingClient(StreamingServer(pkg.data[:-100]))
    with pytest.raises(PackageFormatError, match="truncated package: block"):
        client.read_file("/apps/app/lib/big.bin")


@pytest.mark.parametrize("data, reason", [
    (b"", "truncated package"),
    (b"PK\x03\x04" + bytes(40), "bad magic"),
])
def test_a_malformed_package_is_rejected_at_connect(data, reason):
    with pytest.raises(PackageFormatError, match=reason):
        StreamingClient(StreamingServer(data))


def test_streaming_is_deterministic():
    def run():
        ws = Workstation(network=NetworkModel("test", 1234.5, 7.0))
        app = ws.launch(package())
        app.vfs.read("docs/help.txt")
        app.vfs.read("classes/Main.vclass")
        return [(e.reason, e.blocks, e.nbytes, e.modeled_us) for e in app.stats.events]
    assert run() == run()


def test_launch_with_prefetch_fetches_the_launch_set_before_the_app_runs():
    ws = Workstation()
    app = ws.launch(package(), prefetch=True)
    assert [e.reason for e in app.stats.events] == ["metadata", "prefetch"]
    assert app.client.is_cached(MAIN)
    assert not app.client.is_cached(HELP)


def test_random_corruption_never_escapes_as_a_python_exception():
    import random

    from vlab.application.sandbox.errors import SandboxError

    rng = random.Random(7)
    good = package().data
    outcomes = {"rejected": 0, "read": 0}
    for _ in range(200):
        data = bytearray(good)
        for _ in range(rng.randint(1, 3)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        data = bytes(data[:rng.randrange(len(good) // 2, len(good) + 1)])
        try:
            client = StreamingClient(StreamingServer(data))
            for path in client.paths:
                client.read_file(path)
            outcomes["read"] += 1
        except SandboxError:
            outcomes["rejected"] += 1
    assert outcomes["rejected"] > 150


def test_requests_are_charged_to_the_shared_ledger_in_cycles():
    from vlab.application.sandbox.costs import cycle_prices
    from vlab.host.costs import CostModel
    from vlab.host.ledger import Ledger

    for network in (LAN, WAN):
        ledger = Ledger(CostModel.default().with_overrides(**cycle_prices(network)))
        client = StreamingClient(StreamingServer(package()), network, ledger)
        client.read_file(MAIN)
        client.read_file(MAIN)  # a cache hit: no charge
        assert ledger.count("stream_round_trip") == client.stats.requests == 2
        assert ledger.count("stream_byte") == client.stats.bytes_fetched
        # 2 GHz: every modeled microsecond is 2000 cycles
        assert ledger.total_cycles == pytest.approx(client.stats.modeled_us * 2000)


def test_default_prices_are_the_lan_at_2_ghz():
    from vlab.host.costs import CostModel

    costs = CostModel.default()
    assert costs.cycles_of("stream_round_trip") == 1_000_000
    assert costs.cycles_of("stream_byte") == 160
