"""The safe executor: the lost wake-up (nbclient issue 312) is fixed, every wait is bounded.

The race and its fix are explained in vlab/course/execute.py.  The first tests
reproduce it deterministically on a bare socket pair; the widget test runs a
notebook whose Output widgets trigger it, 30 times, each run bounded.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import zmq
import zmq.asyncio
from jupyter_client.channels import AsyncZMQSocketChannel
from jupyter_client.session import Session
from nbclient.exceptions import CellTimeoutError
from nbformat.v4 import new_code_cell, new_notebook

from vlab.course.execute import (
    NotebookTimeoutError,
    WakeSafeChannel,
    execute_notebook,
    strip_volatile_metadata,
)

FIXTURES = Path(__file__).parent / "fixtures"
ROOT = Path(__file__).resolve().parents[2]
WIDGET_RUNS = 30


async def _reply_then_send(channel_class: type[AsyncZMQSocketChannel]) -> bool:
    """Await a reply while a send happens after it arrived; True if the waiter wakes.

    Over ``inproc://`` the router's send puts the "data arrived" command into the
    dealer's mailbox before it returns, so the order of events is exact.
    """
    context = zmq.asyncio.Context()
    dealer = context.socket(zmq.DEALER)
    router = zmq.Context.shadow(context.underlying).socket(zmq.ROUTER)
    router.bind("inproc://kernel-shell")
    dealer.connect("inproc://kernel-shell")
    session = Session()
    channel = channel_class(dealer, session)
    try:
        channel.send(session.msg("execute_request", {"code": ""}))
        identity = router.recv_multipart()[0]
        waiting = asyncio.ensure_future(channel.get_msg(timeout=None))
        await asyncio.sleep(0.05)  # the waiter is now parked on the socket's descriptor
        session.send(router, "execute_reply", {"status": "ok"}, ident=identity)
        channel.send(session.msg("comm_msg", {}))  # what nbclient's Output widget does
        done, _ = await asyncio.wait([waiting], timeout=2)
        waiting.cancel()
        return bool(done)
    finally:
        dealer.close(linger=0)
        router.close(linger=0)
        context.term()


def test_wake_safe_channel_wakes_the_waiting_receive():
    assert asyncio.run(_reply_then_send(WakeSafeChannel))


def test_stock_channel_still_loses_the_wake_up():
    """Canary: when this fails, upstream fixed the race and WakeSafeChannel can go."""
    assert not asyncio.run(_reply_then_send(AsyncZMQSocketChannel))


@pytest.mark.timeout(240)
def test_widget_notebook_never_hangs_and_reexecutes_identically(tmp_path):
    """Stock nbclient hangs ~1 run in 10 on this notebook (measure_widget_hangs.py)."""
    source = nbformat.read(FIXTURES / "widgets.ipynb", as_version=4)
    results = set()
    for run in range(WIDGET_RUNS):
        nb = nbformat.from_dict(source)
        try:
            execute_notebook(nb, cwd=tmp_path, cell_timeout=None, notebook_timeout=20)
        except NotebookTimeoutError:
            pytest.fail(f"run {run + 1} of {WIDGET_RUNS} hung (no reply within 20 s)")
        results.add(nbformat.writes(nb))
    assert len(results) == 1, "re-executing the notebook changed it (widget ids, timings?)"
    state = nb.metadata.widgets["application/vnd.jupyter.widget-state+json"]["state"]
    assert sorted(state)[0] == "00000000000000000000000000000001"
    values = [model["state"]["value"] for model in state.values()
              if model["model_name"] == "IntSliderModel"]
    assert sorted(values) == [0, 1, 2, 3, 3]


def _notebook(*sources: str):
    nb = new_notebook(cells=[new_code_cell(source) for source in sources])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    return nb


def test_cell_timeout_interrupts_an_endless_cell(tmp_path):
    with pytest.raises(CellTimeoutError):
        execute_notebook(_notebook("while True: pass"), cwd=tmp_path, cell_timeout=2)


def test_notebook_timeout_bounds_the_whole_notebook(tmp_path):
    nb = _notebook("import time", *["time.sleep(1)"] * 10)
    with pytest.raises(NotebookTimeoutError, match="did not finish within 3 s"):
        execute_notebook(nb, cwd=tmp_path, cell_timeout=5, notebook_timeout=3)


def test_outputs_are_stored_without_timing_metadata(tmp_path):
    nb = execute_notebook(_notebook("print(6 * 7)"), cwd=tmp_path)
    assert nb.cells[0].outputs[0]["text"] == "42\n"
    assert "execution" not in nb.cells[0].metadata


def test_strip_volatile_metadata():
    nb = _notebook("1")
    nb.cells[0].metadata.update(execution={"iopub.status.busy": "2024"}, tags=["keep"])
    assert strip_volatile_metadata(nb).cells[0].metadata == {"tags": ["keep"]}


def _run_tool(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "tools" / "execute_notebooks.py"), *args],
                          capture_output=True, text=True, timeout=120)


def test_tool_stores_outputs_in_place_and_reports_failures(tmp_path):
    good, bad = tmp_path / "good.ipynb", tmp_path / "bad.ipynb"
    nbformat.write(_notebook("from pathlib import Path", "print(Path.cwd().name)"), good)
    nbformat.write(_notebook("1 / 0"), bad)
    bad_before = bad.read_text()
    result = _run_tool(str(good), str(bad), str(tmp_path / "missing.ipynb"))
    assert result.returncode == 1
    assert nbformat.read(good, as_version=4).cells[1].outputs[0]["text"] == f"{tmp_path.name}\n"
    assert bad.read_text() == bad_before
    assert "ZeroDivisionError" in result.stderr
    assert "missing.ipynb: no such notebook" in result.stderr


def test_fixture_is_unexecuted():
    """The widget fixture must stay clean so each test run starts from the same notebook."""
    nb = nbformat.read(FIXTURES / "widgets.ipynb", as_version=4)
    assert all(not cell.get("outputs") for cell in nb.cells)


def test_kernels_talk_over_ipc_and_print_no_tcp_warning(tmp_path):
    """The instructor's terminal gets no "Kernel is running over TCP without encryption"
    warning: local kernels are reached over IPC (vlab.course.execute)."""
    script = ("from nbformat.v4 import new_code_cell, new_notebook\n"
              "from vlab.course.execute import execute_notebook\n"
              "nb = new_notebook(cells=[new_code_cell('print(6 * 7)')])\n"
              f"execute_notebook(nb, cwd={str(tmp_path)!r})\n"
              "print(nb.cells[0].outputs[0]['text'], end='')\n")
    elsewhere = tmp_path / "grader"          # the grader's folder is not the notebook's
    elsewhere.mkdir()
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120, cwd=elsewhere)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "42\n"
    assert "without encryption" not in done.stderr and "TCP" not in done.stderr
    assert list(tmp_path.iterdir()) == [elsewhere]   # no socket files left in the notebook's
    assert list(elsewhere.iterdir()) == []           # folder or in the grader's


def test_a_runtime_folder_too_deep_for_a_unix_socket_falls_back_to_tcp(tmp_path, monkeypatch):
    """sun_path holds 107 bytes: a kernel whose socket would not fit talks TCP on the
    loopback instead of failing with "File name too long" (a deep HOME or runtime dir)."""
    from vlab.course import execute

    deep = tmp_path / ("d" * 60) / ("e" * 60)
    monkeypatch.setattr(execute, "jupyter_runtime_dir", lambda: str(deep))
    manager = execute.WakeSafeKernelManager(kernel_name=execute.KERNEL_NAME)
    assert manager.transport == "tcp" and not deep.exists()
    monkeypatch.setattr(execute, "jupyter_runtime_dir", lambda: str(tmp_path))
    manager = execute.WakeSafeKernelManager(kernel_name=execute.KERNEL_NAME)
    assert manager.transport == "ipc" and manager.ip.startswith(str(tmp_path))
    assert execute.ipc_path_fits(tmp_path / "k")
    assert not execute.ipc_path_fits(tmp_path / ("x" * 107))
