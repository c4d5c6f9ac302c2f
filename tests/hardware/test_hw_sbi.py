"""SBI guests under the ``hw`` VMM: a kernel entered in S-mode, the VMM its firmware.

The guest below runs natively in VS-mode and calls the VMM's SBI (vlab/hardware/sbi.py)
with ``ecall``: Base (version, probe), legacy putchar, DBCN write (also with a bad
address), an unknown extension, TIME set_timer -- the timer interrupt arrives through
``hvip.VSTIP`` at the guest's own stvec without an exit -- and SRST shutdown as its exit.
Each check sets ``gp``; a failed one prints its number and shuts down with "system
failure" (exit status 1).
"""
import pytest

from vlab.cli import main
from vlab.hardware import sbi
from vlab.hardware.vm import VirtualMachine, VmError
from vlab.isa.asm import assemble
from vlab.isa.elf import load_elf
from vlab.isa.privilege import S

RAM = 1 << 20
BUDGET = 100_000
DBCN, TIME, SRST = 0x4442434E, 0x54494D45, 0x53525354
KERNEL = f'''
.text
.globl _start
_start:
    la t0, trap
    csrw stvec, t0
    li gp, 2
    li a7, 0x10                     # Base: get_spec_version
    li a6, 0
    ecall
    bnez a0, fail
    li t0, 0x02000000               # 2.0
    bne a1, t0, fail
    li gp, 3
    li a7, 0x10                     # Base: probe_extension(DBCN)
    li a6, 3
    li a0, {DBCN}
    ecall
    li t0, 1
    bne a1, t0, fail
    li gp, 4
    li a7, 1                        # legacy console_putchar('[')
    li a0, 0x5B
    ecall
    li a7, {DBCN}                   # DBCN console_write(6, message)
    li a6, 0
    li a0, 6
    la a1, message
    li a2, 0
    ecall
    bnez a0, fail
    li t0, 6
    bne a1, t0, fail
    li gp, 5
    li a7, 0x12345                  # an extension nobody implements
    li a6, 0
    ecall
    li t0, -2                       # SBI_ERR_NOT_SUPPORTED
    bne a0, t0, fail
    li gp, 6
    li a7, {DBCN}                   # DBCN write from outside guest RAM
    li a6, 0
    li a0, 4
    li a1, 0x10
    li a2, 0
    ecall
    li t0, -5                       # SBI_ERR_INVALID_ADDRESS
    bne a0, t0, fail
    li gp, 7
    li t0, 0x20                     # sie.STIE, then a timer 50 ticks from now
    csrs sie, t0
    rdtime t1
    addi t1, t1, 50
    li a7, {TIME}
    li a6, 0
    mv a0, t1
    li a1, 0
    ecall
    csrsi sstatus, 2                # sstatus.SIE
wait:
    wfi
    j wait
trap:
    li gp, 8
    csrr t0, scause
    li t1, 0x80000005               # supervisor timer interrupt
    bne t0, t1, fail
    li gp, 9
    rdtime t0
    addi t1, t1, 0
    li a7, {TIME}                   # no more timer: set_timer(-1)
    li a6, 0
    li a0, -1
    li a1, -1
    ecall
    li a7, 1
    li a0, 0x5D                     # ']'
    ecall
    li a7, {SRST}                   # system_reset(shutdown, no reason)
    li a6, 0
    li a0, 0
    li a1, 0
    ecall
    j fail
fail:
    li a7, 1
    addi a0, gp, 0x30
    ecall
    li a7, {SRST}
    li a6, 0
    li a0, 0
    li a1, 1                        # system failure
    ecall
1:  j 1b
.data
message: .ascii "hello]"
'''


@pytest.fixture(params=['interp', 'dbt'])
def engine(request):
    return request.param


def kernel(source=KERNEL):
    return load_elf(assemble(source, filename='kernel.s').to_elf())


def test_sbi_guest_runs_in_vs_mode_and_exits_through_srst(engine):
    vm = VirtualMachine(kernel(), cpu='hw', entry='S', engine=engine, guest_ram=RAM)
    result = vm.run(max_instructions=BUDGET)
    assert vm.console == b'[hello]]', vm.console
    assert (result.status, result.exit_code) == ('exit', 0), str(result)
    assert vm.exits['SBI Base'] == 2 and vm.exits['SBI DBCN'] == 2
    assert vm.exits['SBI TIME'] == 2 and vm.exits['SBI SRST'] == 1
    assert vm.exits['SBI unknown extension 0x12345'] == 1
    assert vm.exits['machine timer interrupt'] == 1      # the VMM raised hvip.VSTIP
    assert vm.vmm.vcpu.priv == S and vm.machine.hart.virt == 1
    assert 'scause' not in vm.exits and 'sret' not in vm.exits


def test_a_failed_check_shuts_down_with_system_failure():
    broken = KERNEL.replace('li t0, 0x02000000               # 2.0',
                            'li t0, 0x01000000')
    vm = VirtualMachine(kernel(broken), cpu='hw', entry='S', guest_ram=RAM)
    result = vm.run(max_instructions=BUDGET)
    assert (result.status, result.exit_code, vm.console) == ('exit', 1, b'2')


