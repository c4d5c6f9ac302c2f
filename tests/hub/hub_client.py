"""Drive the local course hub the way browsers do: JupyterHub's REST API, then each
user's own server through the hub's proxy (Jupyter's contents API, nbgrader's
assignment-list and formgrader handlers).

JupyterHub REST API: https://jupyterhub.readthedocs.io (reference, "REST API").
nbgrader's server handlers: ``nbgrader/server_extensions/assignment_list/handlers.py``
(``/assignments``, ``/assignments/fetch``, ``/assignments/submit``) and
``formgrader/apihandlers.py`` (``/formgrader/api/...``), nbgrader 0.9.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("vlab_tools_hub", ROOT / "tools" / "hub.py")
hub_tools = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = hub_tools  # dataclasses look their module up there
_spec.loader.exec_module(hub_tools)
LocalHub = hub_tools.LocalHub

# The class of tests/hub: one instructor, two students, the course's first assignment.
ASSIGNMENT = "ch01"
INSTRUCTOR = "instructor"
STUDENTS = ("alice", "bob")


class HubRequestError(RuntimeError):
    """An HTTP error from the hub or a user's server, with the body it sent."""


class ClassOnHub:
    """One course on a running :class:`LocalHub`: users, their tokens and servers."""

    def __init__(self, hub: LocalHub):
        self.hub = hub
        self.tokens: dict[str, str] = {}

    # -- the hub's REST API, as the course-driver service ------------------------------
    def api(self, method: str, path: str, body: dict | None = None):
        return self._request(method, f"{self.hub.url}/hub/api{path}", self.hub.service_token, body)

    def start_servers(self, *users: str, timeout: float = 120) -> None:
        """Start each user's server (all at once) and wait until every one is ready."""
        for user in users:
            self.api("POST", f"/users/{user}/server")
        deadline = time.monotonic() + timeout
        for user in users:
            while not self.api("GET", f"/users/{user}")["servers"].get("", {}).get("ready"):
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{user}'s server not ready after {timeout:g} s; "
                                       f"see {self.hub.state / 'jupyterhub.log'}")
                time.sleep(0.5)

    def token(self, user: str) -> str:
        """An API token of ``user`` (kept in the hub's database, so it survives a restart)."""
        if user not in self.tokens:
            reply = self.api("POST", f"/users/{user}/tokens", {"note": "tests/hub"})
            self.tokens[user] = reply["token"]
        return self.tokens[user]

    # -- a user's own server, through the proxy --------------------------------------
    def server(self, user: str, method: str, path: str, body: dict | None = None):
        return self._request(method, f"{self.hub.url}/user/{user}{path}", self.token(user), body)

    def read_notebook(self, user: str, path: str) -> dict:
        return self.server(user, "GET", f"/api/contents/{path}?content=1")["content"]

    def write_notebook(self, user: str, path: str, notebook: dict) -> None:
        self.server(user, "PUT", f"/api/contents/{path}",
                    {"type": "notebook", "format": "json", "content": notebook})

    def home(self, user: str) -> Path:
        return self.hub.state / "home" / user

    def command_in_server(self, user: str, *argv: str) -> subprocess.CompletedProcess:
        """Run a command as a terminal in ``user``'s server would: same environment, home."""
        env = dict(self.hub.environment())
        env.update({"HOME": str(self.home(user)), "USER": user, "JUPYTERHUB_USER": user,
                    "JUPYTER_CONFIG_PATH": str(ROOT / "deploy" / "singleuser"),
                    "VLAB_COURSE_ROLE": "instructor" if user in self.hub.instructors
                    else "student"})
        return subprocess.run(list(argv), cwd=self.home(user), env=env, capture_output=True,
                              text=True, timeout=120)

    def listening_addresses(self) -> set[str]:
        """The IP addresses the hub's processes (hub, proxy, servers) listen on."""
        import psutil

        state = self.hub.state.resolve()
        addresses = set()
        for process in psutil.process_iter():
            try:
                if not Path(process.cwd()).is_relative_to(state):
                    continue
                addresses |= {connection.laddr.ip for connection in process.net_connections("inet")
                              if connection.status == psutil.CONN_LISTEN}
            except (psutil.Error, OSError):
                continue
        return addresses

    @staticmethod
    def _request(method: str, url: str, token: str | None, body: dict | None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(url, data=data, method=method,
                                         headers={"Authorization": f"token {token}"})
        try:
            with urllib.request.urlopen(request, timeout=240) as response:
                text = response.read()
        except urllib.error.HTTPError as error:
            raise HubRequestError(f"{method} {url}: {error.code} {error.read()[:2000]!r}") from None
        return json.loads(text) if text else None


def free_port_triple() -> int:
    """A port p with p, p+1 and p+2 free on 127.0.0.1 (proxy, hub, proxy API)."""
    import socket

    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            base = probe.getsockname()[1]
        if base > 65000:
            continue
        try:
            sockets = []
            for port in (base, base + 1, base + 2):
                sock = socket.socket()
                sockets.append(sock)
                sock.bind(("127.0.0.1", port))
            return base
        except OSError:
            continue
        finally:
            for sock in sockets:
                sock.close()
    raise RuntimeError("no three consecutive free ports on 127.0.0.1")


__all__ = ["ASSIGNMENT", "INSTRUCTOR", "ROOT", "STUDENTS", "ClassOnHub", "HubRequestError",
           "LocalHub", "free_port_triple"]
