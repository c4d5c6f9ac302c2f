"""``vlab vm run --type 2|dual``: same output and status as --type 1, stats with paths."""
import pytest
from hosted_guests import GREETING, PRINTING

from vlab.cli import main
from vlab.isa.asm import assemble


@pytest.fixture
def guest(tmp_path):
    path = tmp_path / 'printing.elf'
    path.write_bytes(assemble(PRINTING, filename='printing.s').to_elf())
    return str(path)


@pytest.mark.parametrize('hv_type', ['1', '2', 'dual'])
def test_same_output_and_status(guest, capfd, hv_type):
    status = main(['vm', 'run', guest, '--type', hv_type])
    out, err = capfd.readouterr()
    assert (status, out.encode()) == (3, GREETING) and 'Traceback' not in err


def test_stats_show_world_switches_per_exit(guest, capfd):
    main(['vm', 'run', guest, '--type', '2', '--stats'])
    err = capfd.readouterr().err
    assert 'guest -> host kernel -> VMM process -> host kernel -> guest' in err
    assert 'world switches per exit: 2; mode switches per exit: 2' in err


def test_dual_needs_hw_and_options_of_type1_are_refused(guest, capfd):
    assert main(['vm', 'run', guest, '--type', 'dual', '--cpu', 'trap-emulate']) == 2
    assert 'use --cpu hw' in capfd.readouterr().err
    assert main(['vm', 'run', guest, '--type', '2', '--io', 'virtio']) == 2
    assert 'use --type 1' in capfd.readouterr().err
