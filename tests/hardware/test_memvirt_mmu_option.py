"""--mmu per VM: the chosen memory virtualization is the one that runs."""
import pytest

from vlab.cli import main
from vlab.hardware.vm import VirtualMachine, VmError
from vlab.lab.memvirt.workloads import guest, guest_source

IMAGE = guest('pt-heavy', pages=8, rounds=4)


@pytest.mark.parametrize('cpu, mmu', [('trap-emulate', 'shadow'),
                                      ('trap-emulate', 'shadow-trace'),
                                      ('bt', 'shadow-trace'),
                                      ('hw', 'nested'), ('hw', 'nested-cached')])
def test_each_mmu_runs_the_guest_to_the_same_exit(cpu, mmu):
    vm = VirtualMachine(IMAGE, cpu=cpu, mmu=mmu, guest_ram=2 << 20)
    result = vm.run(500_000)
    assert (result.status, result.exit_code) == ('exit', 0)
    if mmu.startswith('shadow'):
        assert vm.vmm.shadow.tracing == (mmu == 'shadow-trace')
        assert vm.ledger.count('shadow_pt_update') > 0
    else:
        assert vm.machine.mmu.two_stage.nested_tlb == (mmu == 'nested-cached')
        assert vm.ledger.count('shadow_pt_update') == 0


@pytest.mark.parametrize('cpu, mmu, message', [('hw', 'shadow', '--mmu shadow needs --cpu'),
                                               ('trap-emulate', 'nested', 'needs --cpu hw'),
                                               ('hw', 'paging', 'choose one of')])
def test_a_method_the_cpu_cannot_provide_is_a_clear_error(cpu, mmu, message):
    with pytest.raises(VmError, match=message):
        VirtualMachine(IMAGE, cpu=cpu, mmu=mmu, guest_ram=2 << 20)


def test_the_cli_refuses_a_mismatch_without_a_traceback(tmp_path, capsys):
    source = tmp_path / 'guest.s'
    source.write_text(guest_source(pages=8, rounds=4))
    code = main(['vm', 'run', str(source), '--cpu', 'hw', '--mmu', 'shadow'])
    assert code != 0
    assert 'needs --cpu trap-emulate or bt' in capsys.readouterr().err
