"""The teaching guest kernel (vlab/hardware/guest_kernel): a static Linux-ABI user program
gives, on the guest kernel in a VM, the same output and exit status as on ``vlab run
--mode user`` (the host proxy kernel, vlab/os), under every method that boots it."""
from __future__ import annotations

import io
from pathlib import Path

import pytest

from vlab.cli import main
from vlab.hardware.guest_kernel.boot import boot_user_program
from vlab.hardware.guest_kernel.build import build_kernel
from vlab.hardware.guest_kernel.native import boot_native
from vlab.hardware.vm import VmError
from vlab.isa.runtime import compile_c
from vlab.os.boot import boot

PROGRAMS = Path(__file__).parents[1] / 'isa' / 'c_programs'
NAMES = ['hello', 'fib', 'exit_code', 'heap', 'sort', 'sysinfo', 'segfault']
METHODS = ['native', 'hw', 'trap-emulate', 'paravirt']   # native: the bare machine's SBI
BUDGET = 20_000_000
MUSL_HELLO = r'''#include <stdio.h>
#include <stdlib.h>
#include <string.h>
int main(int argc, char **argv)
{
    char *p = malloc(100000);            /* brk or mmap */
    memset(p, 1, 100000);
    printf("hello from musl, %d args, last %s, %d\n", argc, argv[argc - 1], p[99999]);
    return 3;
}
'''


SPIN = r'''#include "vlab.h"
int main(void)
{
    for (volatile int i = 0; i < 400000; i++)
        ;
    printf("spun\n");
    return 0;
}
'''

POINTERS = r'''#include "vlab.h"
int main(void)
{
    printf("kernel memory: %d\n", (int)write(1, (void *)0xC0000000, 16));
    printf("kernel image: %d\n", (int)write(1, (void *)0x80000000, 16));
    printf("unmapped: %d\n", (int)write(1, (void *)0x30000000, 16));
    printf("bad fd: %d\n", (int)write(7, "x", 1));
    return 0;
}
'''


def side(name: str, suffix: str) -> list[str]:
    path = PROGRAMS / f'{name}{suffix}'
    return path.read_text().splitlines() if path.exists() else []


