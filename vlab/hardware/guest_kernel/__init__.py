"""The course's teaching guest kernel (C sources beside this file; README.md explains it).

``build.build_kernel(flavour)`` compiles it ('native' or 'paravirt') with the pinned zig;
``boot.boot_user_program(program, argv, envp, cpu=...)`` boots it in a VM with a user
program; ``native.boot_native(...)`` runs it on the bare machine under a Python SBI
firmware.
"""
