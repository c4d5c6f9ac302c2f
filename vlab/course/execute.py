"""Execute notebooks safely: every wait is bounded, outputs are deterministic.

Chapter authors store outputs with ``tools/execute_notebooks.py``; the
instructor's autograder (:mod:`vlab.course`) runs student notebooks with
the same client class.  Both rely on three guarantees:

* **Bounded.**  A cell that runs longer than ``cell_timeout`` seconds is
  interrupted (its cell gets a ``CellTimeoutError``); a whole notebook that
  runs longer than ``notebook_timeout`` is cancelled and its kernel shut down;
  kernel start-up, IOPub draining and shut-down each have their own limit.
* **Deterministic.**  No timing metadata is recorded (``record_timing`` off),
  volatile metadata is stripped, and widgets get sequential ids (the kernel's
  comm ids are ``uuid4()`` otherwise; see :data:`SEQUENTIAL_COMM_IDS`), so
  re-executing an unchanged notebook rewrites it byte for byte.
* **Widgets.**  ``store_widget_state`` keeps every widget's state in the
  notebook metadata, so the static book can show each widget's initial state.

The kernel is ``python3`` from the running interpreter's environment (the
course's ``.venv``), whatever the notebook's metadata says.

The lost wake-up that hangs widget notebooks (nbclient issue 312)
-----------------------------------------------------------------
Executing a notebook with widgets hangs about one run in ten with stock
nbclient 0.11 / jupyter_client 8.10 / pyzmq 27: 6 hangs in 60 runs of
``tests/grading/fixtures/widgets.ipynb``, against 0 in 60 for
:class:`SafeNotebookClient` (``tests/grading/measure_widget_hangs.py``).  The
stack of a hung run shows nbclient awaiting ``shell_channel.get_msg()`` while
the shell socket *has* the ``execute_reply`` queued (``zmq.EVENTS`` says
POLLIN) and its descriptor is registered with the event loop.

Cause.  A ZeroMQ socket's file descriptor is edge-triggered: it becomes
readable when commands reach the socket's mailbox, and *any* libzmq call on
the socket (send, recv, getsockopt EVENTS) processes those commands and
drains the descriptor.  pyzmq's asyncio sockets therefore re-check
``EVENTS`` after every operation they perform.  But jupyter_client's
``Session.send`` sends through a plain *shadow* of the asyncio socket, so a
send bypasses that bookkeeping.  nbclient mimics the Output widget
(``nbclient.output_widget``) and, while a cell runs, sends ``comm_msg``
updates on the shell channel.  When such a send happens after the cell's
``execute_reply`` has reached the socket but before the event loop has seen
the descriptor, libzmq consumes the edge inside the send, nobody re-checks
``EVENTS``, and the waiting ``get_msg`` is never woken: with no cell timeout
it waits forever; with one, the receive is only found when its poll times
out, so the cell stalls for the whole limit (30 s per hang in nbgrader).
Only notebooks whose cells produce Output-widget messages
(``ipywidgets.Output``, ``interactive``, ``interact``) send on the shell
channel mid-cell, hence "widgets".

Fix.  :class:`WakeSafeChannel` re-checks ``EVENTS`` through the asyncio
socket right after every send, which lets pyzmq schedule the pending
receive; :class:`WakeSafeKernelManager` hands out clients using it for the
channels that are both sent on and awaited (shell, control, stdin).  Every
execution path in vlab uses it: :class:`SafeNotebookClient` here and the
autograder's execute preprocessor (:mod:`vlab.course`).
``tests/grading/test_execute.py`` reproduces the lost wake-up
deterministically at the socket level and runs a widget notebook 30 times.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from pathlib import Path

import nbformat
import zmq
from jupyter_client import AsyncKernelClient, AsyncKernelManager
from jupyter_client.channels import AsyncZMQSocketChannel
from jupyter_core.paths import jupyter_runtime_dir
from nbclient import NotebookClient
from nbformat import NotebookNode
from traitlets import Type

DEFAULT_CELL_TIMEOUT = 120  # seconds; a chapter cell that needs more is a bug
DEFAULT_NOTEBOOK_TIMEOUT = 900  # seconds for the whole notebook, start-up included
KERNEL_NAME = "python3"

# Run silently in each fresh kernel before the first cell: comm (and so widget
# model) ids become 00..01, 00..02, ... instead of random uuid4() values.
SEQUENTIAL_COMM_IDS = """
def _vlab_sequential_comm_ids():
    import itertools, types, uuid
    try:
        import comm.base_comm, ipykernel.comm.comm
    except ImportError:
        return
    counter = itertools.count(1)
    shim = types.SimpleNamespace(**vars(uuid))
    shim.uuid4 = lambda: uuid.UUID(int=next(counter))
    comm.base_comm.uuid = ipykernel.comm.comm.uuid = shim
