"""The LxRun-style foreign ABI: vlab-BSD programs on the Linux-ABI kernel."""

from vlab.library.lxrun.run import run_bsd
from vlab.library.lxrun.translate import bsd_errno
from vlab.os.boot import run_program

EXPECTED = ("hello from a vlab-BSD program\nO_EXCL on an existing file: EEXIST\n"
            "a missing file: ENOENT\nseconds since 1970: 1293840000\npid: 1\n")


def test_a_foreign_abi_program_runs_through_the_translation_layer(bsd_hello, tmp_path):
    run = run_bsd(bsd_hello, root=tmp_path)
    assert run.exit_code == 0, run.message
    assert run.stdout.decode() == EXPECTED
    assert (tmp_path / "bsd.txt").read_text() == "written with BSD numbers\n"
    # BSD O_WRONLY|O_CREAT|O_TRUNC (0x601) became Linux's O_WRONLY|O_CREAT|O_TRUNC (577)
    opened = next(linux for call, _, linux in run.log if call.startswith("open("))
    assert opened[0].startswith("openat(-100, ") and opened[0].endswith(", 577, 420) = 3")
    timed = next(linux for call, _, linux in run.log if call.startswith("gettimeofday"))
    assert timed[0].startswith("clock_gettime64(0, ")      # timespec -> timeval
    assert run.unknown == []


def test_errors_come_back_in_the_foreign_convention(bsd_hello, tmp_path):
    run = run_bsd(bsd_hello, root=tmp_path)
    failures = [(call, result) for call, result, _ in run.log if result.startswith("error")]
    assert [result for _, result in failures] == ["error 17", "error 2"]
    assert bsd_errno(11) == 35 and bsd_errno(38) == 78 and bsd_errno(2) == 2


def test_without_the_layer_the_program_does_not_work(bsd_hello, tmp_path):
    done = run_program(bsd_hello, root=tmp_path, max_instructions=200_000)
    assert done.stdout != EXPECTED.encode()


def test_only_programs_branded_for_the_foreign_abi_are_translated(config_root):
    import pytest

    from vlab.library.lxrun.run import NotForeign

    with pytest.raises(NotForeign, match="EI_OSABI"):
        run_bsd(config_root / "prog")
