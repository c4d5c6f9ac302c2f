"""Chapter 3: static blocks and the CFG (vlab.isa.cfg), edge counts, the translator's trace."""

import shutil
import subprocess

import pytest

from vlab.isa import cfg
from vlab.isa.asm import assemble
from vlab.lab.translation import hot_paths
from vlab.lab.translation.programs import BRANCHY_SOURCE, branchy_source


def _at(program, *labels):
    return [program.symbols[label] for label in labels]


def test_leaders_follow_the_three_rules():
    program = assemble(BRANCHY_SOURCE)
    # start; branch targets loop, rare, next; after branches: common, done
    assert cfg.leaders(program) == sorted(
        _at(program, "_start", "loop", "common", "rare", "next", "done"))


def test_a_jump_into_straight_code_splits_it_and_a_jalr_ends_a_block():
    program = assemble("_start: li a0, 1\n addi a0, a0, 1\nmid: addi a0, a0, 2\n"
                       " jalr zero, 0(ra)\n addi a0, a0, 3\n j mid\n")
    base = program.symbols["_start"]
    assert cfg.leaders(program) == [base, base + 8, base + 16]
    blocks = cfg.basic_blocks(program)
    assert [len(b) for b in blocks] == [2, 2, 2]
    assert blocks[0].successors == (base + 8,)            # falls into `mid`
    assert blocks[1].successors == ()                     # jalr: computed target
    assert blocks[2].successors == (base + 8,)            # j mid


def test_blocks_have_both_branch_successors_and_the_program_s_labels():
    blocks = cfg.basic_blocks(assemble(BRANCHY_SOURCE))
    by_label = {b.label: b for b in blocks}
    loop = by_label["loop"]
    assert loop.lines[0].startswith("andi t0,s1,7")
    assert loop.successors == (by_label["common"].start, by_label["rare"].start)
    assert by_label["done"].successors == ()


@pytest.mark.skipif(shutil.which("riscv64-unknown-elf-objdump") is None,
                    reason="GNU objdump not installed")
def test_block_text_matches_gnu_objdump(tmp_path):
    program = assemble(BRANCHY_SOURCE)
    elf = tmp_path / "branchy.elf"
    elf.write_bytes(program.to_elf())
    dump = subprocess.run(["riscv64-unknown-elf-objdump", "-d", "-M", "no-aliases,numeric",
                           str(elf)], capture_output=True, text=True, check=True).stdout
    mnemonics = [line.split("\t")[2].split()[0] for line in dump.splitlines()
                 if line.startswith("8000") and line.count("\t") >= 2]
    ours = [line.split()[0] for b in cfg.basic_blocks(program) for line in b.lines]
    aliases = {"li": "addi", "beqz": "beq", "bnez": "bne", "j": "jal"}
    assert [aliases.get(m, m) for m in ours] == mnemonics


def test_edge_counts_add_up_to_the_iterations():
    program = assemble(branchy_source(40, 4))
    loop, common, rare, nxt = _at(program, "loop", "common", "rare", "next")
    counts = hot_paths.edge_counts(branchy_source(40, 4))
    assert counts[(loop, rare)] == 10 and counts[(loop, common)] == 30
    assert counts[(nxt, loop)] == 39
    assert counts[(common, nxt)] + counts[(rare, nxt)] == 40


def test_the_trace_follows_the_common_path_when_the_rare_one_is_rare():
    view = hot_paths.hot_trace(period=8, threshold=16)
    program = assemble(BRANCHY_SOURCE)
    assert view.paths[0] == tuple(_at(program, "loop", "common", "next"))
    assert view.loops and "def trace_" in view.source
    assert "common" in hot_paths.describe_trace(view)


def test_next_executing_tail_can_record_the_rare_path():
    # period 4, threshold 16: the 16th arrival at the head (s1 = 84) takes the rare path
    view = hot_paths.hot_trace(period=4, threshold=16)
    program = assemble(branchy_source(100, 4))
    assert view.paths[0][:2] == tuple(_at(program, "loop", "rare"))


def test_plot_highlights_the_trace_edges():
    view = hot_paths.hot_trace(period=8, threshold=16)
    fig = hot_paths.plot_trace(view)
    assert "threshold 16" in fig.axes[0].get_title()
    thick = [p for p in fig.axes[0].patches if p.get_linewidth() >= 2.4]
    # 3 trace blocks and 3 trace edges (loop->common, common->next, next->loop)
    assert len(thick) == 6


def test_a_dynamic_block_can_cover_two_static_blocks():
    program = assemble(BRANCHY_SOURCE)
    blocks = cfg.basic_blocks(program)
    loop, rare, nxt = _at(program, "loop", "rare", "next")
    pcs = {loop, loop + 4, rare, nxt, nxt + 4}
    assert cfg.static_path((loop, rare), pcs, blocks) == (loop, rare, nxt)


def test_exercise_oracles():
    table = hot_paths.instruction_table(BRANCHY_SOURCE)
    assert table[4] == (0x80000010, "beq", 0x8000001C)
    assert hot_paths.leaders_of(BRANCHY_SOURCE)[1] == 0x8000000C
    assert hot_paths.net_trace_labels(100, 4, 16) == ["loop", "rare", "next"]
    assert hot_paths.net_trace_labels(100, 8, 16) == ["loop", "common", "next"]


def test_edges_taken_counts_entries_into_leaders_only():
    # block A (0, 4) loops twice to itself, then B (8); 4 is not a leader
    pcs = [0, 4, 0, 4, 0, 4, 8]
    assert cfg.edges_taken(pcs, {0, 8}) == {(0, 0): 2, (0, 8): 1}
    assert cfg.edges_taken([], {0}) == {}