def test_reboot_stops_the_vm_with_a_reason():
    source = f'.text\n.globl _start\n_start:\n li a7, {SRST}\n li a6, 0\n li a0, 1\n' \
             ' li a1, 0\n ecall\n1: j 1b\n'
    result = VirtualMachine(kernel(source), cpu='hw', entry='S', guest_ram=RAM).run(BUDGET)
    assert result.status == 'idle' and 'cold reboot' in result.message


def test_idle_guest_without_a_timer_stops():
    source = '.text\n.globl _start\n_start:\n wfi\n j _start\n'
    result = VirtualMachine(kernel(source), cpu='hw', entry='S', guest_ram=RAM).run(BUDGET)
    assert result.status == 'idle' and 'no timer' in result.message


def test_hypervisor_csrs_are_illegal_for_an_sbi_guest():
    source = '''.text
.globl _start
_start:
    la t0, trap
    csrw stvec, t0
    csrr t1, hstatus                # VS-mode: a virtual instruction, reflected as illegal
    j fail
trap:
    csrr t0, scause
    li t1, 2
    bne t0, t1, fail
    li a7, 0x53525354
    li a6, 0
    li a0, 0
    li a1, 0
    ecall
fail:
    li a7, 8
    ecall
1:  j 1b
'''
    vm = VirtualMachine(kernel(source.replace('li a7, 8', 'li a7, 0x53525354\n    li a1, 1')),
                        cpu='hw', entry='S', guest_ram=RAM)
    result = vm.run(BUDGET)
    assert (result.status, result.exit_code) == ('exit', 0), str(result)
    assert vm.exits['virtual instruction (reflected as illegal)'] == 1


def test_the_clint_belongs_to_the_firmware():
    source = '''.text
.globl _start
_start:
    la t0, trap
    csrw stvec, t0
    li t0, 0x0200BFF8
    lw t1, 0(t0)                    # CLINT mtime: not the guest's
    j 1f
trap:
    csrr a0, scause
    li a7, 1
    addi a0, a0, 0x30
    ecall
1:  li a7, 8
    ecall
'''
    vm = VirtualMachine(kernel(source), cpu='hw', entry='S', guest_ram=RAM)
    result = vm.run(BUDGET)
    assert (result.status, result.exit_code, vm.console) == ('exit', 0, b'5')   # cause 5


def test_s_entry_needs_a_vmm_with_sbi_firmware():
    with pytest.raises(VmError, match='SBI'):
        VirtualMachine(kernel(), cpu='bt', entry='S', guest_ram=RAM)
    with pytest.raises(VmError, match='starts in'):
        VirtualMachine(kernel(), cpu='hw', entry='U', guest_ram=RAM)


class _Host(sbi.SbiHost):
    def __init__(self, ram=b''):
        self.out, self.timer = bytearray(), None
        super().__init__(self.out.append, lambda gpa, n: ram[gpa:gpa + n]
                         if gpa + n <= len(ram) else None, self._set)

    def _set(self, value):
        self.timer = value


def call(host, eid, fid=0, *args):
    regs = [0] * 32
    regs[17], regs[16] = eid, fid
    for i, value in enumerate(args):
        regs[10 + i] = value
    return sbi.sbi_call(host, regs)


def test_sbi_table_rules():
    host = _Host(b'abcdef')
    assert call(host, 0x10, 0)[1].value == 2 << 24
    assert call(host, 0x10, 3, TIME)[1].value == 1
    assert call(host, 0x10, 3, 0x735049)[1].value == 0          # not implemented: 0
    assert call(host, 0x10, 9)[1].error == sbi.ERR_NOT_SUPPORTED
    assert call(host, TIME, 0, 5, 1)[1] == sbi.SbiResult() and host.timer == 1 << 32 | 5
    assert call(host, TIME, 1)[1].error == sbi.ERR_NOT_SUPPORTED
    assert call(host, 0x00, 0, 7, 0)[1].returns is False and host.timer == 7
    assert call(host, DBCN, 0, 3, 2, 0)[1].value == 3 and bytes(host.out) == b'cde'
    assert call(host, DBCN, 0, 3, 2, 1)[1].error == sbi.ERR_INVALID_ADDRESS
    assert call(host, DBCN, 1, 8, 0, 0)[1].value == 0
    assert call(host, DBCN, 2, 0x7A)[1].error == 0 and host.out.endswith(b'z')
    assert call(host, SRST, 0, 0, 0)[1].exit == 0
    assert call(host, SRST, 0, 0, 1)[1].exit == 1
    assert 'warm reboot' in call(host, SRST, 0, 2, 0)[1].stop
    assert call(host, SRST, 0, 9, 0)[1].error == sbi.ERR_INVALID_PARAM
    assert call(host, 0x08)[1].exit == 0


def test_cli_runs_an_sbi_guest(tmp_path, capfd):
    path = tmp_path / 'kernel.s'
    path.write_text(KERNEL + '.align 3\ntohost: .word 0, 0\n')
    status = main(['vm', 'run', str(path), '--entry', 'S', '--stats'])
    out, err = capfd.readouterr()
    assert (status, out) == (0, '[hello]]'), err
    assert 'SBI DBCN: 2' in err and 'CPU virtualization: hw' in err
