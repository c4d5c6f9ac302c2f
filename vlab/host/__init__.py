"""The modeled physical machine: memory, bus, devices, cost model and ledger.

Everything in vlab runs on this one host, so every level reports its work on
the same scale (cycles in one ledger).
"""
