"""PlanetLab traces: the included days, CloudSim's text format, and bad input."""

import numpy as np
import pytest

from vlab.datacenter.traces import (
    SAMPLES_PER_DAY,
    TraceError,
    included_days,
    load_day,
    pack_directory,
    read_directory,
)


def test_included_days_match_the_papers_workload_table():
    assert included_days() == ["20110303", "20110306"]
    day = load_day("20110303")
    assert day.cpu.shape == (1052, SAMPLES_PER_DAY)           # Beloglazov & Buyya 2012, Table 2
    assert round(day.cpu.mean() * 100, 2) == 12.31
    assert load_day("20110306").n_vms == 898
    assert list(day.vm_names) == sorted(day.vm_names)


def _write(tmp_path, name, values):
    (tmp_path / name).write_text("\n".join(str(v) for v in values) + "\n")


def test_text_directory_round_trips_through_the_packed_form(tmp_path):
    src = tmp_path / "day"
    src.mkdir()
    _write(src, "b_vm", [10] * SAMPLES_PER_DAY)
    _write(src, "a_vm", [i % 101 for i in range(SAMPLES_PER_DAY)])
    day = read_directory(src)
    assert day.vm_names == ("a_vm", "b_vm")                  # sorted, documented order
    packed = pack_directory(src, tmp_path / "packed")
    again = load_day(packed.parent)
    np.testing.assert_allclose(again.cpu, day.cpu)


@pytest.mark.parametrize("values, message", [
    ([5] * 100, "has 100 samples, a day needs 288"),
    ([5] * 10 + [101] + [5] * 277, "sample 11: 101 is out of range"),
    ([5] * 3 + ["x"] + [5] * 284, "sample 4: 'x' is not an integer"),
    ([5] * 3 + [-1] + [5] * 284, "sample 4: -1 is out of range"),
])
def test_bad_trace_files_are_refused_with_file_and_sample(tmp_path, values, message):
    _write(tmp_path, "vm", values)
    with pytest.raises(TraceError, match=message) as info:
        read_directory(tmp_path)
    assert "vm" in str(info.value)


def test_longer_files_are_cut_at_one_day_like_cloudsim(tmp_path):
    _write(tmp_path, "vm", [7] * (SAMPLES_PER_DAY + 5))
    assert read_directory(tmp_path).cpu.shape == (1, SAMPLES_PER_DAY)


def test_missing_or_empty_directories(tmp_path):
    with pytest.raises(TraceError, match="no trace files"):
        read_directory(tmp_path)
    with pytest.raises(TraceError, match="no such trace directory.*20110303"):
        load_day(tmp_path / "nope")
