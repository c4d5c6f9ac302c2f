"""The userland on the vlab kernel: the RV32 build of the same C programs, run as
processes of the multi-process kernel.

The differential test: every script of test_userland_cases.py must print the same
bytes and exit with the same status here as the x86-64 build does on Linux
(test_userland_native.py checks the same expectations there).

Two ways in: a container of the kernel (vlab.os.container.kernelrun: a root file system
made of the userland's files, with /dev, /proc and /sys/fs/cgroup mounted -- the full
system), and ``vlab.os.boot.run_program`` (the kernel over a host directory, as
``vlab run --mode user`` uses it).
"""

import io
import shutil
import subprocess

import pytest

from tests.os.test_userland_cases import CASES, DOLLAR_AT
from vlab.os.boot import run_program
from vlab.os.container.kernelrun import run_container
from vlab.os.container.launch import LaunchPlan
from vlab.os.container.process import ProcessConfig
from vlab.os.fs import ImageLayer, WritableLayer
from vlab.os.userland import (
    ALIASES,
    ETC_FILES,
    PROGRAMS,
    build_userland,
    native_supported,
    userland_files,
)

pytestmark = pytest.mark.toolchain
BUDGET = 400_000_000           # instructions; a case takes well under 10 million


@pytest.fixture(scope="module")
def image():
    files = dict(userland_files())
    files["/w/.keep"] = b""                  # the empty working directory
    return ImageLayer(files)


def contained(image, script, *, argv=None, stdin=b"", hostname="vlab", uid=0):
    """Run ``sh -c SCRIPT`` (or argv) in a container on the kernel, in /w."""
    out, err = io.BytesIO(), io.BytesIO()
    process = ProcessConfig(argv=argv or ["/bin/sh", "-c", script],
                            env=["PATH=/bin", "HOME=/w"], workdir="/w", hostname=hostname,
                            uid=uid, gid=uid)
    plan = LaunchPlan("userland-test", [image], WritableLayer(), process, budget=BUDGET,
                      stdin=io.BytesIO(stdin), stdout=out, stderr=err)
    outcome = run_container(plan)
    return outcome, out.getvalue(), err.getvalue()


def native_stderr(script, cwd) -> bytes | None:
    """What the x86-64 Linux build of sh prints on standard error for the script (None
    on another kind of machine)."""
    if not native_supported():
        return None
    native = build_userland(target="native")["sh"]
    return subprocess.run([str(native), "-c", script], cwd=cwd, timeout=60,
                          env={"PATH": str(native.parent), "HOME": str(cwd)},
                          capture_output=True).stderr


@pytest.mark.parametrize("name,script,stdout,status", CASES, ids=[c[0] for c in CASES])
def test_same_output_as_on_linux(image, tmp_path, name, script, stdout, status):
    """The differential test: the expected standard output and status, and the same
    standard error as the Linux build, byte for byte (both take strerror's words from
    the same musl; ``yes | head`` prints nothing because SIGPIPE, sent with EPIPE, kills
    yes -- pipe(7))."""
    outcome, out, err = contained(image, script)
    assert out.decode() == stdout, err.decode()
    assert outcome.exit_code == status, (outcome, err.decode())
    expected = native_stderr(script, tmp_path)
    assert expected is None or err == expected


def test_quoted_dollar_at_on_the_kernel(image):
    outcome, out, err = contained(image, None, argv=["/bin/sh", "-c", DOLLAR_AT, "zero",
                                                     "a b", "c"])
    assert out == b"[a b]\n[c]\n<a>\n<b>\n<c>\nxa b cy 2\n", err


def test_id_names_come_from_etc_passwd(image):
    outcome, out, err = contained(image, "id; ls -l /etc/passwd; ls -l /etc | head -n 1")
    lines = out.decode().splitlines()
    assert lines[0] == "uid=0(root) gid=0(root)"
    assert lines[1].split()[2:4] == ["root", "root"]
    assert lines[2].startswith("total ")


def test_ps_inside_the_container_sees_pid_1_and_itself(image):
    outcome, out, err = contained(image, "sleep 1 & sleep 0.1; ps")
    rows = [line.split(None, 3) for line in out.decode().splitlines()]
    assert rows[0] == ["PID", "PPID", "STAT", "CMD"]
    assert rows[1][:3] == ["1", "0", "S"]                  # the shell is PID 1
    assert rows[2][1:3] == ["1", "S"] and rows[2][3].startswith("sleep")
    assert rows[-1][1:] == ["1", "R", "ps"] and len(rows) == 4


def test_ps_shows_the_whole_command_line(image):
    outcome, out, err = contained(image, "sleep 1 & sleep 0.1; ps")
    assert "    1 S    sleep 1" in out.decode()


def test_hostname_is_the_containers(image):
    outcome, out, err = contained(image, "hostname; hostname box2; hostname",
                                  hostname="box1")
    assert out == b"box1\nbox2\n"


