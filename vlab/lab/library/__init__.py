"""Chapter 8 (library-level virtualization): the models behind its experiments.

``programs.py``  the chapter's guest programs, built with the pinned zig (cached)
``hooks.py``     trace a program's library calls; hook one and change its behaviour
``foreign.py``   a Win32 program through the translation library, calls side by side
``remoting.py``  accelerator API remoting cost: native vs VM (vCUDA) vs network (rCUDA)
"""
