"""Wait queues: how a system call that cannot finish yet puts its process to sleep.

Like Linux's ``wait_queue_head_t`` (and xv6's ``sleep(chan)``/``wakeup(chan)``): a
process that must wait -- for a pipe to fill, a child to exit, a timer to expire --
sleeps on a queue, and whoever changes that condition wakes the queue.

The kernel's protocol is *block and restart*: a handler that would block raises
``Blocked(queue)`` before it changes anything; the kernel marks the process asleep on
that queue and leaves its ``pc`` on the ``ecall``, so when the process is woken and
scheduled again the same system call runs again from the start, with the same
arguments (Linux's ``-ERESTARTSYS`` path, without the signal cases).  ``deadline``, in
guest nanoseconds, wakes the sleeper by time as well (``nanosleep``, ``ppoll``
timeouts); a queue of ``None`` sleeps on time alone.
"""

from __future__ import annotations


class WaitQueue:
    """Processes sleeping until something happens; ``wake_all`` makes them runnable."""

    def __init__(self, name: str = "wait"):
        self.name = name
        self.sleepers: list = []          # processes, in the order they went to sleep

    def add(self, proc) -> None:
        if proc not in self.sleepers:
            self.sleepers.append(proc)

    def remove(self, proc) -> None:
        if proc in self.sleepers:
            self.sleepers.remove(proc)

    def wake_all(self) -> int:
        """Wake every sleeper (they re-check their condition); how many were woken."""
        woken, self.sleepers = self.sleepers, []
        for proc in woken:
            proc.wake()                   # the process becomes runnable (proc.py)
        return len(woken)

    def __len__(self) -> int:
        return len(self.sleepers)

    def __repr__(self) -> str:
        return f"<WaitQueue {self.name} sleepers={len(self.sleepers)}>"


class Blocked(Exception):
    """Raised by a system call handler that must wait; nothing was changed yet.

    ``queue``: what to sleep on (None: time only); ``deadline``: guest ns at which to
    wake anyway (None: no timeout)."""

    def __init__(self, queue: WaitQueue | None, deadline: int | None = None):
        super().__init__(queue, deadline)
        self.queue, self.deadline = queue, deadline
