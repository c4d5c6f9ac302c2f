"""Proof that each hidden test really ran, and a scan for code that tampers with grading.

nbgrader scores a test cell by its outputs: full points unless it shows an error.  A
student's code runs in the same Python process as the tests, so it can make a test do
nothing and show no error, e.g. ``get_ipython().input_transformers_cleanup.append(lambda
lines: ['pass\\n'])`` turns every later cell into ``pass`` and scores full marks.

Defence.  For every graded code cell the grader draws a fresh random token (a per-run
secret, :func:`add_proofs`) and appends ``__vlab_proof__('<token>')`` to the cell's
source just before it is executed; the token exists nowhere else, so only executing the
cell can show it.  ``__vlab_proof__`` is installed by :data:`PROOF_SETUP`, run in the
fresh kernel *before* any student code: it first checks that the machinery tests rely on
is as it found it (IPython's input and AST transformers, every builtin, and the names the
instructor's locked cells bound, e.g. ``check``, with their code and the functions and
classes of their module, pinned by
``__vlab_pin__`` appended to those cells) and raises
``GradingIntegrityError`` if not; otherwise it publishes the token as output of the
custom type :data:`PROOF_MIME`.  :func:`check_proofs` then takes the proofs out of the
outputs and gives every graded cell that shows no error *and* no proof an error output,
so it scores zero, and reports it.

What this does not stop (said on the instructors' page too): code written against this
very mechanism, e.g. an input transformer that keeps only the proof line of each test, or
code that replaces ``__vlab_proof__`` or a library function a test calls
(``math.isclose``).  :func:`suspicious_code` lists the student's cells that touch such
machinery so that the instructor reads them; renamed or obfuscated access escapes it.
"""

from __future__ import annotations

import ast
import re
import secrets

from nbformat import NotebookNode

PROOF_MIME = "application/vnd.vlab.grading-proof"
PROOF_CALL = "\n__vlab_proof__({token!r})\n"
PIN_CALL = "\n__vlab_pin__({names!r})\n"
INTEGRITY_ERROR = "GradingIntegrityError"
MISSING_PROOF = (
    "this test showed no error but did not prove that it ran: the grading machinery was "
    "tampered with (e.g. an input transformer that rewrites cells), so it scores zero")

# Run silently in the fresh kernel before the first cell (after SEQUENTIAL_COMM_IDS).
PROOF_SETUP = f"""
def _vlab_install_proof():
    import builtins
    from IPython import get_ipython
    from IPython.display import publish_display_data

    shell = get_ipython()
    pristine = dict(vars(builtins))
    snapshot = (list(shell.input_transformers_cleanup), list(shell.input_transformers_post),
                list(shell.ast_transformers))

    pinned = {{}}

    class GradingIntegrityError(Exception):
        pass

    def same(now, before):  # ipykernel rebinds builtins.input to a fresh bound method
        if now is before:
            return True
        return (hasattr(now, "__func__") and hasattr(before, "__func__")
                and now.__func__ is before.__func__ and now.__self__ is before.__self__)

    def pin(names):
        for name in names:
            if name in shell.user_ns:
                value = shell.user_ns[name]
                module = getattr(value, "__globals__", {{}})
                if module is shell.user_ns:  # defined in the notebook: its module changes
                    module = {{}}
                pinned[name] = (value, getattr(value, "__code__", None),
                                {{key: item for key, item in module.items() if callable(item)}})

    def proof(token):
        now = (list(shell.input_transformers_cleanup), list(shell.input_transformers_post),
               list(shell.ast_transformers))
        changed = [kind for kind, before, after in
                   zip(("input transformers", "post-input transformers", "AST transformers"),
                       snapshot, now) if before != after]
        changed += [f"builtins.{{name}}" for name, value in pristine.items()
                    if not same(vars(builtins).get(name), value)]
        for name, (value, code, module) in pinned.items():
            now = shell.user_ns.get(name)
            if now is not value or getattr(now, "__code__", None) is not code:
                changed.append(name)
            elif any(value.__globals__.get(key) is not item for key, item in module.items()):
                changed.append(f"the module of {{name}}")
        if changed:
            raise GradingIntegrityError("the grading machinery was modified: "
                                        + ", ".join(changed))
        publish_display_data({{{PROOF_MIME!r}: token}})

    return pin, proof
__vlab_pin__, __vlab_proof__ = _vlab_install_proof()
del _vlab_install_proof
"""

