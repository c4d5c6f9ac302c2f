"""Self-check: immediate, friendly feedback in a student's exercise notebook.

A visible test cell calls these helpers.  A passing check prints one line,
``✓ <what was checked>``; a failing one raises :class:`AssertionError` whose
message says what was checked, what was expected, what came back, where the
two first differ, and a hint.  nbgrader scores a test cell by whether it
raises, so the same calls serve the student (feedback now) and the grader
(points later).  The helpers never print to stderr and return ``None``:
nbgrader treats any stderr output as a failure and a number shown as the
cell's result as a partial score.

What the student sees is the verdict alone: a failed check is a :class:`CheckFailed`
(an ``AssertionError``) whose ``_render_traceback_`` gives IPython its message lines, so
no Python traceback through this library is shown; a question not answered yet (the
answer's stub still raises ``NotImplementedError``) is shown as "not answered yet", by an
IPython custom exception handler this module installs when it is imported in a kernel.
Both are still errors of the cell, so nbgrader scores the cell zero.  Check cells carry
the ``raises-exception`` tag: JupyterLab then sends them with ``stop_on_error`` off, so
*Run All* goes on after a failed check and the student gets a verdict on every question
(nbgrader's executor lets those cells fail too).

Hidden tests are never revealed by this module: they sit in the same test
cell between ``### BEGIN HIDDEN TESTS`` and ``### END HIDDEN TESTS``, which
``nbgrader generate_assignment`` strips from the student release.  A student
sees a hidden test's message only in the graded feedback.

Authoring convention for exercise notebooks
===========================================

One assignment is one notebook, ``exercises/source/<id>/<id>.ipynb`` (for
example ``exercises/source/ch01/ch01.ipynb``).  Every cell that nbgrader must
know about carries ``metadata.nbgrader`` (schema version 3); ``grade_id``\\ s are
unique in the notebook, lowercase with dashes (``ex1-answer``,
``ex1-check``).  The cell kinds, in the order a student meets them:

1. **Imports** (first code cell), *locked*: everything the notebook needs,
   including ``from vlab.course.selfcheck import check, check_close, ...``::

       {"nbgrader": {"schema_version": 3, "grade_id": "imports", "locked": true,
                     "solution": false, "grade": false, "task": false}}

2. **Question** (markdown), *locked* like the imports: the task, what to
   write (a function's name and signature), and the self-check hint line::

       *Self-check:* run the cell below your answer; it prints ✓ when your
       answer passes the visible checks (hidden checks are run when graded).

3. **Answer** (code), *solution*: the reference solution between
   ``### BEGIN SOLUTION`` and ``### END SOLUTION``.  Put the markers inside
   the function body, so the release keeps the signature and the stub
   ``raise NotImplementedError()`` ends up inside the function::

       {"nbgrader": {"schema_version": 3, "grade_id": "ex1-answer",
                     "solution": true, "grade": false, "locked": false, "task": false}}

       def level_of(technology):
           ### BEGIN SOLUTION
           return LEVELS[technology]
           ### END SOLUTION

4. **Check** (code), *autograded test* with points and the ``raises-exception``
   tag (see above); visible checks first, then hidden ones::

       {"nbgrader": {"schema_version": 3, "grade_id": "ex1-check", "points": 2,
                     "grade": true, "solution": false, "locked": true, "task": false},
        "tags": ["raises-exception"]}

       check("Xen is a hardware-level technology", level_of("Xen"), "hardware",
             hint="Xen runs guests on a hypervisor that virtualizes the hardware.")
       ### BEGIN HIDDEN TESTS
       check("KVM", level_of("KVM"), "hardware")
       ### END HIDDEN TESTS

Each question is self-contained: its check cells use only the imports and
its own answer cell (the round-trip test breaks one answer and expects only
that question to lose points).  A check cell must finish in a few seconds
(the grader cuts each cell off after a per-cell time limit), must not write
to stderr (nbgrader counts that as a failure) and must not draw widgets.
Points go on check cells only; there are no manually graded cells.
``vlab course release`` writes the student version;
``tests/grading/test_roundtrip.py`` proves every assignment round-trips
(reference solution: full marks; blank release: zero).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

PASS_MARK = "✓"
FAIL_MARK = "✗"
_MAX_SHOWN = 120  # characters of a value shown in a message


class CheckFailed(AssertionError):
    """A failed self-check.  In a notebook, IPython shows only the message (✗, what was
    checked, what differed, the hint): ``_render_traceback_`` replaces the traceback."""

    def _render_traceback_(self) -> list[str]:
        return str(self).splitlines()


def not_answered_text(traceback) -> str:
    """What a student is told when an answer still raises ``NotImplementedError``: the
    function named is the innermost one of ``traceback`` (the stub that raised)."""
    while traceback is not None and traceback.tb_next is not None:
        traceback = traceback.tb_next
    name = traceback.tb_frame.f_code.co_name if traceback is not None else "<module>"
    what = "this cell" if name == "<module>" else f"{name}()"
    return (f"{FAIL_MARK} not answered yet: {what} still raises NotImplementedError. "
            "Replace `raise NotImplementedError()` with your code, run that cell, then run "
            "this check again.")


def _show_not_answered(shell, etype, value, traceback, tb_offset=None) -> list[str]:
    """IPython custom exception handler (``set_custom_exc``): shows the one line of
    :func:`not_answered_text` as the cell's error output, which still fails the cell."""
    lines = [not_answered_text(traceback)]
    shell._showtraceback(etype, value, lines)   # an 'error' output, as a traceback would be
    return lines