@pytest.fixture(scope='module')
def elves(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp('guest-kernel-programs')
    built = {name: compile_c([PROGRAMS / f'{name}.c'], out / f'{name}.elf') for name in NAMES}
    (out / 'musl_hello.c').write_text(MUSL_HELLO)
    built['musl_hello'] = compile_c([out / 'musl_hello.c'], out / 'musl_hello.elf',
                                    libc='musl')
    (out / 'spin.c').write_text(SPIN)
    built['spin'] = compile_c([out / 'spin.c'], out / 'spin.elf')
    (out / 'pointers.c').write_text(POINTERS)
    built['pointers'] = compile_c([out / 'pointers.c'], out / 'pointers.elf')
    return built


def reference(elf: Path, argv: list[str], envp: list[str], root: Path):
    """Output and status under `vlab run --mode user` (the host proxy kernel)."""
    stdout = io.BytesIO()
    booted = boot(elf, argv=argv, envp=envp, stdin=io.BytesIO(), stdout=stdout,
                  stderr=io.BytesIO(), root=root)
    result = booted.machine.run(max_instructions=BUDGET)
    status = result.exit_code if result.status == 'exit' else 128 + booted.process.fault.signal
    return stdout.getvalue(), status


def on_guest_kernel(elf: Path, argv, envp, cpu: str):
    if cpu == 'native':
        machine, _ = boot_native(elf, argv, envp)
        result = machine.run(max_instructions=BUDGET)
        assert result.status == 'exit', result.message
        return machine.platform.console_output(), result.exit_code, machine
    vm = boot_user_program(elf, argv, envp, cpu=cpu)
    result = vm.run(max_instructions=BUDGET)
    assert result.status == 'exit', result.message
    return vm.console, result.exit_code, vm


@pytest.mark.parametrize('cpu', METHODS)
@pytest.mark.parametrize('name', [*NAMES, 'musl_hello'])
def test_same_output_and_status_as_vlab_run_user(name, cpu, elves, tmp_path):
    argv = [name, *side(name, '.args')] if name != 'musl_hello' else [name, 'one', 'two']
    envp = side(name, '.env')
    expected = reference(elves[name], argv, envp, tmp_path)
    console, status, _ = on_guest_kernel(elves[name], argv, envp, cpu)
    assert (console, status) == expected
    assert console                                  # every program prints something


def test_the_kernel_build_is_cached():
    first = build_kernel('native')
    stamp = first.stat().st_mtime_ns
    assert build_kernel('native') == first and first.stat().st_mtime_ns == stamp
    assert build_kernel('paravirt') != first        # -DPARAVIRT: another image


@pytest.mark.parametrize('cpu', ['hw', 'paravirt'])
def test_the_timer_ticks_through_sbi(elves, cpu):
    """The kernel arms the SBI timer at boot and re-arms it on every tick (1 ms = 100,000
    instructions): a user loop of about 2.4 M instructions is interrupted ~20 times and
    still prints what it should."""
    console, status, vm = on_guest_kernel(elves['spin'], ['spin'], [], cpu)
    assert (console, status) == (b'spun\n', 0)
    ticks = vm.machine.hart.instret // 100_000      # the timer is armed after the boot
    assert 15 <= vm.exits['SBI TIME'] <= ticks + 1            # (~0.7 M instructions)


def test_the_timer_ticks_on_the_bare_machine_too(elves):
    machine, firmware = boot_native(elves['spin'], ['spin'])
    assert machine.run(max_instructions=BUDGET).exit_code == 0
    assert machine.platform.console_output() == b'spun\n'
    assert 15 <= firmware.calls['TIME'] <= machine.hart.instret // 100_000 + 1


def test_bad_user_programs_are_clear_errors(tmp_path, elves):
    text = tmp_path / 'notes.txt'
    text.write_text('not a program')
    with pytest.raises(VmError, match='not an ELF file'):
        boot_user_program(text)
    with pytest.raises(VmError, match='cannot read'):
        boot_user_program(tmp_path / 'missing.elf')
    with pytest.raises(VmError, match='does not fit'):
        boot_user_program(elves['hello'], guest_ram=8 << 20)


def test_an_elf_the_kernel_cannot_load_panics_with_a_reason(elves, tmp_path):
    broken = bytearray(Path(elves['hello']).read_bytes())
    broken[18] = 0x3E                                # e_machine: x86-64
    vm = boot_user_program(bytes(broken), cpu='hw')
    result = vm.run(max_instructions=BUDGET)
    assert result.exit_code == 255
    assert b'not a static RV32 ELF executable' in vm.console


def test_cli_runs_a_user_program_after_double_dash(elves, capfd):
    status = main(['vm', 'run', '--cpu', 'paravirt', '--', str(elves['exit_code'])])
    out, err = capfd.readouterr()
    assert status == 42 and out == 'leaving with 42\n' and err == ''
    status = main(['vm', 'run', '--stats', '--', str(elves['hello'])])
    out, err = capfd.readouterr()
    assert status == 0 and out == 'Hello, RV32!\n' and 'CPU virtualization: hw' in err
    status = main(['vm', 'run', '--cpu', 'bt', '--', str(elves['hello'])])
    out, err = capfd.readouterr()
    assert status == 2 and 'is a user program' in err


@pytest.mark.parametrize('cpu', ['hw', 'trap-emulate', 'paravirt'])
def test_the_dbt_engine_runs_the_guest_kernel_alike(elves, tmp_path, cpu):
    expected = reference(elves['sysinfo'], ['sysinfo', 'a'], [], tmp_path)
    vm = boot_user_program(elves['sysinfo'], ['sysinfo', 'a'], cpu=cpu, engine='dbt')
    result = vm.run(max_instructions=BUDGET)
    assert (vm.console, result.exit_code) == expected


@pytest.mark.parametrize('cpu', METHODS)
def test_user_pointers_into_the_kernel_are_efault(elves, tmp_path, cpu):
    """The kernel checks every user pointer against the page table (U pages only): the
    program cannot make it read kernel memory, as with vlab run --mode user."""
    expected = reference(elves['pointers'], ['pointers'], [], tmp_path)
    console, status, _ = on_guest_kernel(elves['pointers'], ['pointers'], [], cpu)
    assert (console, status) == expected
    assert console.count(b': -14\n') == 3
