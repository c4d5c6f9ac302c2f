"""Every example of the book page on the HLL VM's language (book/hll-language.md) runs.

A ```python block followed by a ```text block is one example: if the text starts with
``compile error:`` the VM must reject the program with exactly those lines; otherwise both
the VM and CPython must print exactly that text.
"""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

from vlab.application.hll.errors import CompileError
from vlab.application.hll.vm import VM

PAGE = Path(__file__).resolve().parents[2] / "book" / "hll-language.md"
EXAMPLE = re.compile(r"```python\n(.*?)```\s*```text\n(.*?)```", re.DOTALL)
EXAMPLES = EXAMPLE.findall(PAGE.read_text(encoding="utf-8"))


def test_the_page_has_accepted_and_rejected_examples():
    rejected = [text for _, text in EXAMPLES if text.startswith("compile error:")]
    assert len(rejected) >= 2 and len(EXAMPLES) - len(rejected) >= 3


@pytest.mark.parametrize(("source", "shown"), EXAMPLES,
                         ids=[f"example{i}" for i in range(len(EXAMPLES))])
def test_each_example_does_what_the_page_shows(source, shown):
    try:
        vm = VM.from_source(source, "example.py", max_instructions=10**6)
    except CompileError as error:
        reported = "".join(f"compile error: {problem}\n" for problem in error.problems)
        assert reported == shown
        return
    assert not shown.startswith("compile error:"), "the VM accepted a rejected example"
    result = vm.run()
    assert (result.status, result.output) == ("ok", shown)
    cpython = io.StringIO()
    with contextlib.redirect_stdout(cpython):
        exec(compile(source, "example.py", "exec"), {"__name__": "__main__"})
    assert cpython.getvalue() == shown
