"""``vlab vm run --suspend-at/--snapshot``, ``vm resume``, ``vm image``, ``vm migrate-demo``:
output split at the suspension and continued on resume, clear errors for bad files."""
from vlab.cli import main
from vlab.hardware.lifecycle.guests import dirtying_guest_elf

KNOBS = dict(wws_pages=4, dirty=1, work=10, iters=200, static_pages=2, print_every=10)


def guest(tmp_path):
    path = tmp_path / 'guest.elf'
    path.write_bytes(dirtying_guest_elf(**KNOBS))
    return str(path)


def test_suspend_then_resume_prints_the_rest(tmp_path, capsys):
    elf = guest(tmp_path)
    whole = main(['vm', 'run', elf, '--cpu', 'trap-emulate'])
    assert whole == 0
    full = capsys.readouterr().out
    snap = str(tmp_path / 'vm.snap')
    assert main(['vm', 'run', elf, '--cpu', 'trap-emulate', '--suspend-at', '3000',
                 '--snapshot', snap]) == 0
    first = capsys.readouterr()
    assert 'suspended after 3000 instructions' in first.err
    assert main(['vm', 'resume', snap]) == whole
    rest = capsys.readouterr().out
    assert first.out + rest == full and first.out and rest


def test_resume_refuses_a_damaged_file(tmp_path, capsys):
    elf = guest(tmp_path)
    snap = tmp_path / 'vm.snap'
    main(['vm', 'run', elf, '--suspend-at', '500', '--snapshot', str(snap)])
    snap.write_bytes(snap.read_bytes()[:-5])
    capsys.readouterr()
    assert main(['vm', 'resume', str(snap)]) == 2
    err = capsys.readouterr().err
    assert 'truncated' in err and 'Traceback' not in err


def test_image_create_clone_info(tmp_path, capsys):
    base, clone = str(tmp_path / 'base.img'), str(tmp_path / 'c')
    assert main(['vm', 'image', 'create', base, '--size', '65536']) == 0
    assert main(['vm', 'image', 'clone', base, clone, '--count', '3']) == 0
    assert main(['vm', 'image', 'info', clone + '-2']) == 0
    out = capsys.readouterr().out
    assert '3 clone(s)' in out and 'backing: base.img' in out
    assert main(['vm', 'image', 'info', str(tmp_path / 'none.img')]) == 2
    assert 'cannot open' in capsys.readouterr().err


def test_migrate_demo_prints_rounds_then_the_guest(capsys):
    assert main(['vm', 'migrate-demo', '--at', '2000', '--wws', '4', '--method',
                 'precopy', '--bandwidth', '1G']) == 0
    out = capsys.readouterr().out
    assert 'round  1' in out and 'downtime' in out and 'bytes sent' in out
    assert out.rstrip().endswith('x')                     # the guest's letters follow
    assert main(['vm', 'migrate-demo', '--method', 'postcopy', '--latency', '1ms']) == 0
    assert 'network faults' in capsys.readouterr().out
    assert main(['vm', 'migrate-demo', '--bandwidth', 'lots']) == 2
    assert 'bits per second' in capsys.readouterr().err


def test_a_vm_with_io_devices_is_not_suspended_half(tmp_path, capsys):
    elf = guest(tmp_path)
    snap = tmp_path / 'io.snap'
    assert main(['vm', 'run', elf, '--io', 'virtio', '--suspend-at', '100',
                 '--snapshot', str(snap)]) == 2
    assert 'not captured yet' in capsys.readouterr().err and not snap.exists()
