"""The guest programs of chapter 9 and the files they find.

Each is a program in the HLL VM's language (a small Python subset compiled to class files
by :mod:`vlab.application.hll.compiler`): ``SQUARES`` (stepping, tampering), ``GARBAGE``
(the garbage collector), ``HOT`` (the JIT), ``REPORT`` (one class file, two VMs),
``EDITOR`` (sandbox layers) and ``VIEWER`` (streaming), with the host's and the
packages' files.
"""

from __future__ import annotations

SQUARES = """\
def square(n):
    return n * n

total = 0
for i in range(3):
    total = total + square(i)
print(total)
"""

GARBAGE = """\
class Node:
    def __init__(self, value, next):
        self.value = value
        self.next = next

def chain(n):
    head = None
    for i in range(n):
        head = Node(i, head)
    return head

kept = []
for round in range(40):
    garbage = chain(50)
    if round % 10 == 0:
        kept.append(garbage)
print(len(kept), "chains kept")
"""

HOT = """\
def work(k):
    s = 0
    for i in range(20):
        s = s + i * k
    return s

total = 0
for n in range({calls}):
    total = total + work(n)
print(total)
"""

REPORT = """\
rows = []
for i in range(1000):
    rows.append("row " + str(i))
print(len(rows), "rows built")
try:
    write_text("/out/report.txt", "\\n".join(rows))
    print("report written")
except PermissionError as e:
    print("PermissionError:", e)
"""


HOST_FILES = {
    "/etc/motd": b"Welcome to ws-01.\n",
    "/home/student/notes.txt": b"buy milk\n",
    "/usr/lib/fonts.txt": b"DejaVu\n",
}

EDITOR = """\
try:
    notes = read_text("/home/student/notes.txt")
except FileNotFoundError as e:
    notes = ""
write_text("/home/student/notes.txt", notes + "and eggs\\n")
write_text("/apps/editor/settings.txt", "theme=dark\\n")
write_text("/etc/motd", "Edited by the editor.\\n")
print(read_text("/home/student/notes.txt"), end="")
"""

#: Files of the editor's package besides its class files.
EDITOR_FILES = {"help.txt": b"Press F1.\n", "/usr/lib/fonts.txt": b"EditorSans\n"}


VIEWER = """\
class Page:
    def __init__(self, text):
        self.text = text
    def title(self):
        return self.text.split("\\n")[0]

class Printer:
    def send(self, page):
        return "printing " + page.title()

class Exporter:
    def pdf(self, page):
        return "%PDF " + page.title()

page = Page(read_text("/apps/viewer/docs/intro.txt"))
print(page.title())
"""

VIEWER_FILES = {
    "docs/intro.txt": b"Welcome to the viewer\n" + b"." * 2000,
    "docs/manual.txt": b"Manual\n" + b"-" * 6000,
    "images/splash.raw": bytes(range(256)) * 16,
}
