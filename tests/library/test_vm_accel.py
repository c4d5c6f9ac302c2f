"""vCUDA inside a VM: the same cuda.h program natively and as a whole VM under ``--cpu hw``
whose calls cross the accelerator's virtio queue (vlab/library/accel/vmguest/)."""

import struct

import pytest

from vlab.cli import main as vlab
from vlab.hardware.vm import VirtualMachine, VmError
from vlab.isa.runtime.driver import ToolchainMissing
from vlab.library.accel.backend import Backend
from vlab.library.accel.device import Accelerator
from vlab.library.accel.guest import run_accel_program
from vlab.library.accel.vmguest import DEMOS, build_native_program, build_vm_program, run_in_vm
from vlab.library.accel.vmguest.run import accel_device, attach_args, device_exits


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """name -> (VM guest ELF, native musl ELF), each from the same source."""
    out = tmp_path_factory.mktemp("vm-accel")
    try:
        return {name: (build_vm_program(src, out / f"{name}.vm"),
                       build_native_program(src, out / f"{name}.native"))
                for name, src in DEMOS.items()}
    except ToolchainMissing as exc:
        pytest.skip(str(exc))


@pytest.mark.parametrize("name", sorted(DEMOS))
def test_same_output_natively_in_a_vm_and_over_the_network(built, name):
    vm_elf, native_elf = built[name]
    remote = run_in_vm(vm_elf)
    native = run_accel_program(native_elf, "native")
    network = run_accel_program(native_elf, "network")
    assert remote.result.status == "exit" and remote.result.exit_code == 0
    assert native.exit_code == 0 and network.exit_code == 0
    assert remote.console == native.stdout == network.stdout
    assert remote.console.startswith(name.encode() + b" ")
    assert b"failed" not in remote.console and b"DIFFERENT" not in remote.console
    if name == "bigcopy":          # 128 KiB back in 64 KiB-reply pieces, one call each
        assert remote.device.ops["cuMemcpyDtoH"] == 1 + -(-(128 << 10) // (0x10000 - 64))


def test_one_exit_per_call_and_a_fixed_start_up(built):
    startup = set()
    for name in ("saxpy", "matmul"):
        run = run_in_vm(built[name][0])
        calls = run.device.calls
        assert calls == run.transport.notifications       # one QueueNotify per call
        at_device = device_exits(run.vm, run.transport)
        startup.add(at_device - calls)                     # the driver's start-up only
        assert run.vm.ledger.counts["vm_exit"] == sum(run.vm.exits.values())
        assert run.vm.ledger.counts["accel_launch"] == 1
    assert len(startup) == 1 and 15 < startup.pop() < 40
    saxpy = run_in_vm(built["saxpy"][0])
    assert saxpy.device.calls == 11                        # the cuda.h calls in saxpy.c
    assert saxpy.device.ops == {"cuInit": 1, "cuMemAlloc": 2, "cuMemcpyHtoD": 2,
                                "cuModuleGetFunction": 1, "cuLaunchKernel": 1,
                                "cuCtxSynchronize": 1, "cuMemcpyDtoH": 1, "cuMemFree": 2}
    text = saxpy.summary()
    assert "11 calls" in text and "per call" in text and "modeled time" in text


def test_extra_device_needs_the_hw_vmm(built):
    with pytest.raises(VmError, match="needs --cpu hw"):
        VirtualMachine(built["saxpy"][0], cpu="trap-emulate", extra_devices=attach_args())


def test_extra_devices_take_free_slots_until_none_is_left(built):
    four = [(f"accel{i}", accel_device(f"vm{i}")) for i in range(4)]
    vm = VirtualMachine(built["saxpy"][0], cpu="hw", extra_devices=four)
    bases = sorted(r.base for r in vm.machine.bus.regions if r.name.startswith("accel"))
    assert bases == [0x1000_7000, 0x1000_8000, 0x1000_9000, 0x1000_A000]
    with pytest.raises(VmError, match="no free slot"):
        VirtualMachine(built["saxpy"][0], cpu="hw", extra_devices=four + attach_args())


# ---------------------------------------------------------------- a hostile guest
PARAMS = 0x8040_0000
LAYOUT = struct.Struct("<6I128s16s")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    from vlab.library.accel.vmguest.build import HOSTILE
    try:
        return build_vm_program(HOSTILE, tmp_path_factory.mktemp("hostile") / "hostile")
    except ToolchainMissing as exc:
        pytest.skip(str(exc))


def attack(elf, op, target, backend=None, client="mallory", text=b""):
    vm = VirtualMachine(elf, cpu="hw", extra_devices=attach_args(client, backend))
    vm.machine.bus.write_bytes(PARAMS, LAYOUT.pack(op, target, 0, 0, 0, 0, text, b""))
    result = vm.run(max_instructions=2_000_000)
    assert result.status == "exit" and result.exit_code == 0, result.message
    fields = LAYOUT.unpack(vm.machine.bus.read_bytes(PARAMS, LAYOUT.size))
    values = [v - (1 << 32) if v >= 1 << 31 else v for v in fields[2:6]]
    return vm, values, fields[6].split(b"\0")[0].decode(), fields[7]


def test_request_descriptor_outside_guest_ram_is_an_error_reply(hostile):
    for where in (0x8400_0000, 0x7000_0000):           # the VMM's memory; no RAM at all
        vm, (result, *_), text, _ = attack(hostile, 1, where)
        assert result == 1                               # CUDA_ERROR_INVALID_VALUE
        assert "bad request buffer" in text
        assert vm.extra_devices[0].error == ""           # the device keeps serving


def test_reply_descriptor_outside_guest_ram_stops_the_device_only(hostile):
    vm, (result, _, _, status), _, _ = attack(hostile, 2, 0x8400_0000)
    assert result == -1 and status & 64                  # DEVICE_NEEDS_RESET
    transport = vm.extra_devices[0]
    assert "outside" in transport.error or "RAM" in transport.error
    vmm_page = vm.machine.bus.read_bytes(0x8400_0000, 64)
    assert b"VCR1" not in vmm_page                       # nothing written into the VMM


def test_malformed_messages_get_error_replies(hostile):
    vm, (bad_magic, bad_length, _, _), text, _ = attack(hostile, 3, 0)
    assert bad_magic == 1 and "malformed request" in text and "expected" in text
    assert bad_length == 1
    assert vm.extra_devices[0].error == ""
    assert vm.extra_devices[0].backend.ops["malformed"] == 1     # the wrong magic


def test_another_tenants_memory_cannot_be_read_freed_or_launched_on(hostile):
    accel = Accelerator()
    backend = Backend(accel)
    secret = b"tenant A's data!"
    victim = accel.alloc("alice", 64)
    accel.write("alice", victim, secret)
    vm, (read, freed, launched, _), text, data = attack(hostile, 4, victim, backend)
    assert read == 1 and "not inside one allocation of this context" in text
    assert secret not in data and data == bytes(16)
    assert freed == 1 and launched == 700                # INVALID_VALUE, ILLEGAL_ADDRESS
    assert accel.read("alice", victim, len(secret)) == secret    # untouched, still hers


def test_a_vm_cannot_read_another_vms_device_memory(hostile):
    accel = Accelerator()
    backend = Backend(accel)                             # one device, two VMs as tenants
    secret = b"the other VM's key: 0123456789"
    victim = attack(hostile, 5, 0, backend, client="vm-a", text=secret)[0]
    pointer = struct.unpack_from("<I", victim.machine.bus.read_bytes(PARAMS + 4, 4))[0]
    assert accel.read("vm-a", pointer, len(secret)) == secret
    _, (read, freed, launched, _), _, data = attack(hostile, 4, pointer, backend, "vm-b")
    assert (read, freed, launched) == (1, 1, 700) and data == bytes(16)
    assert accel.read("vm-a", pointer, len(secret)) == secret


# ---------------------------------------------------------------- the CLI
def test_cli_runs_a_c_guest_with_the_remoted_accelerator(capsys):
    status = vlab(["vm", "run", str(DEMOS["saxpy"]), "--cpu", "hw", "--accel", "remote",
                   "--stats"])
    out = capsys.readouterr()
    assert status == 0 and out.out.startswith("saxpy n=1024")
    assert "remoted accelerator" in out.err and "11 calls" in out.err
    assert "11 QueueNotify (one per call)" in out.err
    assert "cuLaunchKernel 1" in out.err and "1 exit for its kick" in out.err


@pytest.mark.parametrize("options, why", [
    (["--cpu", "bt"], "needs --cpu hw"),
    (["--type", "2"], "--type 1"),
    (["--suspend-at", "1000"], "snapshot"),
])
def test_cli_bad_combinations_are_usage_errors(capsys, options, why):
    status = vlab(["vm", "run", str(DEMOS["saxpy"]), "--accel", "remote", *options])
    err = capsys.readouterr().err
    assert status == 2 and why in err and "Traceback" not in err


def test_cli_compile_error_is_a_usage_error(tmp_path, capsys):
    bad = tmp_path / "bad.c"
    bad.write_text("int main(void) { return missing; }\n")
    status = vlab(["vm", "run", str(bad), "--accel", "remote"])
    err = capsys.readouterr().err
    assert status == 2 and "missing" in err and "Traceback" not in err
