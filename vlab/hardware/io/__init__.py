"""I/O virtualization: how a VM reaches its disk, console and network.

One concept per module:

* ``guest_dma``       -- the VMM's checked access to guest memory for device back ends
* ``virtqueue``       -- split virtqueues (OASIS virtio 1.1 sec. 2.6), the device's side
* ``virtio_mmio``     -- the virtio-mmio transport (sec. 4.2): registers, status, kicks
* ``virtio_blk``, ``virtio_console``, ``virtio_net`` -- device back ends in the VMM
* ``host_disk``       -- the VMM's own driver of the physical disk (where requests end)
* ``disks``           -- the register-file disk, emulated by the VMM or passed through
* ``register_nic``    -- a register-programmed network card, emulated or passed through
* ``iommu``           -- device page tables, IOTLB and fault queue for direct assignment
* ``bridge``          -- a host bridge between VMs with modeled link latency/bandwidth
* ``attach``          -- ``--io emulated|virtio|passthrough``: which devices a VM gets,
                         and ``connect_network``
* ``pydriver``        -- a virtio driver in Python (tests, the chapter's drawings)
* ``guest_program``, ``guest/iodrv.c`` -- the bare-metal C guest with the drivers
* ``measure``         -- exits and modeled time per KiB and per console line
"""
