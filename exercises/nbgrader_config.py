"""nbgrader configuration of the vlab course; the course root is this directory.

Used by ``vlab course ...`` and by plain ``nbgrader ...`` run inside
``exercises/``.  See book/instructors.md for the workflow and
vlab/course/selfcheck.py for how exercise notebooks are authored.
"""

from vlab.course.executor import autograde_preprocessors

c = get_config()  # noqa: F821 - provided by traitlets when it loads this file

c.CourseDirectory.course_id = "vlab"

# Autograding: vlab's hang-proof executor (see vlab/course/execute.py), and a
# per-cell time limit after which the cell is interrupted and scores zero.
c.Autograde.autograde_preprocessors = autograde_preprocessors()
c.Execute.timeout = 30
c.Execute.startup_timeout = 60

# The stub a student sees in place of each solution region.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
