"""nbgrader settings of every user's server on the course hub (local or Kubernetes).

Each single-user server finds this file on ``JUPYTER_CONFIG_PATH`` (the local hub,
``deploy/jupyterhub_config.py``) or in ``/etc/jupyter`` (the image, ``deploy/Dockerfile``).
It connects the server to nbgrader's exchange, a directory shared by everyone
(nbgrader documentation, "Managing assignment files": ``c.Exchange.root``)::

    <exchange>/vlab/outbound/<assignment>/                         released, fetched by students
    <exchange>/vlab/inbound/<student>+<assignment>+<timestamp>+<random>/   submitted

The environment says who the server belongs to (the hub sets it per user):

* ``VLAB_COURSE_ROLE=instructor``: the server also loads the course's own
  ``nbgrader_config.py`` (``exercises/``: course id, time limits, vlab's hang-proof
  executor) from ``VLAB_COURSE_ROOT``, so the formgrader and ``nbgrader`` commands in
  that server grade exactly as ``vlab course`` does.
* any other role is a student; the student id is the hub user name.  nbgrader
  takes it from the OS user, or from ``JUPYTERHUB_USER`` when the OS user is
  ``jovyan`` (the image); on the local hub every server runs as the same OS user,
  so the id is set here explicitly.
"""

import os

c = get_config()  # noqa: F821 - provided by traitlets when it loads this file

c.CourseDirectory.course_id = "vlab"
c.Exchange.root = os.environ.get("VLAB_EXCHANGE_ROOT", "/srv/nbgrader/exchange")

# A submission must hold exactly the released notebooks (nbgrader: ExchangeSubmit.strict);
# a renamed or extra notebook is refused with the names expected.
c.ExchangeSubmit.strict = True

if os.environ.get("VLAB_COURSE_ROLE") == "instructor":
    course_root = os.environ.get("VLAB_COURSE_ROOT", os.path.join(os.getcwd(), "exercises"))
    load_subconfig("nbgrader_config.py", path=course_root)  # noqa: F821 - traitlets
    c.CourseDirectory.root = course_root
    # Every user's server runs as one OS user (the local hub: the hub's own user; the
    # image: uid 1000 "jovyan"), so a file's owner cannot tell students apart; nbgrader's
    # collect would warn about every submission.  The student id is in the file name.
    c.ExchangeCollect.check_owner = False
elif os.environ.get("JUPYTERHUB_USER"):
    c.CourseDirectory.student_id = os.environ["JUPYTERHUB_USER"]
