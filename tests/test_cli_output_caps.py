"""Every command that runs guests caps what reaches our terminal (issue 16, item 15 and
its "output quotas" clause): ``vlab vm run``, ``vlab os run``, ``vlab container
run|start|exec|logs`` take ``--output-cap N`` as ``vlab run`` does (one implementation,
``vlab.os.quota.CappedStream``).  A guest printing forever stops at the cap; one line on
stderr says so and names the option; the exit status is the one documented for how the
guest then ends (a user program sees EFBIG; a console has no error to give, so a
bare-metal guest runs on to its budget, 124).  All through the CLI.
"""
from __future__ import annotations

import pytest

from vlab.cli import main

NOTICE = "reached the cap of"

# bare metal: store 'x' to the UART THR forever (as vlab run's own test)
UART_FLOOD = """
    .text
    .globl _start
_start:
    li t0, 0x10000000
    li a0, 0x78
1:  sb a0, 0(t0)
    j 1b
    .data
    .align 3
    .globl tohost
tohost: .word 0, 0
fromhost: .word 0, 0
"""

# bare metal: "ab" through the UART, then exit 0 through HTIF
UART_HELLO = """
    .text
    .globl _start
_start:
    li t0, 0x10000000
    li a0, 0x61
    sb a0, 0(t0)
    li a0, 0x62
    sb a0, 0(t0)
    la t1, tohost
    li a0, 1
    sw a0, 0(t1)
    sw zero, 4(t1)
1:  j 1b
    .data
    .align 3
    .globl tohost
tohost: .word 0, 0
fromhost: .word 0, 0
"""


@pytest.fixture
def state(tmp_path, monkeypatch):
    monkeypatch.setenv("VLAB_STATE_DIR", str(tmp_path / "state"))
    return tmp_path / "state"


def _guest(tmp_path, text: str) -> str:
    path = tmp_path / "guest.s"
    path.write_text(text)
    return str(path)


@pytest.mark.parametrize("cpu", ["hw", "trap-emulate"])
def test_vm_run_cuts_a_uart_flood_at_the_cap(tmp_path, capfdbinary, cpu):
    status = main(["vm", "run", "--cpu", cpu, "--output-cap", "64",
                   "--max-instructions", "20000", _guest(tmp_path, UART_FLOOD)])
    out, err = capfdbinary.readouterr()
    assert status == 124                           # it floods on to its budget...
    assert out == b"x" * 64                        # ...but the terminal got 64 bytes
    assert err.decode().count(NOTICE) == 1 and b"--output-cap" in err
    assert err.startswith(b"vlab vm run: the program's standard output")


def test_vm_run_output_under_the_cap_is_untouched(tmp_path, capfdbinary):
    assert main(["vm", "run", _guest(tmp_path, UART_HELLO)]) == 0
    out, err = capfdbinary.readouterr()
    assert out == b"ab" and NOTICE.encode() not in err


@pytest.mark.parametrize("argv", [["vm", "run", "g.s"], ["os", "run"],
                                  ["container", "logs", "x"], ["container", "exec", "x"],
                                  ["container", "start", "x"], ["container", "run", "i"]])
@pytest.mark.parametrize("value", ["-1", "lots"])
def test_a_bad_cap_is_a_usage_error(capfdbinary, argv, value):
    with pytest.raises(SystemExit) as stop:
        main([*argv[:2], "--output-cap", value, *argv[2:]])
    assert stop.value.code == 2
    assert b"--output-cap" in capfdbinary.readouterr()[1]


def test_os_run_stops_yes_at_the_cap(capfdbinary):
    status = main(["os", "run", "--output-cap", "101", "--max-instructions", "3000000",
                   "--", "yes"])
    out, err = capfdbinary.readouterr()
    assert out == b"y\n" * 50 + b"y"
    assert err.decode().count(NOTICE) == 1
    assert b"vlab os run: the program's standard output" in err
    assert b"File too large" in err and status == 1     # yes reports EFBIG and fails


def test_os_run_caps_stderr_too(capfdbinary):
    status = main(["os", "run", "--output-cap", "7", "--max-instructions", "3000000",
                   "--", "sh", "-c", "yes 0123456789 >&2"])
    out, err = capfdbinary.readouterr()
    assert out == b"" and status == 1
    assert err.startswith(b"0123456")
    assert b"the program's standard error reached the cap of 7" in err


def test_container_run_exec_start_stop_a_flood_at_the_cap(state, capfdbinary):
    assert main(["container", "run", "--name", "fl", "--output-cap", "101",
                 "--budget", "3000000", "vlab/base", "yes"]) == 1
    out, err = capfdbinary.readouterr()
    assert out == b"y\n" * 50 + b"y" and err.decode().count(NOTICE) == 1
    assert b"vlab container run: the program's" in err
    assert main(["container", "exec", "--output-cap", "9", "--budget", "3000000",
                 "fl", "yes", "abc"]) == 1
    out, err = capfdbinary.readouterr()
    assert out == b"abc\nabc\na" and b"vlab container exec: the program's" in err
    assert main(["container", "start", "--output-cap", "5", "--budget", "3000000",
                 "fl"]) == 1
    out, err = capfdbinary.readouterr()
    assert out == b"y\ny\ny" and b"vlab container start: the program's" in err


def test_container_logs_are_bounded_and_capped(state, capfdbinary):
    main(["container", "run", "-d", "--name", "dt", "--budget", "3000000", "vlab/base",
          "yes"])
    capfdbinary.readouterr()
    assert main(["container", "logs", "--output-cap", "50", "dt"]) == 0
    out, err = capfdbinary.readouterr()
    assert out == b"y\n" * 25 and err.decode().count(NOTICE) == 1
    assert main(["container", "logs", "dt"]) == 0    # what is stored is bounded already
    out, err = capfdbinary.readouterr()
    assert 0 < len(out) <= 1 << 20 and NOTICE.encode() not in err


def test_os_boot_caps_the_shell_session():
    import subprocess
    import sys
    done = subprocess.run([sys.executable, "-m", "vlab", "os", "boot", "--output-cap", "101"],
                          input=b"yes\nexit 4\n", capture_output=True, timeout=300)
    assert done.returncode == 4, done.stderr           # the shell still reads and exits
    assert len(done.stdout) == 101 and done.stdout.endswith(b"y\ny")
    assert done.stderr.count(b"vlab os boot: the program's standard output reached the "
                             b"cap of 101") == 1
    assert b"Traceback" not in done.stderr
