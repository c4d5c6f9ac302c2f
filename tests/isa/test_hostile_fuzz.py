"""A bounded fuzz suite for the machine's inputs (issue 16): mutated ELF files and mutated
or generated assembly.  Seeded (``random.Random(seed)``), so every run tries the same
inputs and a failure names the seed that reproduces it.

What must hold for every input:

* ``load_elf`` returns an image or raises ElfFormatError; ``boot`` a machine or BootError;
  a run of at most ``BUDGET`` instructions ends with a RunResult -- no other exception;
* ``assemble`` returns a Program or raises AssemblyError, and a Program's ELF loads (or,
  for a program of no bytes at all, is refused as having nothing to run);
* ``vlab run`` and ``vlab asm`` end with a documented exit status and no traceback;
* the Python heap never grows past ``MEMORY_BOUND`` (tracemalloc peak, for all cases of a
  test together) and no case takes longer than ``CASE_SECONDS`` -- a hang detector, far
  above what any case needs, not a speed claim.
"""
from __future__ import annotations

import random
import struct
import time
import tracemalloc
from pathlib import Path

import pytest

from vlab.cli import main
from vlab.isa.asm import AssemblyError, assemble
from vlab.isa.asm.directives import DIRECTIVES
from vlab.isa.elf import ElfFormatError, load_elf
from vlab.os.boot import BootError, boot

CORPUS = sorted((Path(__file__).parent / "asm_corpus").glob("*.s"))
BUDGET = 2000
CASE_SECONDS = 10
MEMORY_BOUND = 96 << 20
RAM = 4 << 20
RUN_STATUSES = {0, 1, 2, 124, 132, 133, 134, 135, 139} | set(range(256))

USER = """
_start:
    la a1, msg
    li a0, 1
    li a2, 3
    li a7, 64
    ecall
    li a7, 93
    ecall
    .data
msg: .ascii "hi\\n"
buf: .space 64
"""
BARE = """
_start:
    li t0, 3
    la t1, tohost
    sw t0, 0(t1)
1:  j 1b
    .data
    .align 3
tohost: .word 0, 0
"""
# (offset, size) of the ELF32 header and program-header fields worth corrupting
HEADER_FIELDS = [(0x18, 4), (0x1C, 4), (0x20, 4), (0x28, 2), (0x2A, 2), (0x2C, 2),
                 (0x2E, 2), (0x30, 2), (0x32, 2)]
PHDR_FIELDS = [(4, 4), (8, 4), (16, 4), (20, 4), (24, 4), (28, 4)]
EXTREMES = [0, 1, 0x7F, 0x80, 0xFF, 0xFFFF, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_F000,
            0xFFFF_FFFF, 0x1000_0000]


def base_elves() -> list[bytes]:
    return [assemble(USER, text_base=0x8040_0000).to_elf(), assemble(BARE).to_elf(),
            assemble(USER, text_base=0x10000).to_elf()]