def test_init_as_pid_1_runs_the_command_and_reaps(image):
    script = "sh -c 'sleep 0.2 &'; sleep 0.5; ps; exit 4"
    outcome, out, err = contained(image, None, argv=["/sbin/init", "sh", "-c", script])
    assert outcome.exit_code == 4, err
    rows = [line.split(None, 3) for line in out.decode().splitlines()[1:]]
    assert rows[0][:3] == ["1", "0", "S"] and "init" in rows[0][3]
    assert [r for r in rows if r[2] == "Z"] == []           # the orphan was reaped


def test_init_as_pid_1_passes_sigterm_on(image):
    """kill -TERM 1 inside: init has a handler, so it gets the signal and sends it to
    its command, whose death ends init with 128+15."""
    script = "echo before; kill -TERM 1; sleep 1; echo not reached"
    outcome, out, err = contained(image, None, argv=["/sbin/init", "sh", "-c", script])
    assert (out, outcome.exit_code) == (b"before\n", 143), err


def test_init_sets_the_hostname_when_asked(image):
    outcome, out, err = contained(image, None, argv=["/sbin/init", "-H", "node7", "hostname"])
    assert out == b"node7\n" and outcome.exit_code == 0, err


def test_interactive_prompt_by_uid(image):
    """The console is a terminal (isatty): the shell prompts, '# ' for root, '$ ' else."""
    outcome, out, err = contained(image, None, argv=["/bin/sh"], stdin=b"id\nexit 2\n")
    assert (out, err, outcome.exit_code) == (b"uid=0(root) gid=0(root)\n", b"# # ", 2)
    outcome, out, err = contained(image, None, argv=["/bin/sh"], stdin=b"id -u\n", uid=1000)
    assert (out, err, outcome.exit_code) == (b"1000\n", b"$ $ ", 0)


def test_init_runs_etc_rc_then_the_shell(image):
    files = dict(userland_files())
    files["/etc/rc"] = b"echo rc ran; hostname fromrc\n"
    outcome, out, err = contained(ImageLayer(files), None, argv=["/sbin/init"],
                                  stdin=b"hostname; echo $PATH; exit 3\n")
    assert out == b"rc ran\nfromrc\n/bin\n", err
    assert outcome.exit_code == 3


def test_booted_system_init_is_pid_1_and_the_shell_its_child():
    """The host system (vlab os run): /sbin/init -H vlab is PID 1 of the root PID
    namespace, the command its child; init exits with the command's status."""
    from vlab.os.container.system import boot_system
    out, err = io.BytesIO(), io.BytesIO()
    run = boot_system(["sh", "-c", "ps; hostname; exit 7"], stdout=out, stderr=err,
                      budget=BUDGET)
    assert run.exit_code == 7, err.getvalue()
    rows = [line.split(None, 3) for line in out.getvalue().decode().splitlines()]
    assert rows[1] == ["1", "0", "S", "/sbin/init -H vlab sh -c ps; hostname; exit 7"]
    assert rows[2] == ["2", "1", "S", "sh -c ps; hostname; exit 7"]
    assert rows[-2][1:] == ["2", "R", "ps"] and rows[-1] == ["vlab"]


def test_booted_system_console_shell(tmp_path):
    """vlab os boot: init starts /bin/sh on the console, which prompts."""
    from vlab.os.container.system import boot_system
    out, err = io.BytesIO(), io.BytesIO()
    stdin = io.BytesIO(b"echo $PATH\nfor d in /bin /sbin; do ls $d | wc -l; done\nexit 3\n")
    run = boot_system(None, stdin=stdin, stdout=out, stderr=err, budget=BUDGET)
    assert run.exit_code == 3
    in_bin = [path for path in [*PROGRAMS.values(), *ALIASES] if path.startswith("/bin/")]
    lines = out.getvalue().decode().splitlines()
    assert "/bin" in lines[0].split(":") and lines[1:] == [str(len(in_bin)), "1"]
    assert err.getvalue() == b"# # # "


def test_run_program_over_a_host_directory_same_on_interpreter_and_dbt(tmp_path):
    built = build_userland()
    root = tmp_path / "root"
    (root / "bin").mkdir(parents=True)
    for name, path in built.items():
        shutil.copy(path, root / "bin" / name)
    (root / "etc").mkdir()
    for path, data in ETC_FILES.items():
        (root / path.lstrip("/")).write_bytes(data)
    runs = {}
    for engine in ("interp", "dbt"):
        done = run_program(built["sh"], argv=["sh", "-c", "echo a | cat | wc -c; ls /; id"],
                           envp=["PATH=/bin"], root=str(root), max_instructions=BUDGET,
                           engine=engine)
        assert done.stdout == b"2\nbin\netc\nuid=0(root) gid=0(root)\n", done.stderr
        assert done.exit_code == 0
        calls = done.booted.kernel.calls
        assert calls["clone"] >= 4 and calls["execve"] >= 4, calls
        runs[engine] = (done.result.instructions, dict(calls))
    assert runs["interp"] == runs["dbt"]          # the engines agree instruction for instruction
