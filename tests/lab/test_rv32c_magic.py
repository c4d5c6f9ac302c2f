"""The ``%%rv32c`` cell magic in a real IPython shell (no Jupyter kernel needed): output and
exit code, compiler errors as the compiler prints them, a budget for runaway programs."""
from __future__ import annotations

import pytest
from IPython.core.interactiveshell import InteractiveShell
from traitlets.config import Config

HELLO = '''#include "vlab.h"
int main(int argc, char **argv) {
    printf("hello %s, argc=%d\\n", argv[1], argc);
    return argc;
}
'''


@pytest.fixture(scope="module")
def shell():
    config = Config()
    config.HistoryManager.hist_file = ":memory:"
    ipython = InteractiveShell.instance(config=config)
    ipython.run_line_magic("load_ext", "vlab.lab.rv32c_magic")
    yield ipython
    InteractiveShell.clear_instance()


def run(shell, capsys, line: str, cell: str):
    """Run one %%rv32c cell; (succeeded, stdout, stderr)."""
    result = shell.run_cell(f"%%rv32c {line}\n{cell}")
    out, err = capsys.readouterr()
    return result.success, out, err


def test_prints_the_output_and_the_exit_code(shell, capsys):
    ok, out, err = run(shell, capsys, "--args alice bob", HELLO)
    assert ok and out == "hello alice, argc=3\n[exit code 3]\n" and err == ""
    assert shell.user_ns["_rv32c"].booted.mode == "user"


def test_compile_errors_are_shown_as_the_compiler_prints_them(shell, capsys):
    ok, out, err = run(shell, capsys, "", '#include "vlab.h"\nint main(void) { return y; }\n')
    assert ok and out == ""
    assert err.startswith("cell.c:2:25: error: use of undeclared identifier 'y'\n")
    assert "Traceback" not in err and "rv32c-" not in err        # no temporary path either
    ok, out, err = run(shell, capsys, "--name lab1", "int main(void) { return }\n")
    assert err.startswith("lab1.c:1:25: error: expected expression")


def test_warnings_are_shown_and_the_program_still_runs(shell, capsys):
    ok, out, err = run(shell, capsys, "", "int main(void) { int unused; return 9; }\n")
    assert "warning: unused variable 'unused'" in err and out == "[exit code 9]\n"


def test_a_runaway_program_is_stopped_by_the_budget(shell, capsys):
    ok, out, _ = run(shell, capsys, "--max-instructions 50000",
                     "int main(void) { for (;;) { } }\n")
    assert ok and out == ("[stopped: the budget of 50,000 instructions ran out (an endless "
                          "loop?); raise it with --max-instructions N]\n")


def test_a_fault_names_the_function(shell, capsys):
    ok, out, _ = run(shell, capsys, "",
                     "int main(void) { *(volatile int *)8 = 1; return 0; }\n")
    assert out.startswith("[stopped at pc=0x") and "<main+" in out and "fault" in out


def test_bare_mode_stdin_and_stats(shell, capsys):
    ok, out, _ = run(shell, capsys, "--mode bare",
                     '#include "vlab.h"\nint main(void) { printf("bare\\n"); return 5; }\n')
    assert out == "bare\n[exit code 5]\n"
    assert shell.user_ns["_rv32c"].booted.mode == "bare"
    echo = ('#include "vlab.h"\nint main(void) { char b[16]; int n = read(0, b, 16);\n'
            'write(1, b, n); return n; }\n')
    ok, out, _ = run(shell, capsys, "--stdin 'hi there' --stats", echo)
    lines = out.splitlines()
    assert lines[:2] == ["hi there", "[exit code 8]"]           # a newline before the status
    assert lines[2].startswith("instructions retired: ") and lines[3].endswith("(wall-clock)")


def test_bad_options_are_a_usage_error_without_traceback(shell, capsys):
    ok, out, err = run(shell, capsys, "--bogus", HELLO)
    assert not ok and "UsageError: %%rv32c: unrecognized arguments: --bogus" in out + err
    assert "Traceback" not in out + err
    ok, out, err = run(shell, capsys, "--engine warp", HELLO)
    assert not ok and "warp" in out + err and "Traceback" not in out + err


def test_the_dbt_engine_gives_the_same_output_and_its_counters(shell, capsys):
    ok, out, _ = run(shell, capsys, "--engine dbt --stats --args x", HELLO)
    lines = out.splitlines()
    assert lines[:2] == ["hello x, argc=2", "[exit code 2]"]
    assert shell.user_ns["_rv32c"].booted.machine.engine.stats is not None
