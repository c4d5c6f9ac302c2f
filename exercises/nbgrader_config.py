"""nbgrader configuration of the vlab course; the course root is this directory.

Used by ``vlab course ...`` and by plain ``nbgrader ...`` run inside
``exercises/``.  See book/instructors.md for the workflow and
vlab/course/selfcheck.py for how exercise notebooks are authored.
"""

from vlab.course.executor import autograde_preprocessors

c = get_config()  # noqa: F821 - provided by traitlets when it loads this file

c.CourseDirectory.course_id = "vlab"

# Autograding: each submission runs confined in a process of its own, with vlab's
# hang-proof executor, and every test must prove it ran (vlab/course/executor.py); a
# per-cell time limit after which the cell is interrupted and scores zero.
c.Autograde.autograde_preprocessors = autograde_preprocessors()
c.Execute.timeout = 30
c.Execute.startup_timeout = 60
# Limits of one submission (the defaults; book/instructors.md, "What grading protects
# against"): seconds for the whole notebook, and per process CPU seconds, address space,
# largest file; processes beyond the user's; characters of output kept.
c.ConfinedExecute.notebook_timeout = 600
c.ConfinedExecute.cpu_limit = 300
c.ConfinedExecute.memory_limit = 4 << 30
c.ConfinedExecute.file_size_limit = 64 << 20
c.ConfinedExecute.process_limit = 64
c.ConfinedExecute.output_limit = 1 << 20

# The stub a student sees in place of each solution region.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
