"""Oracles for chapter 9's exercises: real runs of the models, not tables of answers."""

from __future__ import annotations

from vlab.application.hll.loader import MemoryEntry
from vlab.application.hll.patching import replace_code
from vlab.application.hll.vm import VM
from vlab.application.sandbox.network import NETWORKS
from vlab.application.sandbox.workstation import Workstation
from vlab.lab.appvm.tampering import squares_classes


def guest_output(source: str, *, jit: bool = False, jit_threshold: int = 2) -> str:
    """What the VM prints for ``source``; a compile error or a failed run is shown as text."""
    from vlab.application.hll.errors import CompileError

    try:
        vm = VM.from_source(source, "answer.py", jit=jit, jit_threshold=jit_threshold,
                            max_instructions=10**6)
    except CompileError as error:
        return f"CompileError: {error}"
    result = vm.run()
    if result.status == "ok":
        return result.output
    return result.output + f"[{result.status}] {result.message}\n"


def verdict_of_code(instructions: list[tuple], max_stack: int = 2, max_locals: int = 1) -> str:
    """Put ``instructions`` (``("LOAD_LOCAL", 0)``, ``("MUL",)``...) in ``square`` and load it.

    Returns ``"accepted"`` if the loader and verifier accept the class, else
    ``"rejected: <reason>"``.  The verifier is the oracle, not a table.
    """
    patched = replace_code(squares_classes()["squares"], "square", instructions, max_stack,
                           max_locals)
    vm = VM(MemoryEntry({**squares_classes(), "squares": patched}))
    result = vm.run("squares")
    return "rejected: " + result.message if result.status == "rejected" else "accepted"


def actual_launch(sizes: dict[str, int], used: list[str], block_size: int,
                  network: str = "lan") -> dict:
    """Stream a package of files of ``sizes`` and read ``used`` in order (no prefetch).

    Returns what really crossed the modeled network: ``requests``, ``blocks``,
    ``bytes``, ``modeled_us``, and the package's ``metadata_bytes``.
    """
    from vlab.application.sandbox.packager import build_package
    from vlab.application.sandbox.streaming import StreamingClient, StreamingServer

    package = build_package({name: bytes(size) for name, size in sizes.items()}, "exercise",
                            block_size=block_size)
    client = StreamingClient(StreamingServer(package), NETWORKS[network])
    for name in used:
        client.read_file(f"{package.manifest.root}/{name}")
    stats = client.stats
    return {"requests": stats.requests, "blocks": stats.blocks_fetched,
            "bytes": stats.bytes_fetched, "modeled_us": stats.modeled_us,
            "metadata_bytes": package.metadata_size}


SCENARIO_HOST = {"/etc/motd": b"hello\n", "/home/s/notes.txt": b"milk\n",
                 "/usr/lib/libc.txt": b"host libc\n"}
SCENARIO_PACKAGE = {"/usr/lib/libc.txt": b"app libc\n", "app.cfg": b"x=1\n"}
#: (operation, path[, data]) applied in order by the application ``app``.
SCENARIO_STEPS = [("append", "/home/s/notes.txt", b"eggs\n"), ("delete", "/usr/lib/libc.txt"),
                  ("write", "/tmp/new.txt", b"new\n"), ("delete", "/tmp/new.txt"),
                  ("write", "/etc/motd", b"bye\n")]
SCENARIO_PATHS = ["/etc/motd", "/home/s/notes.txt", "/usr/lib/libc.txt", "/apps/app/app.cfg",
                  "/tmp/new.txt"]


def scenario_layers(steps: list[tuple] = SCENARIO_STEPS) -> tuple[dict[str, str | None], list]:
    """Run ``steps`` in a fresh sandbox; the layer answering each scenario path, and whiteouts."""
    from vlab.application.sandbox.packager import build_package

    app = Workstation(SCENARIO_HOST).launch(build_package(SCENARIO_PACKAGE, "app"))
    for operation, path, *data in steps:
        getattr(app.vfs, operation)(path, *data)
    return ({path: app.vfs.layer_of(path) for path in SCENARIO_PATHS},
            sorted(app.sandbox.whiteouts))
