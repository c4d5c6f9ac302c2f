"""The demo guest of vlab/hosted/demo_guest.py, under the tests' name."""
from vlab.hosted.demo_guest import GREETING, PRINTING, printing_guest

__all__ = ['GREETING', 'PRINTING', 'printing_guest']
