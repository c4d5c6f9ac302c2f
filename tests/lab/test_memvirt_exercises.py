"""Chapter 5's exercise oracles are real runs and tell right answers from wrong ones."""
import pytest

from vlab.isa.pagetable import PTE_A, PTE_D, PTE_R, PTE_U, PTE_V, PTE_W, PTE_X
from vlab.lab.memvirt import exercises


def test_measured_walks_are_2_and_8_and_other_depths_are_refused():
    assert exercises.measured_walk(2, 0) == 2
    assert exercises.measured_walk(2, 2) == 8
    with pytest.raises(ValueError, match='Sv32'):
        exercises.measured_walk(4, 4)


def test_the_shadow_leaf_is_writable_only_once_dirty():
    clean = exercises.real_shadow_pte(PTE_V | PTE_R | PTE_W)
    stored = exercises.real_shadow_pte(PTE_V | PTE_R | PTE_W, store=True)
    assert clean & 0x3FF == PTE_V | PTE_R | PTE_U | PTE_A            # no W yet
    assert stored & 0x3FF == PTE_V | PTE_R | PTE_W | PTE_U | PTE_A | PTE_D
    assert clean >> 10 << 12 == exercises.GUEST_PAGE


def test_true_faults_give_none():
    assert exercises.real_shadow_pte(PTE_V | PTE_R | PTE_U) is None   # S touching a U page
    assert exercises.real_shadow_pte(PTE_V | PTE_R, store=True) is None
    assert exercises.real_shadow_pte(PTE_V | PTE_X) is None           # no MXR


def test_frames_after_sharing_grow_by_each_vm_s_own_pages():
    counts = [exercises.frames_after_sharing(v) for v in (1, 2, 3)]
    assert counts[1] - counts[0] == counts[2] - counts[1] == 10
