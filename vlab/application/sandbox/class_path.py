"""A class-path source that loads an application's classes from its streamed package.

The HLL VM's class loaders ask a class-path source ``read_class(name)`` for a
class file's bytes (``None``: not here, ask the next source).
:class:`PackageClassPath` answers from the package's class directory
(manifest ``class-path``), through the streaming client, so the first load of
each class is a stream fault and the VM runs an application straight from a
package that was never installed.

A class name is a plain identifier; anything else (``../Main``, ``a/b``)
cannot name a class file and is answered with ``None``, so a program cannot
use class loading to read arbitrary files of the package.
"""

from __future__ import annotations

import re

from vlab.application.sandbox.streaming import StreamingClient

CLASS_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
CLASS_FILE_SUFFIX = ".vclass"


class PackageClassPath:
    """Reads ``<class-path>/<Name><suffix>`` from a package, fetching it on first use."""

    def __init__(self, client: StreamingClient, suffix: str = CLASS_FILE_SUFFIX) -> None:
        self.client = client
        self.directory = client.manifest.class_path
        self.suffix = suffix
        self.loaded: list[str] = []

    def path_of(self, name: str) -> str:
        return f"{self.directory}/{name}{self.suffix}"

    def read_class(self, name: str) -> bytes | None:
        if not isinstance(name, str) or not CLASS_NAME.match(name):
            return None
        path = self.path_of(name)
        if not self.client.has_file(path):
            return None
        self.loaded.append(name)
        return self.client.read_file(path)

    def __repr__(self) -> str:
        return f"PackageClassPath({self.client.manifest.name!r}: {self.directory})"
