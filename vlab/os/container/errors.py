"""What goes wrong in the container runtime, and the exit codes docker uses for it.

``docker run`` reserves three exit codes for itself (docker-run(1), "Exit Status"):
125 when the daemon/runtime fails (a bad option value, an unknown image, a corrupt
state directory), 126 when the container's command cannot be invoked, 127 when it is
not found.  Any other status is the container's own.  argparse's usage errors stay 2.

Every :class:`ContainerError` message says what went wrong, where, and how to fix it;
the CLI prints it after ``vlab container <cmd>: error:`` and exits 125.
"""

from __future__ import annotations

EXIT_RUNTIME = 125      # docker: the runtime itself failed
EXIT_CANNOT_INVOKE = 126
EXIT_NOT_FOUND = 127
EXIT_USAGE = 2          # argparse


class ContainerError(Exception):
    """A runtime error (exit 125): bad option value, unknown container or image, ..."""

    exit_code = EXIT_RUNTIME


class NoSuchContainer(ContainerError):
    """No container has that id, id prefix or name."""


class NoSuchImage(ContainerError):
    """The image store has no image of that name."""


class StateError(ContainerError):
    """The state directory cannot be used: unreadable, corrupt, locked."""
