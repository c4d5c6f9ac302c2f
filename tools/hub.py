"""``make hub``: a local JupyterHub for the course on 127.0.0.1, with the nbgrader exchange.

TEST-ONLY login: any password is accepted for the listed user names
(``deploy/jupyterhub_config.py`` says why and what a real class uses instead).

    .venv/bin/python tools/hub.py [--port 8000] [--state _build/hub]
                                  [--instructors instructor] [--students alice,bob]

Open http://127.0.0.1:8000, log in as ``instructor``: the Formgrader (Nbgrader menu)
generates and releases an assignment from ``exercises/source``, collects and
autogrades.  Log in as ``alice`` (another browser profile): the Assignments page
fetches and submits.  Ctrl-C stops the hub, the proxy and every user's server;
the state directory (users, homes, exchange) is kept for the next start.

:class:`LocalHub` is also what tests/hub drives: it starts the hub in its own
process group and stops it, and everything it started, on :meth:`LocalHub.stop`.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import psutil

REPOSITORY = Path(__file__).resolve().parents[1]
CONFIG = REPOSITORY / "deploy" / "jupyterhub_config.py"
PROXY = REPOSITORY / "node_modules" / "configurable-http-proxy" / "bin" / "configurable-http-proxy"
VENV_BIN = Path(sys.executable).parent


class HubError(RuntimeError):
    """The local hub could not start; the message says why and what to do."""


@dataclass
class LocalHub:
    """A JupyterHub process for the course, its state in ``state``."""

    state: Path
    port: int = 8000
    course_root: Path = REPOSITORY / "exercises"
    instructors: tuple[str, ...] = ("instructor",)
    students: tuple[str, ...] = ("alice", "bob")
    service_token: str | None = None
    process: subprocess.Popen | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def exchange(self) -> Path:
        return self.state / "exchange"

    @property
    def runtime(self) -> Path:
        """The servers' Jupyter runtime files (kernel sockets need a short path)."""
        return Path(tempfile.gettempdir()) / f"vlab-hub-{os.getuid()}-{self.port}"

    def environment(self) -> dict[str, str]:
        """The variables ``deploy/jupyterhub_config.py`` reads (its docstring has the table)."""
        env = dict(os.environ)
        env.update({
            "PATH": os.pathsep.join([str(VENV_BIN), env.get("PATH", "")]),
            "VLAB_HUB_STATE": str(self.state),
            "VLAB_HUB_PORT": str(self.port),
            "VLAB_COURSE_ROOT": str(Path(self.course_root).resolve()),
            "VLAB_EXCHANGE_ROOT": str(self.exchange),
            "VLAB_HUB_INSTRUCTORS": ",".join(self.instructors),
            "VLAB_HUB_STUDENTS": ",".join(self.students),
            "VLAB_HUB_RUNTIME": str(self.runtime),
        })
        if self.service_token:
            env["VLAB_HUB_SERVICE_TOKEN"] = self.service_token
        return env

    def check(self) -> None:
        """Refuse to start when a piece is missing, saying how to get it."""
        if not PROXY.is_file():
            raise HubError(f"configurable-http-proxy is not installed ({PROXY} is missing): "
                           "run `make hub` (it runs npm ci) or `make book` first")
        if not (VENV_BIN / "jupyterhub").is_file():
            raise HubError("jupyterhub is not installed in this environment: "
                           f"run {VENV_BIN / 'pip'} install -e '.[test]'")
        if not (Path(self.course_root) / "nbgrader_config.py").is_file():
            raise HubError(f"{self.course_root} is not an nbgrader course "
                           "(no nbgrader_config.py): pass the exercises/ directory")

    def start(self, timeout: float = 60) -> None:
        """Start the hub (and through it the proxy); return once its API answers."""
        self.check()
        self.exchange.mkdir(parents=True, exist_ok=True)
        with open(self.state / "jupyterhub.log", "ab") as log:  # the hub keeps its own copy
            self.process = subprocess.Popen(
                [str(VENV_BIN / "jupyterhub"), "-f", str(CONFIG)],
                cwd=self.state, env=self.environment(), stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise HubError(f"jupyterhub exited with status {self.process.returncode}; "
                               f"see {self.state / 'jupyterhub.log'}")
            if _answers(f"{self.url}/hub/api/"):
                return
            time.sleep(0.3)
        self.stop()
        raise HubError(f"jupyterhub did not answer on {self.url} within {timeout:g} s; "
                       f"see {self.state / 'jupyterhub.log'}")

    def stop(self, timeout: float = 30) -> None:
        """Stop the hub as an operator would (SIGTERM: it stops the servers and the proxy).

        Whatever is still running afterwards and was started for this hub (a process
        whose working directory is inside the state directory: servers, kernels, the
        proxy) is terminated, then killed.
        """
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.process = None
        _end_processes_under(self.state.resolve())
        shutil.rmtree(self.runtime, ignore_errors=True)


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def _end_processes_under(directory: Path, timeout: float = 10) -> None:
    """Terminate (then kill) every process whose working directory is under ``directory``."""
    mine = []
    for process in psutil.process_iter(["pid"]):
        try:
            if process.pid != os.getpid() and Path(process.cwd()).is_relative_to(directory):
                mine.append(process)
        except (psutil.Error, OSError):
            continue
    for process in mine:
        try:
            process.terminate()
        except psutil.Error:
            pass
    _, alive = psutil.wait_procs(mine, timeout=timeout)
    for process in alive:
        try:
            process.kill()
        except psutil.Error:
            pass


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8000, help="public port (hub API +1, proxy +2)")
    parser.add_argument("--state", type=Path, default=REPOSITORY / "_build" / "hub",
                        help="the hub's directory: database, homes, exchange (kept)")
    parser.add_argument("--instructors", default="instructor", help="comma-separated names")
    parser.add_argument("--students", default="alice,bob", help="comma-separated names")
    args = parser.parse_args(argv)
    args.state.mkdir(parents=True, exist_ok=True)
    hub = LocalHub(args.state.resolve(), args.port,
                   instructors=tuple(args.instructors.split(",")),
                   students=tuple(args.students.split(",")))
    try:
        hub.start()
    except HubError as error:
        print(f"make hub: error: {error}", file=sys.stderr)
        return 2
    print(f"JupyterHub for the course: {hub.url}  (TEST-ONLY login: any password)\n"
          f"  instructors: {', '.join(hub.instructors)}   students: {', '.join(hub.students)}\n"
          f"  state: {hub.state}   log: {hub.state / 'jupyterhub.log'}\n"
          "Ctrl-C stops it.")
    # Ctrl-C (SIGINT) or SIGTERM stops the hub and everything it started.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        hub.process.wait()
    except KeyboardInterrupt:
        pass
    finally:
        hub.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
