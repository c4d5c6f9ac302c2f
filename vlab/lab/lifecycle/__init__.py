"""Chapter 6's models: the VM lifecycle and live migration.

``workload`` (the guests and their dirtying rates), ``suspend_lab`` (suspend, the
snapshot's parts, resume elsewhere), ``clone_lab`` (provisioning from a template disk),
``migration_lab`` (pre-copy rounds; pre-copy vs post-copy), ``multiplex_lab`` (VMs
sharing a CPU under the credit scheduler), ``exercises`` (the oracles of
the chapter's exercises).  The mechanisms are in vlab/hardware/lifecycle/.
"""