def install_notebook_feedback() -> bool:
    """In an IPython kernel, show unanswered questions as "not answered yet" instead of a
    NotImplementedError traceback.  Returns whether a kernel was found."""
    try:
        from IPython import get_ipython
    except ImportError:      # plain Python: nothing to install
        return False
    shell = get_ipython()
    if shell is None:
        return False
    shell.set_custom_exc((NotImplementedError,), _show_not_answered)
    return True


def check(name: str, actual: Any, expected: Any, *, hint: str | None = None) -> None:
    """Check that ``actual == expected`` (exact, with a diff of where they differ)."""
    difference = describe_difference(actual, expected)
    if difference is not None:
        _fail(name, difference, hint)
    _passed(name)


def check_close(
    name: str,
    actual: Any,
    expected: float,
    *,
    rel_tol: float = 1e-9,
    abs_tol: float = 0.0,
    hint: str | None = None,
) -> None:
    """Check that a number is close to ``expected``; tolerances as in :func:`math.isclose`."""
    if not _is_real_number(actual):
        _fail(name, f"expected a number close to {expected!r}, got {_show(actual)}", hint)
    if not math.isclose(actual, expected, rel_tol=rel_tol, abs_tol=abs_tol):
        tolerance = f"relative {rel_tol:g}"
        if abs_tol:
            tolerance += f" or absolute {abs_tol:g}"
        _fail(name, f"expected {expected!r} (tolerance: {tolerance}), got {actual!r}", hint)
    _passed(name)


def check_raises(
    name: str,
    exception: type[BaseException],
    function: Callable[..., Any],
    *args: Any,
    hint: str | None = None,
    **kwargs: Any,
) -> None:
    """Check that ``function(*args, **kwargs)`` raises ``exception`` (or a subclass)."""
    call = _call_text(function, args, kwargs)
    try:
        result = function(*args, **kwargs)
    except NotImplementedError as error:
        if exception is NotImplementedError:
            _passed(name)
            return
        _not_answered(name, call, error)
    except exception:
        _passed(name)
        return
    except Exception as error:  # the wrong exception is the answer we report on
        _fail(name, f"{call} should raise {exception.__name__}, "
                    f"but raised {type(error).__name__}: {error}", hint)
    _fail(name, f"{call} should raise {exception.__name__}, but returned {_show(result)}", hint)


def check_program(
    name: str,
    function: Callable[..., Any],
    cases: Iterable[tuple[Sequence[Any], Any]],
    *,
    hint: str | None = None,
) -> None:
    """Check a student's function against a table of ``(arguments, expected result)`` cases.

    The table is run in order and the first failing case is reported with the
    call that produced it, so the student can re-run exactly that call.
    """
    for arguments, expected in cases:
        call = _call_text(function, arguments, {})
        try:
            actual = function(*arguments)
        except NotImplementedError as error:
            _not_answered(name, call, error)
        except Exception as error:  # a crash in the answer is feedback, not a grader error
            _fail(name, f"{call} raised {type(error).__name__}: {error}", hint)
        difference = describe_difference(actual, expected)
        if difference is not None:
            _fail(name, f"{call}: {difference}", hint)
    _passed(name)


