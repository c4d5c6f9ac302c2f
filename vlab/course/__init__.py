"""The instructor's side of the exercises: release, collect, autograde, export, feedback.

A thin layer over nbgrader (https://nbgrader.readthedocs.io, version 0.9)
whose course root is ``exercises/``::

    exercises/
      nbgrader_config.py          course id, time limits, vlab's hang-proof executor
      source/<id>/<id>.ipynb      exercises as authored (solutions + hidden tests)
      release/<id>/<id>.ipynb     student version                 (generated)
      submitted/<student>/<id>/   collected submissions           (generated)
      autograded/<student>/<id>/  executed, scored submissions    (generated)
      feedback/<student>/<id>/    one HTML feedback page each     (generated)
      gradebook.db                nbgrader's sqlite gradebook     (generated)

Students never need nbgrader: they open the released notebook and get
feedback from :mod:`vlab.course.selfcheck`.  No Jupyter server and no nbgrader
exchange are involved; ``release`` is nbgrader's ``generate_assignment``.
The command line is ``vlab course ...`` (:mod:`vlab.cli.course_cmd`).
"""

from vlab.course.collect import Collection, collect
from vlab.course.directory import Course, CourseError
from vlab.course.grading import autograde, export_grades, generate_feedback, release, scores

__all__ = ["Collection", "Course", "CourseError", "autograde", "collect", "export_grades",
           "generate_feedback", "release", "scores"]
