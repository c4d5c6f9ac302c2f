"""Concepts: the levels of virtualization, software stacks, and a VM's life cycle.

Hwang, Dongarra & Fox (2011), sec. 3.1: :mod:`.levels` holds the five levels, their
technologies and the relative-merits table as data; :mod:`.stacks` draws software stacks
(native, type 1, type 2, each level); :mod:`.vm_timeline` draws VM operations over time;
:mod:`.explorers` wires them to widgets for chapter 1.
"""
