"""The ``vlab`` command dispatcher: help, and a reader that goes away early."""

import subprocess
import sys

from vlab.isa.asm import assemble


def test_help_lists_every_subcommand():
    done = subprocess.run([sys.executable, "-m", "vlab", "--help"], capture_output=True,
                          text=True, check=True)
    for command in ("run", "asm", "disasm", "hll", "course"):
        assert command in done.stdout


def test_a_closed_pipe_is_not_a_traceback(tmp_path):
    program = tmp_path / "long.elf"
    program.write_bytes(assemble(".text\n" + "addi a0, a0, 1\n" * 20_000).to_elf())
    reader = subprocess.Popen([sys.executable, "-m", "vlab", "disasm", str(program)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    reader.stdout.readline()
    reader.stdout.close()                 # like `| head -1`
    _, err = reader.communicate(timeout=60)
    assert reader.returncode == 0
    assert b"Traceback" not in err and b"BrokenPipe" not in err
