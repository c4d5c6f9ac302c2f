"""The cost of a live migration, as CloudSim models it (Beloglazov & Buyya 2012, sec. 6.2).

- Time: ``RAM / (bandwidth / 2)``: the VM's memory crosses the link once, and
  migrations may use half of the host's network bandwidth (CloudSim's
  ``PowerDatacenter``: ``ram / (bw / (2 * 8000))`` with RAM in MB and bandwidth in
  kbit/s).  A 1740 MB VM on a 1 Gbit/s host takes 27.8 s.
- Performance: during the migration the VM gets 90 % of the CPU it asks for (a 10 %
  degradation, Voorsluys et al., CloudCom 2009), and the destination host spends
  10 % of the VM's CPU on receiving it.

This is a *simplified* model: one memory copy at a fixed rate, no dirty-page rounds.
The book's own live-migration model (chapter 6) replays pre-copy rounds; here we keep
CloudSim's formula so our results compare with the paper's.
"""

from __future__ import annotations

import numpy as np

#: Share of a host's bandwidth a migration may use.
BANDWIDTH_SHARE = 0.5
#: CPU a migrating VM loses (fraction of what it requests).
DEGRADATION = 0.10


def migration_time_s(ram_mb, host_bw_mbit):
    """Seconds to migrate VMs of ``ram_mb`` MB over hosts with ``host_bw_mbit`` Mbit/s."""
    return np.asarray(ram_mb, float) * 8.0 / (np.asarray(host_bw_mbit, float) * BANDWIDTH_SHARE)
