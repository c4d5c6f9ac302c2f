"""What a translated system call costs: the trap and the kernel's work of the native
call, plus the layer's translation -- never less than the native call."""

from vlab.host.costs import CostModel
from vlab.isa.asm import assemble
from vlab.isa.elf import load_elf
from vlab.library.lxrun.build import EI_OSABI, ELFOSABI_FREEBSD
from vlab.library.lxrun.run import TRANSLATE_EVENT, run_bsd
from vlab.os.boot import run_program

LOOP = """_start:
    li s0, {n}
loop:
    beqz s0, done
    li {number_register}, {getpid}
    ecall
    addi s0, s0, -1
    j loop
done:
    li a0, 0
    li {number_register}, {exit}
    ecall
"""
LINUX = {"number_register": "a7", "getpid": 172, "exit": 94}
BSD = {"number_register": "t0", "getpid": 20, "exit": 1}     # FreeBSD's numbers


def _elf(abi: dict, n: int) -> bytes:
    return assemble(LOOP.format(n=n, **abi), text_base=0x1_0000).to_elf()


def _native_ledger(n: int, tmp_path):
    done = run_program(load_elf(_elf(LINUX, n)), root=str(tmp_path))
    assert done.exit_code == 0
    return done.booted.machine.ledger


def _foreign_ledger(n: int, tmp_path):
    elf = bytearray(_elf(BSD, n))
    elf[EI_OSABI] = ELFOSABI_FREEBSD                  # brandelf -t FreeBSD
    path = tmp_path / f"getpid{n}"
    path.write_bytes(bytes(elf))
    run = run_bsd(path, root=tmp_path)
    assert run.exit_code == 0, run.message
    return run.ledger


def _per_call(ledger_of, tmp_path, n=8):
    """Cycles and events of ``n`` more calls: the runs of n and 2n calls subtracted, so
    loading and exit cancel out."""
    small, large = ledger_of(n, tmp_path), ledger_of(2 * n, tmp_path)
    events = {event: (large.counts.get(event, 0) - small.counts.get(event, 0)) / n
              for event in set(large.counts) | set(small.counts)}
    return (large.total_cycles - small.total_cycles) / n, events


def test_a_foreign_call_costs_the_native_call_plus_the_translation(tmp_path):
    native, native_events = _per_call(_native_ledger, tmp_path)
    foreign, foreign_events = _per_call(_foreign_ledger, tmp_path)
    translate = CostModel.default().cycles_of(TRANSLATE_EVENT)
    # the same trap and kernel work per call as the native program ...
    assert foreign_events["trap"] == native_events["trap"] == 1
    assert foreign_events["syscall"] == native_events["syscall"] == 1
    assert foreign_events["instruction"] == native_events["instruction"]
    # ... plus one translation: more than native, by exactly that row
    assert foreign_events[TRANSLATE_EVENT] == 1
    assert foreign == native + translate
    assert foreign / native > 1.2
