"""PlanetLab CPU-utilization traces, in the format CloudSim ships them.

Each trace day is a directory of text files, one per VM (a PlanetLab slice on one
node, as measured by the CoMon monitoring project): 288 lines, one integer per line,
the VM's CPU utilization in percent (0..100) every 300 s over 24 hours.  This is the
workload of Beloglazov & Buyya, "Optimal online deterministic algorithms and adaptive
heuristics for energy and performance efficient dynamic consolidation of virtual
machines in cloud data centers", Concurrency and Computation 24(13), 2012, sec. 7.2,
distributed with CloudSim (``cloudsim-examples/src/main/resources/workload/planetlab``).

The days included in vlab are packed into one ``cpu.npz`` per day (see
``data/planetlab/SOURCE.md``) with the files' names; :func:`load_day` reads either
form.  The order of the VMs matters (CloudSim gives the VM type by index, so the
order moves the energy by a few percent): vlab always sorts the file names
(byte order), where CloudSim takes ``File.listFiles()``'s order, which is whatever
the file system returns.

Bad traces get a clear error naming the file and line (:class:`TraceError`); the one
documented fallback is CloudSim's own: a file with more than 288 samples is cut
at 288.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

#: Samples per day: one every 300 s for 24 h (CloudSim's ``UtilizationModelPlanetLabInMemory``).
SAMPLES_PER_DAY = 288
#: Seconds between two samples (CloudSim ``Constants.SCHEDULING_INTERVAL``).
INTERVAL_S = 300.0
#: Where the included days live.
DATA_DIR = Path(__file__).parent / "data" / "planetlab"
#: The packed form of one day.
PACKED_NAME = "cpu.npz"


class TraceError(ValueError):
    """A trace directory or file that cannot be used, with what is wrong and where."""


@dataclass(frozen=True)
class TraceDay:
    """One day of traces: ``cpu[v, k]`` is VM v's utilization (0..1) in interval k."""

    name: str
    vm_names: tuple[str, ...]
    cpu: np.ndarray

    @property
    def n_vms(self) -> int:
        return self.cpu.shape[0]

    def head(self, n_vms: int) -> TraceDay:
        """The first ``n_vms`` VMs (in sorted file-name order), for small experiments."""
        return TraceDay(self.name, self.vm_names[:n_vms], self.cpu[:n_vms])


def included_days() -> list[str]:
    """The trace days shipped with vlab (directory names like ``20110303``)."""
    return sorted(p.name for p in DATA_DIR.iterdir() if (p / PACKED_NAME).is_file())


def _parse_file(path: Path) -> np.ndarray:
    try:
        lines = path.read_text(encoding="ascii").split()
    except (OSError, UnicodeDecodeError) as exc:
        raise TraceError(f"{path}: cannot read the trace file ({exc}); a PlanetLab trace "
                         "is a text file of integers, one per line") from None
    if len(lines) < SAMPLES_PER_DAY:
        raise TraceError(f"{path}: has {len(lines)} samples, a day needs {SAMPLES_PER_DAY} "
                         "(one per 300 s); complete the file or remove it from the directory")
    values = np.empty(SAMPLES_PER_DAY, dtype=np.uint8)
    for i, text in enumerate(lines[:SAMPLES_PER_DAY]):
        try:
            value = int(text)
        except ValueError:
            raise TraceError(f"{path}, sample {i + 1}: {text!r} is not an integer "
                             "(expected CPU utilization in percent, 0..100)") from None
        if not 0 <= value <= 100:
            raise TraceError(f"{path}, sample {i + 1}: {value} is out of range "
                             "(CPU utilization in percent must be 0..100)")
        values[i] = value
    return values


#: Orders in which a directory's trace files become VMs 0, 1, 2, ...
ORDERS = ("sorted", "directory")


def read_directory(directory: Path, order: str = "sorted") -> TraceDay:
    """Read a CloudSim-format trace directory (one text file per VM).

    ``order="sorted"`` takes the files by name (vlab's default, the same everywhere);
    ``"directory"`` takes them in the order the file system lists them, which is what
    CloudSim's ``File.listFiles()`` does (use it to compare with CloudSim on one machine).
    """
    if order not in ORDERS:
        raise TraceError(f"unknown trace order {order!r}; choose one of {', '.join(ORDERS)}")
    files = [directory / name for name in os.listdir(directory)]
    files = [p for p in files if p.is_file() and not p.name.startswith(".")]
    if order == "sorted":
        files.sort()
    if not files:
        raise TraceError(f"{directory}: no trace files in the directory "
                         "(expected one text file per VM, as in CloudSim's planetlab/<day>/)")
    cpu = np.stack([_parse_file(p) for p in files])
    return TraceDay(directory.name, tuple(p.name for p in files), cpu.astype(float) / 100.0)


def pack_directory(directory: Path, out: Path) -> Path:
    """Pack a CloudSim trace directory into ``out/cpu.npz`` (how the included days were made)."""
    day = read_directory(directory)
    listing = read_directory(directory, "directory").vm_names
    out.mkdir(parents=True, exist_ok=True)
    target = out / PACKED_NAME
    np.savez_compressed(target, names=np.array(day.vm_names),
                        cpu=np.rint(day.cpu * 100).astype(np.uint8),
                        listing=np.array(listing))
    return target


def load_day(where: str | Path, order: str = "sorted") -> TraceDay:
    """Load a trace day: an included day's name (``20110303``), a packed ``cpu.npz``
    directory, or a CloudSim-format directory of text files, in ``order`` (see
    :func:`read_directory`; for a packed day, ``"directory"`` is the order the source
    directory listed its files in when it was packed: the order CloudSim saw in
    vlab's comparison runs)."""
    path = Path(where)
    if not path.exists() and (DATA_DIR / str(where) / PACKED_NAME).is_file():
        path = DATA_DIR / str(where)
    if not path.is_dir():
        days = ", ".join(included_days())
        raise TraceError(f"{where}: no such trace directory (give a CloudSim planetlab/<day> "
                         f"directory or an included day: {days})")
    packed = path / PACKED_NAME
    if packed.is_file():
        if order not in ORDERS:
            raise TraceError(f"unknown trace order {order!r}; choose one of {', '.join(ORDERS)}")
        with np.load(packed) as data:
            cpu = data["cpu"]
            names = tuple(str(n) for n in data["names"])
            listing = tuple(str(n) for n in data["listing"]) if "listing" in data else names
        if cpu.ndim != 2 or cpu.shape[1] != SAMPLES_PER_DAY or cpu.max(initial=0) > 100:
            raise TraceError(f"{packed}: expected a (VMs, {SAMPLES_PER_DAY}) array of "
                             "percentages 0..100")
        if order == "directory":           # the listing order recorded when packing
            index = {name: i for i, name in enumerate(names)}
            rows = [index[name] for name in listing]
            cpu, names = cpu[rows], listing
        return TraceDay(path.name, names, cpu.astype(float) / 100.0)
    return read_directory(path, order)
