"""``vlab vm run``: a bare-metal guest gives the console output and exit status that
``vlab run`` gives for it on the bare machine; what is not built says so (status 2)."""
import guest_programs as guests
import pytest

from vlab.cli import main

HELLO = '''
    la t0, fail
    csrw mtvec, t0
    la s0, message
    la s1, tohost
next:
    lbu a0, 0(s0)
    beqz a0, done
    li a1, 0x01010000               # HTIF console device 1, putchar
    sw a0, 0(s1)
    sw a1, 4(s1)
    addi s0, s0, 1
    j next
done:
    csrr a0, mscratch               # one privileged instruction for the VMM
    li gp, 21
    j fail
'''
MESSAGE = '.data\nmessage: .asciz "hello from a guest\\n"\n'
GUESTS = {
    'hello': (HELLO, MESSAGE),
    'mstatus': (guests.MSTATUS_ROUND_TRIP, ''),
    'nowhere': (guests.JUMP_TO_NOWHERE, ''),
    'storm': (guests.TRAP_STORM, ''),
    'spin': ('spin: j spin\n', ''),
}


def source(name: str) -> str:
    body, data = GUESTS[name]
    return '.text\n.globl _start\n_start:\n' + body + guests.EPILOGUE + data


def write(tmp_path, name: str) -> str:
    path = tmp_path / f'{name}.s'
    path.write_text(source(name))
    return str(path)


def cli(capfd, *argv):
    status = main(list(argv))
    out, err = capfd.readouterr()
    return status, out, err


@pytest.mark.parametrize('name', ['hello', 'mstatus', 'nowhere', 'storm'])
@pytest.mark.parametrize('engine', ['interp', 'dbt'])
def test_same_output_and_status_as_vlab_run(tmp_path, capfd, name, engine):
    path = write(tmp_path, name)
    bare = cli(capfd, 'run', path, '--engine', engine)
    virtual = cli(capfd, 'vm', 'run', path, '--engine', engine)
    assert virtual[:2] == bare[:2]
    if name == 'hello':
        assert bare[:2] == (21, 'hello from a guest\n')


def test_stats_show_exits_and_modeled_time(tmp_path, capfd):
    status, out, err = cli(capfd, 'vm', 'run', write(tmp_path, 'hello'), '--stats')
    assert status == 21 and out == 'hello from a guest\n'
    assert 'guest instructions: ' in err
    assert 'csrrs: 1' in err and 'csrrw: 1' in err
    assert 'vm_exit: 2 x 1500 = 3000' in err


def test_non_virtualizable_switch_changes_the_result(tmp_path, capfd):
    path = write(tmp_path, 'mstatus')
    te = ('--cpu', 'trap-emulate')
    assert cli(capfd, 'vm', 'run', path, *te)[0] == 0
    assert cli(capfd, 'vm', 'run', path, *te, '--non-virtualizable')[0] == 2
    assert cli(capfd, 'vm', 'run', path, '--cpu', 'bt', '--non-virtualizable')[0] == 0


def test_bt_stats_show_translations_callouts_and_remaining_exits(tmp_path, capfd):
    status, out, err = cli(capfd, 'vm', 'run', write(tmp_path, 'hello'), '--cpu', 'bt',
                           '--stats')
    assert status == 21 and out == 'hello from a guest\n'
    assert 'CPU virtualization: bt' in err and 'VM exits: 0' in err
    assert 'callouts made: 2' in err and 'bt_callout: 2 x 400 = 800' in err
    assert 'guest-kernel instructions translated: ' in err


def test_guest_fault_is_reported_like_vlab_run(tmp_path, capfd):
    status, out, err = cli(capfd, 'vm', 'run', write(tmp_path, 'nowhere'))
    assert status == 139                                    # 128 + SIGSEGV
    assert 'instruction access fault' in err and 'Traceback' not in err


def test_budget(tmp_path, capfd):
    status, out, err = cli(capfd, 'vm', 'run', write(tmp_path, 'spin'),
                           '--max-instructions', '500')
    assert status == 124 and 'budget' in err


@pytest.mark.parametrize('argv, words', [
    (['--cpu', 'paravirt'], 'runs the paravirtual build of the guest kernel'),
])
def test_methods_not_built_are_usage_errors(tmp_path, capfd, argv, words):
    status, out, err = cli(capfd, 'vm', 'run', write(tmp_path, 'hello'), *argv)
    assert status == 2 and words in err


def test_no_guest_and_bad_files(tmp_path, capfd):
    status, _, err = cli(capfd, 'vm', 'run')
    assert status == 2 and 'no program' in err
    status, _, err = cli(capfd, 'vm', 'run', str(tmp_path / 'missing.elf'))
    assert status == 2 and 'cannot read' in err
    user = tmp_path / 'user.s'
    user.write_text('.text\n.globl _start\n_start:\n li a7, 93\n ecall\n')
    status, _, err = cli(capfd, 'vm', 'run', '--', str(user))
    assert status == 2 and 'not an ELF file' in err      # the guest kernel loads ELFs
