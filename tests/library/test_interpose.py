"""ltrace-like tracing and LD_PRELOAD-style hooks on static musl programs."""

import pytest

from vlab.library.interpose.hooks import FakeClock, HookSpecError, RedirectPath, parse_preload
from vlab.library.interpose.session import Session
from vlab.library.interpose.symbols import SymbolError
from vlab.library.interpose.tracer import format_trace, trace
from vlab.os.boot import BootError, run_program


def test_the_tracer_shows_each_library_call_with_arguments_and_result(config_root):
    session = trace(config_root / "prog", root=config_root)
    assert session.exit_code == 0
    assert session.stdout.startswith(b"config: colour=blue\n")
    lines = format_trace(session).splitlines()
    assert any(line.startswith('fopen("config.txt", "r") = 0x') for line in lines)
    assert 'printf("config: %s", ...) = 20' in lines
    assert "time(0x0) = 1293840000" in lines          # the host kernel's boot epoch
    returned = sum(call.result is not None for call in session.calls)
    assert session.machine.ledger.count("lib_trace_stop") == len(session.calls) + returned


def test_tracing_does_not_change_what_the_program_does(config_root):
    plain = run_program(config_root / "prog", root=config_root)
    assert trace(config_root / "prog", root=config_root).stdout == plain.stdout


def test_preloaded_hooks_redirect_a_path_and_fake_the_clock(config_root):
    image = (config_root / "prog").read_bytes()
    session = Session(config_root / "prog", root=config_root, trace=False,
                      hooks=[RedirectPath("config.txt", "other.txt"), FakeClock(86400)]).run()
    assert session.exit_code == 0
    assert session.stdout.decode().splitlines()[:2] == [
        "config: colour=red", "seconds since 1970: 86400 (the last century)"]
    ledger = session.machine.ledger
    assert ledger.count("lib_hook_call") == 2 and ledger.count("lib_trace_stop") == 0
    assert (config_root / "prog").read_bytes() == image       # the program is unchanged


def test_a_replaced_call_never_reaches_the_kernel(config_root):
    real = trace(config_root / "prog", root=config_root)
    faked = trace(config_root / "prog", root=config_root, hooks=[FakeClock(0)])
    time_calls = [c for c in faked.calls if c.name == "time"]
    assert time_calls[0].replaced and time_calls[0].hooked == "FakeClock"
    assert faked.kernel.calls["clock_gettime64"] + 1 == real.kernel.calls["clock_gettime64"]


def test_hooking_is_cheap_and_tracing_is_not(config_root):
    hooks = [FakeClock(0)]
    hooked = Session(config_root / "prog", root=config_root, hooks=hooks, trace=False).run()
    traced = trace(config_root / "prog", root=config_root)
    plain = run_program(config_root / "prog", root=config_root)
    base = plain.booted.machine.ledger.total_cycles
    assert hooked.machine.ledger.total_cycles < 1.1 * base < traced.machine.ledger.total_cycles


def test_bad_input_gets_clear_errors(config_root):
    with pytest.raises(SymbolError, match="stripped"):
        trace(config_root / "stripped", root=config_root)
    with pytest.raises(BootError, match="cannot hook"):
        Session(config_root / "prog", hooks=[type("H", (), {"function": "nosuch"})()])
    with pytest.raises(HookSpecError, match="choose one of"):
        parse_preload("faketime:0")
    with pytest.raises(HookSpecError, match="OLD=NEW"):
        parse_preload("redirect:config.txt")
    with pytest.raises(HookSpecError, match="seconds"):
        parse_preload("fakeclock:noon")