# Student code that reaches into the machinery tests depend on: (pattern, what it touches).
SUSPICIOUS = (
    (r"input_transformers|ast_transformers|input_transformer_manager", "IPython's transformers"),
    (r"\b__builtins__\b|\bbuiltins\b", "the builtins"),
    (r"__vlab_proof__|vnd\.vlab", "the grader's proof of execution"),
    (r"\bsettrace\b|\bsetprofile\b|\bsys\.monitoring\b", "the tracing hooks"),
    (r"\.events\.register|register_(cell_|line_)?magic|\brun_cell\b", "IPython's hooks"),
    (r"\bgc\.get_(objects|referrers)\b|\bctypes\b", "interpreter internals"),
    (r"\bAssertionError\s*=|\bsys\.modules\[", "module or exception replacement"),
)


def graded_cells(nb: NotebookNode) -> list[int]:
    """Indices of the code cells nbgrader scores (autograder tests)."""
    return [index for index, cell in enumerate(nb.cells)
            if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("grade")
            and not cell.metadata["nbgrader"].get("solution")]


def add_proofs(nb: NotebookNode) -> dict[int, str]:
    """Append a proof call with a fresh random token to every graded cell of ``nb``, and a
    pin of the names it binds to every other locked code cell (in place); returns
    ``{cell index: token}``."""
    for cell in nb.cells:
        nbgrader = cell.metadata.get("nbgrader", {})
        if (cell.cell_type == "code" and nbgrader.get("locked")
                and not nbgrader.get("grade") and not nbgrader.get("solution")):
            names = bound_names(cell.source)
            if names:
                cell.source += PIN_CALL.format(names=names)
    tokens = {}
    for index in graded_cells(nb):
        tokens[index] = secrets.token_hex(16)
        nb.cells[index].source += PROOF_CALL.format(token=tokens[index])
    return tokens


def bound_names(source: str) -> list[str]:
    """The names a cell's top-level statements bind (imports, assignments, definitions)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return []
    names = set()
    for node in tree.body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            names.update((alias.asname or alias.name).split(".")[0] for alias in node.names
                         if alias.name != "*")
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(target.id for target in targets if isinstance(target, ast.Name))
    return sorted(names)


def check_proofs(nb: NotebookNode, tokens: dict[int, str]) -> list[str]:
    """Take the proof outputs out of ``nb``'s graded cells; a cell that shows no error
    and lacks its token gets an error output.  Returns the ``grade_id`` of each such cell
    and of each cell whose integrity check failed."""
    tampered = []
    for index, token in tokens.items():
        cell = nb.cells[index]
        proven = any(output.get("data", {}).get(PROOF_MIME) == token for output in cell.outputs)
        cell.outputs = [output for output in cell.outputs
                        if PROOF_MIME not in output.get("data", {})]
        errors = [output for output in cell.outputs if output.output_type == "error"]
        grade_id = cell.metadata["nbgrader"].get("grade_id", f"cell {index}")
        if any(error.get("ename") == INTEGRITY_ERROR for error in errors):
            tampered.append(grade_id)
        elif not errors and not proven:
            cell.outputs.append(error_output(INTEGRITY_ERROR, MISSING_PROOF))
            tampered.append(grade_id)
    return tampered


def suspicious_code(nb: NotebookNode) -> list[str]:
    """For each editable code cell that touches grading machinery: what it touches."""
    found = []
    for index, cell in enumerate(nb.cells):
        nbgrader = cell.metadata.get("nbgrader", {})
        if cell.cell_type != "code" or nbgrader.get("locked") or nbgrader.get("grade"):
            continue
        touched = sorted({what for pattern, what in SUSPICIOUS
                          if re.search(pattern, cell.source)})
        if touched:
            name = nbgrader.get("grade_id", f"cell {index}")
            found.append(f"{name} touches {', '.join(touched)}")
    return found


def error_output(ename: str, evalue: str) -> NotebookNode:
    """An nbformat error output (it makes nbgrader score its cell zero)."""
    return NotebookNode(output_type="error", ename=ename, evalue=evalue,
                        traceback=[f"{ename}: {evalue}"])