def mutate_elf(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        kind = rng.randrange(4)
        if kind == 0:                                  # a field to an extreme value
            phoff = struct.unpack_from("<I", out, 0x1C)[0] if len(out) >= 0x20 else 0
            fields = HEADER_FIELDS + [(phoff + rng.randrange(2) * 32 + o, s)
                                      for o, s in PHDR_FIELDS]
            offset, size = rng.choice(fields)
            if offset + size <= len(out):
                value = rng.choice(EXTREMES) & ((1 << (8 * size)) - 1)
                out[offset:offset + size] = value.to_bytes(size, "little")
        elif kind == 1 and out:                        # random bytes
            for _ in range(rng.randint(1, 16)):
                out[rng.randrange(len(out))] = rng.randrange(256)
        elif kind == 2:                                # truncated
            del out[rng.randrange(len(out) + 1):]
        else:                                          # garbage appended
            out += bytes(rng.randrange(256) for _ in range(rng.randint(1, 64)))
    return bytes(out)


class Bounded:
    """Measures the tracemalloc peak over a block, and each case's wall time."""

    def __enter__(self):
        tracemalloc.start()
        return self

    def __exit__(self, *exc):
        self.peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return False

    def case(self, seed, function, *args):
        started = time.perf_counter()
        result = function(*args)
        assert time.perf_counter() - started < CASE_SECONDS, f"seed {seed} took too long"
        return result


def load_boot_run(data: bytes) -> str:
    """What a mutated ELF did: 'bad-elf', 'bad-boot' or the run's status."""
    try:
        load_elf(data)
    except ElfFormatError:
        return "bad-elf"
    try:
        booted = boot(load_elf(data), stdout=_Sink(), stderr=_Sink(), ram_size=RAM)
    except BootError:
        return "bad-boot"
    return booted.machine.run(max_instructions=BUDGET).status


class _Sink:
    def write(self, data):
        return len(data)

    def flush(self):
        pass


@pytest.mark.parametrize("base", range(3))
def test_mutated_elves_fail_clearly_or_run_within_the_budget(base):
    data = base_elves()[base]
    outcomes = {}
    with Bounded() as bound:
        for seed in range(60):
            outcome = bound.case(seed, load_boot_run, mutate_elf(data, random.Random(seed)))
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
    assert bound.peak < MEMORY_BOUND
    assert outcomes.get("bad-elf", 0) > 0 and len(outcomes) > 1   # the mutations bite


def test_vlab_run_and_disasm_on_mutated_elves(tmp_path, capfd):
    rng = random.Random(16)
    for seed, data in enumerate(mutate_elf(d, rng) for d in base_elves() * 5):
        path = tmp_path / f"m{seed}.elf"
        path.write_bytes(data)
        status = main(["run", str(path), "--max-instructions", str(BUDGET)])
        assert status in RUN_STATUSES
        assert main(["disasm", str(path)]) in (0, 1)
        err = capfd.readouterr().err
        assert "Traceback" not in err, f"seed {seed}"


# -- assembly -------------------------------------------------------------------------

PIECES = (["x0", "a0", "sp", "t6", "zero", "ra", "label", "1b", "2f", ".", "(", ")", ",", ",",
           "+", "-", "*", "/", "%", "<<", ">>", "~", "%hi(", "%lo(", "%pcrel_lo(", "0",
           "0x7fffffff", "0xffffffffffffffff", "0x" + "f" * 3600, "9" * 5000, "-1", "4096",
           "'a'", '"s\\n"',
           '"\\xff"', "/*", "*/", "#", ";", ":", "@", "\\", "\udcff", "é"]
          + ["addi", "lw", "sw", "li", "la", "call", "beq", "jal", "csrrw", "lr.w", "fence.i",
             "nop", "ret", "mv", "lui", "auipc", "amoadd.w", "sfence.vma"]
          + list(DIRECTIVES))


VALID = ["nop", "addi a0, a0, 1", ".data", ".text", ".word 1, 2", ".space 8", "li t0, 0x12345",
         ".bss", ".align 3", "label: .byte 1"]


def generated_source(rng: random.Random) -> str:
    lines = []
    for _ in range(rng.randint(1, 12)):
        if rng.random() < 0.7:
            lines.append(rng.choice(VALID))
            continue
        head = rng.choice(["", "label:", "1:", "_start:"])
        lines.append(head + " " + " ".join(rng.choice(PIECES)
                                           for _ in range(rng.randint(1, 7))))
    return "\n".join(lines) + rng.choice(["\n", ""])


def mutated_source(rng: random.Random) -> str:
    text = list(rng.choice(CORPUS).read_text())
    for _ in range(rng.randint(1, 8)):
        i = rng.randrange(len(text))
        choice = rng.randrange(3)
        if choice == 0:
            del text[i]
        elif choice == 1:
            text.insert(i, rng.choice(PIECES))
        else:
            text[i] = chr(rng.randrange(32, 127))
    return "".join(text)


def assemble_and_load(source: str) -> str:
    try:
        program = assemble(source, filename="fuzz.s")
    except AssemblyError as exc:
        assert exc.diagnostics and "Traceback" not in str(exc)
        return "error"
    try:
        load_elf(program.to_elf())
    except ElfFormatError as exc:            # a program with no bytes has nothing to load
        assert not any(section.size for section in program.sections), exc
        return "empty"
    return "ok"


@pytest.mark.parametrize("make", [generated_source, mutated_source])
def test_assembler_fuzz_ends_in_a_program_or_assembly_errors(make):
    outcomes = {"ok": 0, "error": 0, "empty": 0}
    with Bounded() as bound:
        for seed in range(150):
            outcomes[bound.case(seed, assemble_and_load, make(random.Random(seed)))] += 1
    assert bound.peak < MEMORY_BOUND
    assert outcomes["error"] > 0 and outcomes["ok"] > 0


def test_vlab_asm_and_run_on_mutated_sources(tmp_path, capfd):
    rng = random.Random(17)
    for seed in range(25):
        path = tmp_path / f"s{seed}.s"
        path.write_bytes(mutated_source(rng).encode("utf-8", "surrogateescape"))
        assert main(["asm", str(path), "-o", str(tmp_path / "out.elf")]) in (0, 1)
        assert main(["run", str(path), "--max-instructions", str(BUDGET)]) in RUN_STATUSES
        assert "Traceback" not in capfd.readouterr().err, f"seed {seed}"
