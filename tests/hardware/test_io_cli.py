"""``vlab vm run --io``: the same UART guest, its stores exiting when the UART is emulated
and not when it is passed through; a clear usage error without ``--cpu hw``."""
from vlab.cli import main as vlab

GUEST = '''
.text
.globl _start
_start:
    li t0, 0x10000000
    li t1, 104
    sb t1, 0(t0)
    li t1, 105
    sb t1, 0(t0)
    li t1, 10
    sb t1, 0(t0)
    li a0, 1
    la t6, tohost
    sw a0, 0(t6)
    sw zero, 4(t6)
1:  j 1b
.data
.align 3
tohost: .word 0, 0
fromhost: .word 0, 0
'''


def run(tmp_path, capsys, *options):
    path = tmp_path / 'uart.s'
    path.write_text(GUEST)
    status = vlab(['vm', 'run', str(path), '--stats', *options])
    return status, capsys.readouterr()


def test_uart_stores_exit_when_emulated_not_when_passed_through(tmp_path, capsys):
    status, emulated = run(tmp_path, capsys, '--io', 'emulated')
    assert status == 0 and emulated.out == 'hi\n'
    assert 'MMIO store: 3' in emulated.err
    status, passed = run(tmp_path, capsys, '--io', 'passthrough')
    assert status == 0 and passed.out == 'hi\n'
    assert 'MMIO store' not in passed.err
    assert 'I/O virtualization: passthrough' in passed.err and '0 faults' in passed.err


def test_io_without_hw_is_a_usage_error(tmp_path, capsys):
    status, out = run(tmp_path, capsys, '--cpu', 'trap-emulate', '--io', 'virtio')
    assert status == 2 and 'needs --cpu hw' in out.err and 'Traceback' not in out.err
