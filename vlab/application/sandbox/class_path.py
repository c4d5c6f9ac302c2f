"""A class-path source that loads an application's classes from its streamed package.

The HLL VM's class loaders ask each class-path source ``read_class(name)``
for a class file's bytes (``None``: not here, ask the next source; see
:mod:`vlab.application.hll.loader`).  :class:`PackageClassPath` answers from
the package's class directory (manifest ``class-path``) through the streaming
client, so the first load of each class is a stream fault and the VM runs an
application straight from a package that was never installed.

A class name is a plain identifier; anything else (``../Main``, ``a/b``)
cannot name a class file and is answered with ``None``, so a program cannot
use class loading to read other files of the package.  A block that arrives
corrupt is reported to the VM as a :class:`ClassFormatError` (the class is
rejected with the package's reason), never as a crash.
"""

from __future__ import annotations

from vlab.application.hll.errors import ClassFormatError
from vlab.application.hll.loader import EXTENSION
from vlab.application.sandbox.errors import PackageFormatError
from vlab.application.sandbox.streaming import StreamingClient


class PackageClassPath:
    """Reads ``<class-path>/<Name>.vlc`` from a package, fetching it on first use."""

    def __init__(self, client: StreamingClient) -> None:
        self.client = client
        self.directory = client.manifest.class_path
        self.loaded: list[str] = []

    def path_of(self, name: str) -> str:
        return f"{self.directory}/{name}{EXTENSION}"

    def read_class(self, name: str) -> bytes | None:
        if not isinstance(name, str) or not name.isidentifier():
            return None
        path = self.path_of(name)
        if not self.client.has_file(path):
            return None
        try:
            data = self.client.read_file(path)
        except PackageFormatError as error:
            raise ClassFormatError(f"class {name} from package: {error}") from None
        self.loaded.append(name)
        return data

    def __repr__(self) -> str:
        return f"PackageClassPath({self.client.manifest.name!r}: {self.directory})"
