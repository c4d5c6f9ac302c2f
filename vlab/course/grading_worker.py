"""The confined half of the autograder: execute one submission, report cell by cell.

Run as ``python -m vlab.course.grading_worker`` by :class:`vlab.course.executor.
ConfinedExecute`, inside :func:`vlab.course.sandbox.run_confined`.  It reads a JSON
request on stdin (the notebook with its proof calls, the per-cell time limit, the output
budget) and writes one JSON line per executed code cell (its outputs) to the private
result descriptor, then ``{"done": true}``.  Reporting as it goes means the cells that
ran before a crash keep their outputs however the run ends.

What one hostile cell can do, and what happens (nbgrader scores a graded cell zero when
it shows an error; see ``vlab/course/executor.py`` for the rest):

==============================================  ==========================================
the cell                                        the worker
==============================================  ==========================================
runs past the per-cell limit                    interrupts it (``CellTimeoutError``)
ignores the interrupt (``SIGINT`` ignored)      waits for its output to stop (the
                                                client's ``iopub_timeout``, 10 s), then
                                                :data:`INTERRUPT_GRACE` seconds for an
                                                answer, then kills the kernel; later
                                                cells are not run (``NotRunError``)
kills its kernel (``os._exit``, a crash, OOM)   ``DeadKernelError`` in it; later cells
                                                not run
floods output                                   keeps the first ``output_bytes`` of the
                                                notebook's outputs, drops the rest with a
                                                note in the cell (errors and a first
                                                stderr line are kept, cut short: they
                                                decide the score)
==============================================  ==========================================

The kernel is started with the worker's environment minus the result descriptor, and the
worker makes itself non-dumpable (``prctl(PR_SET_DUMPABLE, 0)``, prctl(2)) so that the
kernel cannot read the notebook's later cells (and their proof tokens) from its memory.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import json
import os
import sys
from queue import Empty
from time import monotonic

import nbformat
from nbclient.exceptions import CellTimeoutError, DeadKernelError

from vlab.course.execute import SafeNotebookClient
from vlab.course.proof import PROOF_MIME, PROOF_SETUP, error_output

INTERRUPT_GRACE = 5.0  # seconds a kernel has to answer after its cell was interrupted
PR_SET_DUMPABLE = 4
KEPT_CHARS = 500  # of an error or stderr output past the output budget
DROPPED_NOTE = ("[the grader dropped output here: the notebook's output is over the "
                "grader's limit]\n")
TIMEOUT_ERROR = {"ename": "CellTimeoutError", "evalue": "",
                 "traceback": ["CellTimeoutError: the cell ran past the grader's time limit "
                               "and was interrupted"]}


def _content_size(value) -> int:
    """Characters in a message's content (strings summed; cheap for huge outputs)."""
    if isinstance(value, str):
        return len(value)
    if isinstance(value, dict):
        return sum(_content_size(item) for item in value.values())
    if isinstance(value, list):
        return sum(_content_size(item) for item in value)
    return 8


