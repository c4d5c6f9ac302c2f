"""The ``vlab`` command dispatcher: help, and a reader that goes away early."""

import subprocess
import sys
from pathlib import Path

import pytest

from vlab.cli import main
from vlab.isa.asm import assemble
from vlab.isa.runtime import compile_c, find_compiler


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


README = Path(__file__).resolve().parents[1] / "README.md"


def _readme_block(after: str, language: str = "") -> str:
    """The first fenced block of README.md after the sentence ``after``."""
    text = README.read_text(encoding="utf-8")
    rest = text[text.index(after):]
    start = rest.index(f"```{language}\n") + len(language) + 4
    return rest[start:rest.index("```", start)]


def test_every_subcommand_and_action_has_a_description(capsys):
    for argv in (["run"], ["hll", "run"], ["hll", "compile"], ["hll", "javap"],
                 ["course", "release"], ["course", "collect"], ["course", "autograde"],
                 ["course", "export"], ["course", "feedback"]):
        with pytest.raises(SystemExit):
            main([*argv, "--help"])
        description = capsys.readouterr().out.split("\n\n")[1]    # after the usage
        assert not description.startswith(("positional arguments", "options")), argv


def test_the_readme_hello_world_in_assembly_runs(tmp_path, capfd):
    source = tmp_path / "hello.s"
    source.write_text(_readme_block("Save it as `hello.s`:"))
    assert main(["run", str(source)]) == 0
    assert capfd.readouterr().out == "Hello, world!\n"


@pytest.mark.skipif(find_compiler() is None, reason="needs the pinned ziglang (pip install -e .)")
def test_the_readme_hello_world_in_c_runs(tmp_path, capfd):
    source = tmp_path / "hello.c"
    source.write_text(_readme_block("save it as `hello.c`:", "c"))
    compile_c([source], tmp_path / "hello.elf")
    assert main(["run", str(tmp_path / "hello.elf"), "students"]) == 0
    assert capfd.readouterr().out == "Hello from students!\n"