def describe_difference(actual: Any, expected: Any) -> str | None:
    """Say how ``actual`` differs from ``expected``, or return None if they are equal."""
    if _equal(actual, expected):
        return None
    if isinstance(expected, Mapping) and isinstance(actual, Mapping):
        return _mapping_difference(actual, expected)
    if _is_sequence(expected) and _is_sequence(actual):
        return _sequence_difference(actual, expected)
    if type(actual) is not type(expected) and not (
        _is_real_number(actual) and _is_real_number(expected)
    ):
        return _typed_difference(actual, expected)
    return f"expected {_show(expected)}, got {_show(actual)}"


def _mapping_difference(actual: Mapping, expected: Mapping) -> str:
    missing = [key for key in expected if key not in actual]
    if missing:
        return f"missing key {missing[0]!r} (expected {_show(expected)})"
    extra = [key for key in actual if key not in expected]
    if extra:
        return f"unexpected key {extra[0]!r} (expected only {_show(list(expected))})"
    for key in expected:
        inner = describe_difference(actual[key], expected[key])
        if inner is not None:
            return f"at key {key!r}: {inner}"
    return f"expected {_show(expected)}, got {_show(actual)}"


def _sequence_difference(actual: Sequence, expected: Sequence) -> str:
    for index, (got, want) in enumerate(zip(actual, expected, strict=False)):
        inner = describe_difference(got, want)
        if inner is not None:
            return f"at index {index}: {inner}"
    if len(actual) != len(expected):
        return (f"expected {len(expected)} items, got {len(actual)} "
                f"(expected {_show(expected)}, got {_show(actual)})")
    return _typed_difference(actual, expected)


def _typed_difference(actual: Any, expected: Any) -> str:
    return (f"expected {_show(expected)} ({type(expected).__name__}), "
            f"got {_show(actual)} ({type(actual).__name__})")


def _equal(actual: Any, expected: Any) -> bool:
    if _is_array(actual) or _is_array(expected):
        import numpy  # only needed when an answer is an array

        return bool(numpy.array_equal(actual, expected))
    try:
        return bool(actual == expected) and _same_kind(actual, expected)
    except Exception:  # an answer object with a broken __eq__ is simply not equal
        return False


def _same_kind(actual: Any, expected: Any) -> bool:
    """``True == 1`` and ``(1, 2) != [1, 2]`` only matter when the kinds differ visibly."""
    if isinstance(expected, bool) or isinstance(actual, bool):
        return type(actual) is type(expected)
    return True


def _is_array(value: Any) -> bool:
    return type(value).__module__ == "numpy" and type(value).__name__ == "ndarray"


def _is_sequence(value: Any) -> bool:
    return isinstance(value, (list, tuple))


def _is_real_number(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, (int, float)) or (
        type(value).__module__ == "numpy" and hasattr(value, "__float__")
    )


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= _MAX_SHOWN else text[: _MAX_SHOWN - 3] + "..."


def _call_text(function: Callable[..., Any], args: Sequence[Any], kwargs: Mapping) -> str:
    parts = [repr(arg) for arg in args] + [f"{key}={value!r}" for key, value in kwargs.items()]
    return f"{getattr(function, '__name__', 'function')}({', '.join(parts)})"


def _passed(name: str) -> None:
    print(f"{PASS_MARK} {name}")


def _fail(name: str, what: str, hint: str | None) -> None:
    message = f"{FAIL_MARK} {name}: {what}"
    if hint:
        message += f"\n  Hint: {hint}"
    raise CheckFailed(message)


def _not_answered(name: str, call: str, error: NotImplementedError) -> None:
    raise CheckFailed(
        f"{FAIL_MARK} {name}: {call} is not answered yet "
        "(replace `raise NotImplementedError()` with your code)"
    ) from error


install_notebook_feedback()
