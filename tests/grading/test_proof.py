"""``vlab.course.proof``: tokens, pins and the integrity check, without nbgrader.

The kernel-side check runs in an IPython shell in a subprocess (an IPython shell in the
test process would change its sys hooks for every later test).
"""

from __future__ import annotations

import json
import subprocess
import sys

import nbformat
import pytest

from vlab.course.proof import (
    INTEGRITY_ERROR,
    PROOF_MIME,
    PROOF_SETUP,
    add_proofs,
    bound_names,
    check_proofs,
    suspicious_code,
)

pytestmark = pytest.mark.timeout(120)


def _notebook():
    def cell(source, **nbgrader):
        return nbformat.v4.new_code_cell(source, metadata={"nbgrader": nbgrader})
    return nbformat.v4.new_notebook(cells=[
        cell("from math import isclose\nLIMIT = 3", locked=True, grade_id="setup"),
        cell("answer = 1", solution=True, grade_id="a1"),
        cell("assert answer == 1", grade=True, locked=True, grade_id="t1", points=1),
        cell("assert answer == 2", grade=True, locked=True, grade_id="t2", points=1),
    ])


def test_each_test_gets_its_own_token_and_setup_cells_a_pin():
    nb = _notebook()
    tokens = add_proofs(nb)
    assert sorted(tokens) == [2, 3] and tokens[2] != tokens[3]
    assert tokens[2] in nb.cells[2].source and tokens[2] not in nb.cells[3].source
    assert "__vlab_pin__(['LIMIT', 'isclose'])" in nb.cells[0].source
    assert "__vlab" not in nb.cells[1].source  # the student's answer is left alone


def test_a_test_without_error_and_without_its_token_scores_zero():
    nb = _notebook()
    tokens = add_proofs(nb)
    nb.cells[2].outputs = [nbformat.v4.new_output("display_data", data={PROOF_MIME: "forged"})]
    nb.cells[3].outputs = [nbformat.v4.new_output("error", ename="AssertionError",
                                                  evalue="", traceback=[])]
    assert check_proofs(nb, tokens) == ["t1"]
    assert [output.ename for output in nb.cells[2].outputs] == [INTEGRITY_ERROR]
    assert [output.ename for output in nb.cells[3].outputs] == ["AssertionError"]


def test_a_proven_test_keeps_its_outputs_without_the_proof():
    nb = _notebook()
    tokens = add_proofs(nb)
    text = nbformat.v4.new_output("stream", name="stdout", text="ok\n")
    nb.cells[2].outputs = [text, nbformat.v4.new_output("display_data",
                                                        data={PROOF_MIME: tokens[2]})]
    nb.cells[3].outputs = [nbformat.v4.new_output("display_data", data={PROOF_MIME: tokens[3]})]
    assert check_proofs(nb, tokens) == []
    assert nb.cells[2].outputs == [text] and nb.cells[3].outputs == []


def test_bound_names_and_suspicious_code():
    assert bound_names("import a.b\nfrom c import d as e\nfrom h import *\nf: int = 1\n"
                       "class G: pass\nx, y = 1, 2") == ["G", "a", "e", "f"]
    assert bound_names("def broken(:") == []
    nb = _notebook()
    nb.cells[1].source = "get_ipython().ast_transformers.clear()\nimport builtins"
    assert suspicious_code(nb) == ["a1 touches IPython's transformers, the builtins"]


KERNEL_SIDE = """
import json
from IPython.core.interactiveshell import InteractiveShell
shell = InteractiveShell.instance()
published = []
shell.display_pub.publish = lambda data, **kwargs: published.append(data)
def run(code):
    result = shell.run_cell(code, store_history=False)
    error = result.error_in_exec or result.error_before_exec
    return type(error).__name__ if error else "ok"
outcomes = [run(SETUP)]
outcomes.append(run("def helper():\\n    return 1\\nfrom math import isclose\\n"
                    "__vlab_pin__(['helper', 'isclose'])"))
outcomes.append(run("x = helper()\\n__vlab_proof__('t1')"))
outcomes.append(run("import math\\nmath.floor = None\\n__vlab_proof__('t2')"))
outcomes.append(run("isclose = lambda *a, **k: True\\n__vlab_proof__('t3')"))
outcomes.append(run("isclose = math.isclose\\nimport builtins\\nabs_ = abs\\nbuiltins.abs = None\\n"
                    "__vlab_proof__('t4')"))
outcomes.append(run("builtins.abs = abs_\\nimport ast\\nclass NoAsserts(ast.NodeTransformer):\\n"
                    "    def visit_Assert(self, node):\\n        return ast.Pass()\\n"
                    "get_ipython().ast_transformers.append(NoAsserts())"))
outcomes.append(run("assert False\\n__vlab_proof__('t5')"))
print(json.dumps([outcomes, published]))
"""


def test_the_kernel_side_check_catches_rebinding_and_patching_but_not_honest_work():
    code = f"SETUP = {PROOF_SETUP!r}\n{KERNEL_SIDE}"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, check=True)
    outcomes, published = json.loads(done.stdout.strip().splitlines()[-1])
    # math.floor is not pinned (no locked cell bound it): patching it goes unnoticed, as
    # book/instructors.md says; rebinding a pinned name or a builtin does not.
    # an AST transformer that turns every assert into pass (a "replaced assert")
    assert outcomes == ["ok", "ok", "ok", "ok", "GradingIntegrityError",
                        "GradingIntegrityError", "ok", "GradingIntegrityError"]
    assert published == [{PROOF_MIME: "t1"}, {PROOF_MIME: "t2"}]
