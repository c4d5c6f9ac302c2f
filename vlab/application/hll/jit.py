"""placeholder replaced below"""


class JIT:
    def __init__(self, rt):
        self.rt = rt
        self.compiled = {}
        self.bailouts = {}

    def compile(self, method):
        return None
