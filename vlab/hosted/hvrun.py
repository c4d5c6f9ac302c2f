"""One guest on hypervisor type 1, 2 or dual: the same result, different exit paths.

``run_guest(guest, hv_type)`` runs a bare-metal guest (a path or an ElfImage) and returns
a ``TypeRun``: its exit code and console output (equal for every type: Popek &
Goldberg's equivalence), its exits split by path (``paths.py``: 'any' for types 1 and 2,
'kernel' and 'user' for dual-mode), the world, mode and context switches those paths
imply, and the modeled time from the ledger, by event.

* type 1: vlab/hardware/vm.py's VirtualMachine with the VMM chosen by ``cpu``;
* type 2: the same VMM as a host process (``type2.py``), ``cpu`` as for type 1;
* dual: the host kernel's ``/dev/kvm`` and the user-mode VMM (``dual.py``); the kernel
  part is the KVM-style VMM on the H extension, so ``cpu`` must be 'hw'.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from vlab.hardware.vm import VirtualMachine, VmError
from vlab.host.costs import CostModel

from . import paths, type2
from .dual import run_dual

DEFAULT_BUDGET = 5_000_000


@dataclass
class TypeRun:
    """What a run under one hypervisor type gives (``text()`` is ``--stats``)."""

    hv_type: str
    cpu: str
    status: str
    exit_code: int | None
    console: bytes
    message: str
    guest_instructions: int
    exits: dict                       # the VMM's exits by reason (CPU and memory)
    exit_paths: dict                  # path kind -> exits taking it (paths.py)
    switches: dict                    # world / mode / context switches
    cycles: dict                      # ledger event -> (count, cycles each)
    total_cycles: float
    user_exits: dict = field(default_factory=dict)    # dual: KVM_RUN returns by reason

    @property
    def world_switches_per_exit(self) -> float:
        total = sum(self.exit_paths.values())
        return self.switches[paths.WORLD] / total if total else 0.0

    @property
    def exit_cycles(self) -> float:
        """Modeled cycles of the exit paths alone (paths.PATH_EVENTS): the part of the
        total that depends on the type (dual's total also holds booting the host process)."""
        costs = CostModel.default()
        return sum(n * paths.path_cycles(self.hv_type, kind, costs)
                   for kind, n in self.exit_paths.items())

    def text(self) -> str:
        lines = [f'hypervisor type: {self.hv_type} (CPU virtualization: {self.cpu})',
                 f'guest instructions: {self.guest_instructions}',
                 f'VM exits handled by the VMM: {sum(self.exits.values())}']
        lines += [f'  {reason}: {n}' for reason, n in sorted(self.exits.items())]
        if self.user_exits:
            lines.append('KVM_RUN returns to the user-mode VMM:')
            lines += [f'  {reason}: {n}' for reason, n in sorted(self.user_exits.items())]
        lines.append('exit paths (vlab/hosted/paths.py):')
        for kind, n in self.exit_paths.items():
            hops = paths.path(self.hv_type, kind)
            route = ' -> '.join([hops[0].source] + [h.target for h in hops])
            lines.append(f'  {n} x {route}')
        lines.append(', '.join(f'{what}es: {n}' for what, n in self.switches.items()))
        lines.append(f'world switches per exit: {self.world_switches_per_exit:g}; mode '
                     'switches per exit: '
                     f'{_per(self.switches[paths.MODE], self.exit_paths):g}')
        lines.append(f'modeled time of the exit paths: {self.exit_cycles:.0f} cycles')
        lines.append(f'modeled time: {self.total_cycles:.0f} cycles (vlab/host/costs.py)')
        lines += [f'  {event}: {count} x {price:g} = {count * price:.0f}'
                  for event, (count, price) in self.cycles.items()]
        return '\n'.join(lines)


def _per(total: int, exit_paths: dict) -> float:
    n = sum(exit_paths.values())
    return total / n if n else 0.0


def run_guest(guest, hv_type: str = '1', cpu: str = 'hw', engine: str = 'interp',
              max_instructions: int = DEFAULT_BUDGET) -> TypeRun:
    """Run ``guest`` under hypervisor ``hv_type`` ('1', '2' or 'dual')."""
    if hv_type not in paths.TYPES:
        raise VmError(f'hypervisor type {hv_type!r}: one of {", ".join(paths.TYPES)}')
    if hv_type == 'dual':
        if cpu != 'hw':
            raise VmError(f'--type dual runs the guest through /dev/kvm, whose VMM uses the '
                          f'hypervisor extension: use --cpu hw (not {cpu!r})')
        return _dual(guest, engine, max_instructions)
    if hv_type == '1':
        vm, kinds = VirtualMachine(guest, cpu=cpu, engine=engine), None
    else:
        vm, relay = type2.hosted_vm(guest, cpu=cpu, engine=engine)
    result = vm.run(max_instructions=max_instructions)
    if hv_type == '2' and result.status == 'exit':
        relay.exit_upcall()
    kinds = (Counter({'any': sum(vm.vmm.exits.values())}) if hv_type == '1'
             else type2.exit_kinds(relay))
    return TypeRun(hv_type, cpu, result.status, result.exit_code, vm.console,
                   result.message, vm.machine.hart.instret, dict(vm.vmm.exits),
                   dict(kinds), paths.switches(hv_type, kinds), _cycles(vm.ledger),
                   vm.ledger.total_cycles)


def _dual(guest, engine: str, max_instructions: int) -> TypeRun:
    run = run_dual(guest, engine=engine, guest_budget=max_instructions)
    module = run.module
    vm = module.vms[0] if module.vms else None
    user = sum(module.exits_to_user.values())
    kinds = {'kernel': sum(module.exits_in_kernel.values()), 'user': user}
    status, code, message = _guest_outcome(run, module)
    return TypeRun('dual', 'hw', status, code, run.stdout, message,
                   vm.guest_instructions if vm else 0, dict(module.exits_in_kernel),
                   kinds, paths.switches('dual', kinds), _cycles(run.host.ledger),
                   run.host.ledger.total_cycles, dict(module.exits_to_user))


def _guest_outcome(run, module):
    """The guest's status from the VMM process's end: its exit code is the guest's."""
    if module.exits_to_user.get('KVM_EXIT_SHUTDOWN'):
        return 'exit', run.result.exit_code, 'the guest wrote its exit code to tohost'
    if module.exits_to_user.get('KVM_EXIT_HLT'):
        return 'idle', None, module.message
    if module.message:
        return module.stopped_by or 'fault', None, module.message
    detail = run.stderr.decode('utf-8', 'replace').strip()
    return run.result.status, None, detail or run.result.message


def _cycles(ledger) -> dict:
    price = ledger.costs.cycles_of
    return {event: (count, price(event)) for event, count in ledger.counts.items()}
