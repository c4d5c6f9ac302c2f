"""The hosted tests use the small guests of tests/hardware/guest_programs.py too."""
import sys
from pathlib import Path

HARDWARE_TESTS = str(Path(__file__).resolve().parents[1] / 'hardware')
if HARDWARE_TESTS not in sys.path:
    sys.path.insert(0, HARDWARE_TESTS)
