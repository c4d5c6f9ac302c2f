"""The VM lifecycle: suspend and resume, provisioning from disk images, live migration.

Hwang et al. 2011, sec. 3.5.1: because a VM is software -- its state fits in a file --
it can be multiplexed, suspended, provisioned (resumed) on new hardware and migrated
between hosts.  One concept per module:

==================  ==========================================================
module              what it models
==================  ==========================================================
``vmstate``         capture and restore a VM's state (config, vCPU, VMM,
                    devices, non-zero guest pages)
``plain_data``      device/CPU state as tagged JSON
``snapshot_file``   the snapshot file format (versioned, checksummed, atomic)
``suspend``         suspend to a file, resume on a fresh modeled host
``disk_image``      copy-on-write disk images over a backing-file chain
``link``            a modeled network link (bandwidth, latency, failure)
``destination``     the destination must have room for the VM
``migration_report`` what a migration reports; the time scale
``precopy``         pre-copy live migration (Clark et al., NSDI 2005)
``postcopy``        post-copy live migration (Hines & Gopalan, VEE 2009)
``credit_scheduler`` multiplexing: Xen's credit scheduler (weights, caps)
``guests``          bare-metal guests that dirty memory at a controllable rate
==================  ==========================================================
"""
