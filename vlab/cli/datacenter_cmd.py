"""``vlab datacenter consolidate --trace DIR --policy P [--param X] [--hosts N]``.

Simulates one day of PlanetLab traces on CloudSim's data center (Beloglazov & Buyya
2012) under one consolidation policy and prints energy (kWh), migrations, SLATAH,
PDM and SLAV.  ``--trace`` takes a CloudSim ``planetlab/<day>`` directory of text files,
a directory holding a packed ``cpu.npz``, or the name of an included day
(``20110303``, ``20110306``).  With fewer hosts than the paper's 800, the first VMs of
the trace (in ``--order``: by file name unless asked otherwise) are used in the paper's
VMs-per-host ratio.  ``--cloudsim`` reproduces three behaviours of CloudSim 5.0's code
(idle VMs retire, arrivals count as overload, unweighted regression) to compare with it.
Errors (bad trace, unknown policy, bad parameter) go to stderr with exit status 1.
"""

from __future__ import annotations

import sys

from vlab.datacenter.fleet import PAPER_HOSTS
from vlab.datacenter.simulator import POLICIES, PolicyError, simulate
from vlab.datacenter.traces import TraceError, load_day


def add_arguments(parser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="ACTION")
    cons = sub.add_parser("consolidate", help="simulate one trace day under one policy",
                          description=__doc__.split("\n\n")[1])
    cons.add_argument("--trace", required=True, metavar="DIR",
                      help="trace day: CloudSim planetlab/<day> directory or 20110303/20110306")
    cons.add_argument("--policy", required=True, choices=list(POLICIES),
                      help="; ".join(f"{k}: {v}" for k, v in POLICIES.items()))
    cons.add_argument("--param", type=float, default=None, metavar="X",
                      help="threshold (thr) or safety parameter (iqr, mad, lr, lrr); "
                           "default CloudSim's: 0.8, 1.5, 2.5, 1.2, 1.2")
    cons.add_argument("--hosts", type=int, default=PAPER_HOSTS, metavar="N",
                      help=f"number of hosts (default {PAPER_HOSTS}, half G4, half G5)")
    cons.add_argument("--order", choices=["sorted", "directory"], default="sorted",
                      help="which trace file becomes VM 0, 1, ...: by name (default) or as "
                           "the file system lists them, like CloudSim (for an included day: "
                           "the listing recorded with it, the order of vlab's CloudSim runs)")
    cons.add_argument("--cloudsim", action="store_true",
                      help="reproduce CloudSim 5.0's code: a VM at 0 %% CPU leaves for good, "
                           "unweighted local regression (to compare with CloudSim)")
    cons.add_argument("--vms", type=int, default=None, metavar="M",
                      help="number of VMs (default: all at 800 hosts, in proportion below)")


def run(args) -> int:
    if args.action != "consolidate":
        print("vlab datacenter: give an action: consolidate (see --help)", file=sys.stderr)
        return 2
    if args.hosts < 1:
        print(f"vlab datacenter: --hosts must be at least 1, got {args.hosts}", file=sys.stderr)
        return 1
    try:
        trace = load_day(args.trace, args.order)
        result = simulate(trace, args.policy, args.param, n_hosts=args.hosts, n_vms=args.vms,
                          cloudsim=args.cloudsim)
    except (TraceError, PolicyError) as exc:
        print(f"vlab datacenter: {exc}", file=sys.stderr)
        return 1
    print(f"trace {trace.name}: {result.n_vms} VMs on {result.n_hosts} hosts, "
          f"policy {result.label}")
    if result.vms_not_created:
        print(f"VMs not created (no host at full MIPS, as in CloudSim): {result.vms_not_created}")
    if result.vms_retired:
        print(f"VMs retired at a 0 % sample (CloudSim's behaviour): {result.vms_retired}")
    print(f"energy      {result.energy_kwh:10.2f} kWh")
    print(f"migrations  {result.migrations:10d}")
    print(f"SLATAH      {result.slatah * 100:10.2f} %")
    print(f"PDM         {result.pdm * 100:10.3f} %")
    print(f"SLAV        {result.slav * 100:10.5f} %")
    return 0
