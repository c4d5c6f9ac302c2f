"""Host swapping of a running hardware-assisted VM: pages go to disk between two runs,
come back on the guest's real guest-page faults, and the guest ends as if nothing
happened."""
import pytest

from vlab.hardware.overcommit import LiveGuestSwap, LiveSwapError
from vlab.hardware.vm import VirtualMachine
from vlab.lab.memvirt.workloads import guest

IMAGE = guest('pt-heavy', pages=8, rounds=6)
FRAMES = IMAGE.symbols['frames']
SIZE = 16 * 4096


def test_swapped_pages_come_back_on_faults_and_the_guest_ends_the_same():
    reference = VirtualMachine(IMAGE, cpu='hw', guest_ram=2 << 20)
    assert reference.run(500_000).exit_code == 0
    vm = VirtualMachine(IMAGE, cpu='hw', guest_ram=2 << 20)
    swap = LiveGuestSwap(vm)
    assert vm.run(max_instructions=1000).status == 'budget'
    for i in range(16):
        swap.swap_out(FRAMES + i * 4096)
    assert vm.machine.bus.read_bytes(FRAMES, SIZE) == bytes(SIZE)    # nothing stays
    result = vm.run(max_instructions=500_000)
    assert (result.status, result.exit_code) == ('exit', 0)
    assert vm.machine.hart.instret == reference.machine.hart.instret
    assert 0 < swap.swapped_in <= 16 == swap.swapped_out
    assert vm.ledger.count('swap_io') == 16 + swap.swapped_in
    assert vm.ledger.count('vm_exit') >= swap.swapped_in
    touched = [i for i in range(16) if FRAMES + i * 4096 not in swap.swapped]
    for i in touched:
        page = FRAMES + i * 4096
        assert vm.machine.bus.read_bytes(page, 4096) == \
            reference.machine.bus.read_bytes(page, 4096)


def test_what_cannot_be_swapped_is_said():
    with pytest.raises(LiveSwapError, match='needs --cpu hw'):
        LiveGuestSwap(VirtualMachine(IMAGE, cpu='trap-emulate', guest_ram=2 << 20))
    swap = LiveGuestSwap(VirtualMachine(IMAGE, cpu='hw', guest_ram=2 << 20))
    with pytest.raises(LiveSwapError, match='not a mapped page of guest RAM'):
        swap.swap_out(0x8100_0000)
    big = LiveGuestSwap(VirtualMachine(IMAGE, cpu='hw', guest_ram=4 << 20))
    with pytest.raises(LiveSwapError, match='megapage'):
        big.swap_out(FRAMES)
