"""The autograder's execute step, made hang-proof.

nbgrader's ``Autograde`` converter runs a list of preprocessors; its
``Execute`` step is an nbclient ``NotebookClient``, so it inherits the lost
wake-up that hangs widget notebooks (cause and fix in :mod:`vlab.course.execute`).
:class:`WakeSafeExecute` is nbgrader's ``Execute`` using vlab's wake-safe
kernel manager; ``exercises/nbgrader_config.py`` swaps it in, so the fix also
holds when an instructor runs plain ``nbgrader autograde`` in ``exercises/``.
Its time limits are nbgrader's ``Execute`` options (``c.Execute.timeout`` is
the per-cell limit; a cell past it is interrupted and fails its points).
"""

from __future__ import annotations

from nbgrader.converters import Autograde
from nbgrader.preprocessors import Execute

from vlab.course.execute import WakeSafeKernelManager


class WakeSafeExecute(Execute):
    """nbgrader's execute preprocessor with vlab's wake-safe kernel client."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("kernel_manager_class", WakeSafeKernelManager)
        super().__init__(*args, **kwargs)


def autograde_preprocessors() -> list[type]:
    """nbgrader's default autograde pipeline with ``Execute`` replaced by ``WakeSafeExecute``."""
    defaults = Autograde.class_traits()["autograde_preprocessors"].default()
    return [WakeSafeExecute if step is Execute else step for step in defaults]