_vlab_sequential_comm_ids()
del _vlab_sequential_comm_ids
"""

# Cell metadata that changes on every execution without the code changing.
VOLATILE_CELL_METADATA = ("execution", "ExecuteTime")


class NotebookTimeoutError(TimeoutError):
    """The whole notebook ran past its time budget."""


class WakeSafeChannel(AsyncZMQSocketChannel):
    """A kernel channel whose sends cannot swallow the wake-up of a pending receive."""

    def send(self, msg: dict) -> None:
        super().send(msg)  # goes through a synchronous shadow of self.socket
        if self.socket is not None and not self.socket.closed:
            self.socket.get(zmq.EVENTS)  # pyzmq re-arms any receive now pending


class WakeSafeKernelClient(AsyncKernelClient):
    """An asynchronous kernel client whose request channels are wake-safe."""

    shell_channel_class = Type(WakeSafeChannel)
    control_channel_class = Type(WakeSafeChannel)
    stdin_channel_class = Type(WakeSafeChannel)


class WakeSafeKernelManager(AsyncKernelManager):
    """A kernel manager that hands out :class:`WakeSafeKernelClient` clients and talks to
    its local kernel over IPC (Unix-domain sockets next to the connection file, readable by
    this user only) instead of TCP on localhost: nothing leaves the machine, and the
    kernel's warning "Kernel is running over TCP without encryption" (ipykernel 7) does not
    reach the terminal of the instructor who autogrades."""

    client_factory = Type(WakeSafeKernelClient, klass=AsyncKernelClient, config=True)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("transport", "ipc" if os.name == "posix" else "tcp")
        if kwargs["transport"] == "ipc" and "ip" not in kwargs:
            # An absolute socket path: jupyter_client's default ("kernel-ipc") is relative,
            # and the kernel runs in the notebook's folder, not in ours.
            runtime = Path(jupyter_runtime_dir())
            base = runtime / f"vlab-kernel-{uuid.uuid4().hex[:16]}"
            if ipc_path_fits(base):
                runtime.mkdir(mode=0o700, parents=True, exist_ok=True)
                kwargs["ip"] = str(base)
            else:                        # a deep runtime folder: TCP on the loopback instead
                kwargs["transport"] = "tcp"
        super().__init__(*args, **kwargs)


#: The longest path a Unix-domain socket can have: ``sun_path`` holds 108 bytes with the
#: terminating NUL (Linux unix(7)); jupyter_client appends ``-<port number>`` to the base.
SOCKET_PATH_MAX = 107
PORT_SUFFIX_MAX = len("-65535")


def ipc_path_fits(base: Path) -> bool:
    """Whether every socket ``<base>-<port>`` of a kernel fits in a Unix socket address."""
    return len(os.fsencode(base)) + PORT_SUFFIX_MAX <= SOCKET_PATH_MAX


class SafeNotebookClient(NotebookClient):
    """An nbclient ``NotebookClient`` that cannot hang: wake-safe, every wait limited."""

    def __init__(self, nb: NotebookNode, *, cell_timeout: int | None = DEFAULT_CELL_TIMEOUT,
                 **kwargs):
        kwargs.setdefault("kernel_manager_class", WakeSafeKernelManager)
        kwargs.setdefault("timeout", cell_timeout)
        kwargs.setdefault("kernel_name", KERNEL_NAME)
        kwargs.setdefault("startup_timeout", 60)
        kwargs.setdefault("iopub_timeout", 10)
        kwargs.setdefault("raise_on_iopub_timeout", True)
        kwargs.setdefault("store_widget_state", True)
        kwargs.setdefault("record_timing", False)
        kwargs.setdefault("shutdown_kernel", "immediate")
        super().__init__(nb, **kwargs)

    async def async_start_new_kernel_client(self):
        """Start the kernel client, then make the kernel's widget ids sequential."""
        client = await super().async_start_new_kernel_client()
        msg_id = client.execute(SEQUENTIAL_COMM_IDS, silent=True, store_history=False)
        reply = await self.async_wait_for_reply(msg_id)
        if reply is None or reply["content"]["status"] != "ok":
            raise RuntimeError(f"the kernel rejected vlab's set-up code: {reply}")
        return client


def execute_notebook(
    nb: NotebookNode,
    *,
    cwd: str | Path,
    cell_timeout: int | None = DEFAULT_CELL_TIMEOUT,
    notebook_timeout: float = DEFAULT_NOTEBOOK_TIMEOUT,
    allow_errors: bool = False,
) -> NotebookNode:
    """Execute ``nb`` in a fresh kernel whose working directory is ``cwd``; return it.

    Raises ``nbclient.exceptions.CellExecutionError`` when a cell fails (unless
    ``allow_errors``) and :class:`NotebookTimeoutError` past ``notebook_timeout``.
    """
    client = SafeNotebookClient(
        nb,
        cell_timeout=cell_timeout,
        allow_errors=allow_errors,
        resources={"metadata": {"path": str(cwd)}},
    )
    asyncio.run(_execute_within(client, notebook_timeout))
    strip_volatile_metadata(nb)
    return nb


async def _execute_within(client: NotebookClient, seconds: float) -> None:
    """Run ``client.async_execute()``; past ``seconds``, cancel it (its kernel shuts down)."""
    execution = asyncio.ensure_future(client.async_execute())
    done, _ = await asyncio.wait({execution}, timeout=seconds)
    if not done:
        execution.cancel()
        await asyncio.gather(execution, return_exceptions=True)
        raise NotebookTimeoutError(
            f"the notebook did not finish within {seconds:g} s "
            "(raise notebook_timeout or make its cells faster)"
        )
    execution.result()  # re-raise a cell's failure


def strip_volatile_metadata(nb: NotebookNode) -> NotebookNode:
    """Remove per-run metadata (timestamps) so re-execution is reproducible."""
    for cell in nb.cells:
        for key in VOLATILE_CELL_METADATA:
            cell.metadata.pop(key, None)
    return nb


def execute_file(path: str | Path, **options) -> NotebookNode:
    """Execute the notebook at ``path`` in its own directory and save it in place."""
    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    execute_notebook(nb, cwd=path.parent, **options)
    nbformat.write(nb, path)
    return nb
