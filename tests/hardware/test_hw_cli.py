"""``vlab vm run --cpu hw``: the default method, its --stats, and its usage errors."""
import guest_programs as guests

from vlab.cli import main

DEVICE_HELLO = '''
    la t0, fail
    csrw mtvec, t0
    la s0, message
    li s1, 0x10000000               # the UART: every byte an MMIO exit under hw
next:
    lbu a0, 0(s0)
    beqz a0, done
    sb a0, 0(s1)
    addi s0, s0, 1
    j next
done:
    li gp, 7
    j fail
'''
MESSAGE = '.data\nmessage: .asciz "hi\\n"\n'


def write(tmp_path, body, data=''):
    path = tmp_path / 'guest.s'
    path.write_text('.text\n.globl _start\n_start:\n' + body + guests.EPILOGUE + data)
    return str(path)


def cli(capfd, *argv):
    status = main(list(argv))
    out, err = capfd.readouterr()
    return status, out, err


def test_hw_is_the_default_and_prints_its_stats(tmp_path, capfd):
    path = write(tmp_path, DEVICE_HELLO, MESSAGE)
    assert cli(capfd, 'run', path)[:2] == (7, 'hi\n')
    status, out, err = cli(capfd, 'vm', 'run', path, '--stats')
    assert (status, out) == (7, 'hi\n')
    assert 'CPU virtualization: hw' in err and 'MMIO store: 3' in err
    assert 'VM exits: 4' in err and 'vm_exit: 4 x 1500 = 6000' in err
    assert 'world switches: 8' in err and 'no shadow tables' in err


def test_non_virtualizable_switch_does_not_break_hw(tmp_path, capfd):
    path = write(tmp_path, guests.MSTATUS_ROUND_TRIP)
    assert cli(capfd, 'vm', 'run', path, '--cpu', 'trap-emulate',
               '--non-virtualizable')[0] == 2
    assert cli(capfd, 'vm', 'run', path, '--cpu', 'hw', '--non-virtualizable')[0] == 0


def test_s_entry_under_bt_is_a_usage_error(tmp_path, capfd):
    path = write(tmp_path, guests.MSTATUS_ROUND_TRIP)
    status, out, err = cli(capfd, 'vm', 'run', path, '--cpu', 'bt',
                           '--entry', 'S')
    assert status == 2 and 'SBI' in err and 'Traceback' not in err


def test_bad_guest_under_hw_exits_like_vlab_run(tmp_path, capfd):
    path = write(tmp_path, guests.JUMP_TO_NOWHERE)
    bare = cli(capfd, 'run', path)
    status, out, err = cli(capfd, 'vm', 'run', path, '--cpu', 'hw')
    assert status == bare[0] == 139
    assert 'instruction access fault' in err and 'Traceback' not in err
