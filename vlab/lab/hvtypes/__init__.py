"""Chapter 4's hypervisor types: the same guest on type 1, 2 and dual-mode, and the world
switches of one exit drawn for each (``world_switches.py``; the mechanisms are in
vlab/hosted/)."""
