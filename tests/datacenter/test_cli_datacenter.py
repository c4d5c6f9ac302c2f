"""``vlab datacenter consolidate``: the printed metrics and clear errors."""

from vlab.cli import main


def test_consolidate_prints_the_metrics(capsys):
    assert main(["datacenter", "consolidate", "--trace", "20110303", "--policy", "lr",
                 "--hosts", "20"]) == 0
    out = capsys.readouterr().out
    for word in ("26 VMs on 20 hosts", "LR-MMT-1.2", "energy", "kWh", "migrations",
                 "SLATAH", "PDM", "SLAV"):
        assert word in out


def test_bad_trace_directory_is_a_clear_error(tmp_path, capsys):
    (tmp_path / "vm").write_text("5\n" * 10)
    assert main(["datacenter", "consolidate", "--trace", str(tmp_path), "--policy", "thr",
                 "--hosts", "4"]) == 1
    err = capsys.readouterr().err
    assert "has 10 samples, a day needs 288" in err and "Traceback" not in err


def test_bad_parameter_and_hosts(capsys):
    assert main(["datacenter", "consolidate", "--trace", "20110303", "--policy", "thr",
                 "--param", "2"]) == 1
    assert main(["datacenter", "consolidate", "--trace", "20110303", "--policy", "thr",
                 "--hosts", "0"]) == 1
    err = capsys.readouterr().err
    assert "threshold must be in (0, 1]" in err and "--hosts must be at least 1" in err
