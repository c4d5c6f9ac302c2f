"""Chapter 5's I/O-virtualization experiments, one file per experiment.

Each module follows :mod:`vlab.lab.experiment`: a model function returning data from a
real run of :mod:`vlab.hardware.io` (virtqueues in guest memory, the C guest's drivers
under the hardware-assisted VMM), a plot function and a describe function.

* ``virtqueue_view`` -- a split virtqueue drawn step by step as the driver fills it and
  the device consumes it;
* ``exits_view``     -- exits and modeled cycles per KiB and per console line for
  emulation, virtio and direct assignment, with the virtio batch size as a slider;
* ``paths``          -- a static figure of the three I/O paths;
* ``exercises``      -- oracles: exits of a disk read predicted and measured.

Chapter 5's section 5.6 (book/chapters/05-memory-and-io-virtualization.ipynb) uses them.
"""
