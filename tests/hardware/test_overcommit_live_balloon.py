"""The balloon of a running hw VM: a guest driver's hypercall, the VMM reclaiming the
pages from the G-stage, demand-zero on a later touch, bad lists refused."""
from vlab.hardware.overcommit.live_balloon import BALLOON_GUEST, LiveBalloon
from vlab.hardware.vm import VirtualMachine
from vlab.isa.asm import assemble
from vlab.isa.elf import load_elf


def run(source):
    vm = VirtualMachine(load_elf(assemble(source, filename='balloon.s').to_elf()), cpu='hw',
                        guest_ram=2 << 20)
    balloon = LiveBalloon(vm)
    return vm, balloon, vm.run(200_000)


def test_the_guest_driver_gives_8_pages_and_gets_a_zeroed_one_back_on_touch():
    vm, balloon, result = run(BALLOON_GUEST)
    assert (result.status, result.exit_code) == ('exit', 0)     # its own checks passed
    assert len(balloon.ballooned) == 7 and balloon.reclaimed == 7
    assert balloon.demand_zero == 1
    assert vm.ledger.count('hypercall') == 1
    for page in balloon.ballooned:                               # unmapped, zeroed
        assert vm.vmm.g_stage.lookup(page) is None
        assert vm.machine.bus.read_bytes(page, 4096) == bytes(4096)


def test_a_list_naming_memory_outside_the_guest_is_refused_and_changes_nothing():
    bad = BALLOON_GUEST.replace('    la a0, list                     # the hypercall',
                                '    la t3, list\n    li t2, 0x81000\n    sw t2, 0(t3)\n'
                                '    la a0, list                     # the hypercall')
    vm, balloon, result = run(bad)
    assert result.exit_code == 2                                 # gp = 2: the SBI error
    assert balloon.refused == 1 and balloon.reclaimed == 0 and not balloon.ballooned


def test_other_ecalls_still_reach_the_guest_s_own_m_mode():
    vm, balloon, result = run(BALLOON_GUEST.replace('li a7, 0x0800BA11', 'li a7, 0x10'))
    assert result.status == 'fault'                              # its mtvec is 0
    assert balloon.reclaimed == 0 and vm.exits.get('ecall') == 1