class GradingClient(SafeNotebookClient):
    """nbgrader's execution semantics (errors recorded, timeouts interrupt) with an output
    budget and the proof of execution installed before the first cell."""

    def __init__(self, nb, *, output_bytes: int, **kwargs):
        super().__init__(nb, allow_errors=True, interrupt_on_timeout=True,
                         error_on_timeout=TIMEOUT_ERROR,
                         extra_arguments=["--HistoryManager.hist_file=:memory:"], **kwargs)
        self.output_left = output_bytes
        self.truncated: set[int] = set()
        self.timed_out = False

    async def async_start_new_kernel_client(self):
        client = await super().async_start_new_kernel_client()
        reply = await self.async_wait_for_reply(
            client.execute(PROOF_SETUP, silent=True, store_history=False))
        if reply is None or reply["content"]["status"] != "ok":
            raise RuntimeError(f"the kernel rejected the grader's set-up code: {reply}")
        return client

    def output(self, outs, msg, display_id, cell_index):
        content = msg["content"]
        if PROOF_MIME not in content.get("data", {}):
            size = _content_size(content)
            if size > self.output_left:
                self.output_left = 0
                return self._over_budget(outs, msg, cell_index)
            self.output_left -= size
        return super().output(outs, msg, display_id, cell_index)

    def _over_budget(self, outs, msg, cell_index):
        """Drop an output past the budget, but keep what scores a cell (nbgrader gives zero
        to a cell with an error or with anything on stderr), cut to :data:`KEPT_CHARS`."""
        if cell_index not in self.truncated:
            self.truncated.add(cell_index)
            outs.append(nbformat.v4.new_output("stream", name="stdout", text=DROPPED_NOTE))
        content, kind = msg["content"], msg["msg_type"]
        if kind == "error":
            outs.append(nbformat.v4.new_output(
                "error", ename=str(content.get("ename", ""))[:KEPT_CHARS],
                evalue=str(content.get("evalue", ""))[:KEPT_CHARS],
                traceback=[line[:KEPT_CHARS] for line in content.get("traceback", [])[-10:]]))
        elif kind == "stream" and content.get("name") == "stderr" and not any(
                output.get("name") == "stderr" for output in outs):
            outs.append(nbformat.v4.new_output("stream", name="stderr",
                                               text=str(content.get("text", ""))[:KEPT_CHARS]))
        return None

    def on_cell_executed(self, **kwargs):
        """Record an error reply that left no error output (a timeout), as nbgrader does."""
        cell, reply = kwargs["cell"], kwargs["execute_reply"]
        if reply is None or reply["content"]["status"] != "error":
            return
        ename = reply["content"].get("ename")
        self.timed_out = ename == TIMEOUT_ERROR["ename"]
        if not any(output.output_type == "error" and output.get("ename") == ename
                   for output in cell.outputs):
            cell.outputs.append(nbformat.from_dict(
                {"output_type": "error", "ename": ename,
                 "evalue": reply["content"].get("evalue", ""),
                 "traceback": reply["content"].get("traceback") or [f"{ename}"]}))

    async def responsive(self, seconds: float = INTERRUPT_GRACE) -> bool:
        """Whether the kernel answers an empty request within ``seconds``."""
        msg_id = self.kc.execute("", silent=True, store_history=False)
        deadline = monotonic() + seconds
        while (left := deadline - monotonic()) > 0:
            try:
                msg = await self.kc.shell_channel.get_msg(timeout=left)
            except Empty:
                return False
            if msg["parent_header"].get("msg_id") == msg_id:
                return True
        return False


async def grade(nb, *, cwd: str, cell_timeout: int, output_bytes: int, emit) -> None:
    """Execute ``nb``'s code cells in order, calling ``emit`` with each cell's record."""
    client = GradingClient(nb, cell_timeout=cell_timeout, output_bytes=output_bytes,
                           resources={"metadata": {"path": cwd}})
    broken = None
    async with client.async_setup_kernel():
        count = 0
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            if broken:
                cell.outputs = [error_output("NotRunError", broken)]
            else:
                count += 1
                client.timed_out = False
                try:
                    await client.async_execute_cell(cell, index, execution_count=count)
                except DeadKernelError:
                    broken = f"not run: the kernel died in cell {index}"
                    cell.outputs.append(error_output(
                        "DeadKernelError", "the kernel died while this cell ran (it exited, "
                        "crashed or was killed for exceeding a limit)"))
                except CellTimeoutError as error:  # its output did not stop within the limit
                    cell.outputs.append(error_output("CellTimeoutError", str(error)[:300]))
                    client.timed_out = True
                if not broken and client.timed_out and not await client.responsive():
                    broken = (f"not run: the kernel did not answer after cell {index} "
                              "was interrupted, so it was killed")
                    await client.km.shutdown_kernel(now=True)
            emit({"cell": index, "outputs": cell.outputs,
                  "execution_count": cell.get("execution_count")})
    if client.truncated:
        emit({"problem": "output over the limit was dropped (cells "
                         + ", ".join(map(str, sorted(client.truncated))) + ")"})
    if broken:
        emit({"problem": broken.removeprefix("not run: ")})


def main() -> int:
    channel_fd = int(os.environ.pop("VLAB_RESULT_FD"))
    os.set_inheritable(channel_fd, False)
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
    request = json.loads(sys.stdin.buffer.read())
    nb = nbformat.from_dict(request["notebook"])
    with os.fdopen(channel_fd, "w", encoding="utf-8") as channel:
        def emit(record: dict) -> None:
            channel.write(json.dumps(record) + "\n")
            channel.flush()

        asyncio.run(grade(nb, cwd=os.getcwd(), cell_timeout=request["cell_timeout"],
                          output_bytes=request["output_bytes"], emit=emit))
        emit({"done": True})
    return 0


if __name__ == "__main__":
    sys.exit(main())
