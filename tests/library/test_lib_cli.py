"""``vlab lib``: exit statuses and output of each verb."""

from vlab.cli import main


def test_trace_prints_calls_on_stderr_and_exits_with_the_programs_status(
        config_root, capfd):
    assert main(["lib", "trace", str(config_root / "prog"), "--root", str(config_root)]) == 0
    out, err = capfd.readouterr()
    assert out.startswith("config: colour=blue")
    assert 'fopen("config.txt", "r") = 0x' in err


def test_run_with_preloads_changes_the_behaviour(config_root, capfd):
    assert main(["lib", "run", "--preload", "redirect:config.txt=other.txt",
                 "--preload", "fakeclock:0", str(config_root / "prog"),
                 "--root", str(config_root)]) == 0
    out, _ = capfd.readouterr()
    assert out.splitlines()[:2] == ["config: colour=red",
                                    "seconds since 1970: 0 (the last century)"]


def test_budget_and_bad_input_statuses(config_root, capfd):
    assert main(["lib", "trace", str(config_root / "prog"), "--root", str(config_root),
                 "--max-instructions", "100"]) == 124
    assert main(["lib", "run", "--preload", "nope:1", str(config_root / "prog")]) == 2
    assert main(["lib", "run-foreign", str(config_root / "prog")]) == 2
    err = capfd.readouterr().err
    assert "no hook library 'nope'" in err and "is not branded for FreeBSD" in err
    assert "Traceback" not in err


def test_run_foreign_and_accel(hello_exe, saxpy_elf, tmp_path, capfd):
    assert main(["lib", "run-foreign", "--log", str(hello_exe), "--root", str(tmp_path)]) == 0
    assert main(["lib", "accel-run", "--accel", "vm", str(saxpy_elf)]) == 0
    assert main(["lib", "accel-demo", "--kernel", "reduce", "--size", "256"]) == 0
    out, err = capfd.readouterr()
    assert "Hello from a PE program" in out and "sum=524800" in out
    assert "exit_group(0)" in err and "11 API calls" in err
    assert "network" in out and "True" in out


def test_dynamically_linked_programs_take_shared_objects_as_preloads(dyn_examples, capfd):
    program = str(dyn_examples["hello_dyn"])
    assert main(["lib", "run", "--preload", "libfakeclock.so", program]) == 0
    assert main(["lib", "trace", program]) == 0
    assert main(["lib", "run", "--preload", "libnope.so", program]) == 2
    out, err = capfd.readouterr()
    assert "the clock says: long ago" in out
    assert "hello_dyn: vc_time called in libvc.so" in err
    assert "libnope.so (needed by LD_PRELOAD) not found" in err


def test_run_foreign_runs_a_vlab_bsd_elf_through_the_abi_layer(bsd_hello, tmp_path, capfd):
    assert main(["lib", "run-foreign", "--log", str(bsd_hello), "--root", str(tmp_path)]) == 0
    out, err = capfd.readouterr()
    assert out.startswith("hello from a vlab-BSD program")
    assert "clock_gettime64(0, " in err and "exit_group(0)" in err
