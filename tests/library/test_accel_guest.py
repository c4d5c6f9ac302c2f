"""A guest C program on the CUDA-shaped API through /dev/accel0, over each transport."""

import pytest

from vlab.library.accel.driver import VCUDA_IOC_CALL
from vlab.library.accel.guest import run_accel_program

EXPECTED = b"y[1]=2 y[1023]=1024 sum=524800\n"


def test_the_same_binary_gives_the_same_result_natively_in_a_vm_and_over_the_network(
        saxpy_elf):
    runs = {t: run_accel_program(saxpy_elf, t) for t in ("native", "vm", "network")}
    assert all(run.exit_code == 0 and run.stdout == EXPECTED for run in runs.values())
    assert {run.channel.calls for run in runs.values()} == {11}
    native, vm, net = (runs[t].ledger for t in ("native", "vm", "network"))
    assert native.count("syscall") > 11          # the ioctls and the program's own calls
    assert vm.count("remote_call") == 11 and native.count("remote_call") == 0
    assert net.count("net_round_trip") == 11
    assert native.total_cycles < vm.total_cycles < net.total_cycles


def test_the_ioctl_number_is_iowr_v_1_of_a_20_byte_struct():
    assert VCUDA_IOC_CALL == 0xC0145601


def test_without_the_device_the_program_reports_a_cuda_error(saxpy_elf, tmp_path):
    from vlab.os.boot import run_program

    done = run_program(saxpy_elf, root=tmp_path)
    assert done.exit_code == 1
    assert b"cuMemAlloc(&dx, sizeof x) failed: CUresult 3" in done.stdout \
        or b"cuInit(0) failed: CUresult 3" in done.stdout


@pytest.mark.parametrize("transport", ["pcie"])
def test_an_unknown_transport_is_named(saxpy_elf, transport):
    with pytest.raises(ValueError, match="native, vm, network"):
        run_accel_program(saxpy_elf, transport)
