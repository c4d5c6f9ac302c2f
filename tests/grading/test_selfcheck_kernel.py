"""Self-check feedback in a real IPython kernel, as a student meets it in JupyterLab.

JupyterLab sends a cell tagged ``raises-exception`` with ``stop_on_error`` off (its
``OutputArea.execute``), and *Run All* sends every cell at once; here the same requests go
to a kernel directly.  Checked: a failed check shows only its verdict (no traceback through
vlab.course.selfcheck), an unanswered question says "not answered yet", both are still
errors (nbgrader scores the cell zero), and the cells after a failed check still run.
"""

from __future__ import annotations

import pytest
from jupyter_client import KernelManager

CELLS = [
    ("from vlab.course.selfcheck import check", True),
    ("def answer():\n    # YOUR CODE HERE\n    raise NotImplementedError()", True),
    ("check('the answer', answer(), 42)", False),                 # not answered yet
    ("check('two plus two', 2 + 3, 4, hint='count again')", False),   # wrong
    ("check('one plus one', 1 + 1, 2)", False),                   # right: still runs
]


@pytest.fixture(scope="module")
def replies(tmp_path_factory):
    # IPC, like vlab's own executor: no TCP port to race for with other kernels starting
    sockets = tmp_path_factory.mktemp("kernel") / "k"
    manager = KernelManager(kernel_name="python3", transport="ipc", ip=str(sockets))
    manager.start_kernel()
    client = manager.client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=120)
        ids = [client.execute(code, stop_on_error=stop) for code, stop in CELLS]
        outputs: dict[str, list[dict]] = {msg_id: [] for msg_id in ids}
        status: dict[str, str] = {}
        while len(status) < len(ids):
            reply = client.get_shell_msg(timeout=60)
            status[reply["parent_header"]["msg_id"]] = reply["content"]["status"]
        while True:          # drain IOPub up to the last cell's idle
            message = client.get_iopub_msg(timeout=60)
            parent = message["parent_header"].get("msg_id")
            if parent in outputs and message["msg_type"] in ("stream", "error"):
                outputs[parent].append(message["content"])
            if (parent == ids[-1] and message["msg_type"] == "status"
                    and message["content"]["execution_state"] == "idle"):
                break
        yield [(status[msg_id], outputs[msg_id]) for msg_id in ids]
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def test_an_unanswered_question_says_not_answered_yet(replies):
    status, outputs = replies[2]
    assert status == "error"                                   # nbgrader: zero points
    [error] = [o for o in outputs if "traceback" in o]
    assert error["traceback"] == [
        "✗ not answered yet: answer() still raises NotImplementedError. Replace "
        "`raise NotImplementedError()` with your code, run that cell, then run this check "
        "again."]


def test_a_failed_check_shows_the_verdict_without_a_traceback(replies):
    status, outputs = replies[3]
    assert status == "error"
    [error] = [o for o in outputs if "traceback" in o]
    assert error["traceback"] == ["✗ two plus two: expected 4, got 5", "  Hint: count again"]
    assert not any("selfcheck.py" in line for line in error["traceback"])


def test_the_cells_after_a_failed_check_still_run(replies):
    status, outputs = replies[4]
    assert status == "ok"
    assert outputs == [{"name": "stdout", "text": "✓ one plus one\n"}]
