"""Memory overcommit: giving a host fewer frames than its VMs' guest-physical pages.

Three mechanisms of VMware ESX Server (Waldspurger, OSDI 2002), each a change to the
VMs' G-stage page tables (Sv32x4, the hypervisor's guest-physical -> host-physical map,
privileged spec sec. 8.5.1) plus a handler for the guest-page fault a guest then takes:

* ``balloon.py`` -- a driver in the guest hands pages it does not need back to the VMM
  through a hypercall; the VMM unmaps them and frees their frames (sec. 3.2);
  ``live_balloon.py`` is the same for a running hardware-assisted VM, with a guest
  driver in guest code and an SBI-style hypercall;
* ``page_sharing.py`` -- content-based sharing: hash every page, compare the pages whose
  hashes match, map identical pages of all VMs to one read-only frame, and copy it when
  a VM writes (copy-on-write; sec. 4);
* ``guest_swap.py`` -- host-level swapping: the VMM writes a guest page to its disk,
  unmaps it, and reads it back on the guest's next touch (sec. 3.3, the fallback);
  ``live_swap.py`` does it to a running hardware-assisted VM.

``host.py`` holds what they share: the host's frames, a VM's G-stage table and the guest
accesses that go through it.
"""
from vlab.hardware.overcommit.balloon import Balloon, BalloonDriver
from vlab.hardware.overcommit.guest_swap import GuestSwap
from vlab.hardware.overcommit.host import GuestMemoryError, Host, OvercommitVM
from vlab.hardware.overcommit.live_balloon import LiveBalloon
from vlab.hardware.overcommit.live_swap import LiveGuestSwap, LiveSwapError
from vlab.hardware.overcommit.page_sharing import PageSharer

__all__ = ['Balloon', 'BalloonDriver', 'GuestMemoryError', 'GuestSwap', 'Host',
           'LiveBalloon', 'LiveGuestSwap', 'LiveSwapError', 'OvercommitVM', 'PageSharer']
