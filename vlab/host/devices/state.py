"""Saving and restoring a device's state (for machine snapshots, suspend/resume
and migration).

Each device class lists the attributes that make up its architectural state
in a ``STATE`` tuple — the registers and buffers a real device would have to
carry across a suspend. Wiring (the bus, listeners) is not state. The two
helpers below copy exactly those attributes, deeply, so a saved state never
shares a mutable buffer with the live device.
"""

from __future__ import annotations

import copy


def save_state(device) -> dict:
    """A deep copy of the attributes named in ``type(device).STATE``."""
    return {name: copy.deepcopy(getattr(device, name)) for name in type(device).STATE}


def restore_state(device, state: dict) -> None:
    """Put back a state from :func:`save_state` (it is copied, not shared)."""
    expected = set(type(device).STATE)
    if set(state) != expected:
        raise ValueError(f"state for {type(device).__name__} must have exactly the keys "
                         f"{sorted(expected)}, got {sorted(state)}")
    for name in type(device).STATE:
        setattr(device, name, copy.deepcopy(state[name]))
