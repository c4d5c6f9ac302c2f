"""Host overload detection: is this host (about to be) overloaded?

The five policies of Beloglazov & Buyya 2012, sec. 5, each a function of a host's
CPU-utilization history and its current utilization, vectorized over many hosts:

=======  ==============================================================  =========
policy   overloaded when                                                 parameter
=======  ==============================================================  =========
``thr``  u > T (a static threshold)                                      T = 0.8
``mad``  u > 1 - s * MAD(history)   (median absolute deviation)          s = 2.5
``iqr``  u > 1 - s * IQR(history)   (interquartile range)                s = 1.5
``lr``   s * u_predicted >= 1, local regression on the last 10 values    s = 1.2
``lrr``  as ``lr`` with a robust (bisquare re-weighted) fit              s = 1.2
=======  ==============================================================  =========

The default parameters are those of CloudSim's examples (``ThrMmt.java``,
``MadMmt.java``, ...).  ``u`` is what the host's
VMs request divided by its capacity; the history is the sum of the history of the
VMs now on the host (CloudSim's ``PowerHostUtilizationHistory``: a VM's history moves
with it), up to 30 values.  Until a history has 12 values (MAD, IQR) or 10 (LR, LRR)
the adaptive policies fall back on a static threshold of 0.7, as CloudSim's examples
do.

Local regression follows the paper (Cleveland 1979): a straight line fitted to the
last ``n = 10`` points ``x = 1..n`` with tricube weights
``w_i = (1 - ((x_n - x_i) / (x_n - x_1))^3)^3`` (recent points weigh most), and
extrapolated to ``x = n + 1`` (one interval ahead: every migration here takes less
than one 300 s interval).  The robust variant refits with the weights multiplied by
Tukey's bisquare of the residuals scaled by six median absolute residuals.  (CloudSim's
``MathUtil`` ends up fitting these points unweighted, because its weights are only
applied when 40 % of them are zero; so its ``lr`` and ``lrr`` coincide.  We follow the
paper, which moves our ``lr``/``lrr`` results slightly away from CloudSim's.)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: CloudSim examples' fallback threshold while a history is too short.
FALLBACK_THRESHOLD = 0.7
#: History length the hosts keep (CloudSim ``PowerVm.HISTORY_LENGTH``).
HISTORY_LENGTH = 30
#: Values MAD and IQR need ("12 has been suggested as a safe value", CloudSim).
MIN_HISTORY_STATS = 12
#: Points of the local regression.
LR_POINTS = 10


def mad(history: np.ndarray) -> np.ndarray:
    """Median absolute deviation of each row."""
    med = np.median(history, axis=1, keepdims=True)
    return np.median(np.abs(history - med), axis=1)


def iqr(history: np.ndarray) -> np.ndarray:
    """Interquartile range of each row (linear-interpolation quartiles)."""
    q1, q3 = np.percentile(history, [25, 75], axis=1)
    return q3 - q1


def _weighted_line(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Weighted least squares ``y = a + b x`` per row; ``w`` is (rows, n) or (n,)."""
    w = np.broadcast_to(w, y.shape)
    sw = w.sum(axis=1)
    sw = np.where(sw > 0, sw, 1.0)
    xm = (w * x).sum(axis=1) / sw
    ym = (w * y).sum(axis=1) / sw
    dx = x - xm[:, None]
    sxx = (w * dx * dx).sum(axis=1)
    b = np.where(sxx > 0, (w * dx * (y - ym[:, None])).sum(axis=1) / np.where(sxx > 0, sxx, 1), 0)
    return ym - b * xm, b


def tricube_weights(n: int) -> np.ndarray:
    x = np.arange(1, n + 1, dtype=float)
    return (1 - ((x[-1] - x) / (x[-1] - x[0])) ** 3) ** 3


def loess_predict(history: np.ndarray, robust: bool = False, ahead: int = 1,
                  weighted: bool = True) -> np.ndarray:
    """Each row's local-regression forecast ``ahead`` intervals after its last value.

    ``weighted=False`` fits the points unweighted, as CloudSim's code ends up doing
    (then the robust refit changes nothing either)."""
    y = history[:, -LR_POINTS:]
    n = y.shape[1]
    x = np.arange(1, n + 1, dtype=float)
    if not weighted:
        a, b = _weighted_line(x, y, np.ones(n))
        return a + b * (n + ahead)
    w = tricube_weights(n)
    a, b = _weighted_line(x, y, w)
    if robust:
        resid = y - (a[:, None] + b[:, None] * x)
        scale = 6.0 * np.median(np.abs(resid), axis=1, keepdims=True)
        ratio = np.divide(resid, scale, out=np.zeros_like(resid), where=scale > 0)
        bisquare = np.where(np.abs(ratio) < 1, (1 - ratio ** 2) ** 2, 0.0)
        a2, b2 = _weighted_line(x, y, w * bisquare)
        keep = (scale[:, 0] > 0) & ((w * bisquare).sum(axis=1) > 0)
        a, b = np.where(keep, a2, a), np.where(keep, b2, b)
    return a + b * (n + ahead)


@dataclass(frozen=True)
class Detector:
    """One overload-detection policy with its parameter."""

    policy: str
    param: float
    weighted: bool = True          # local regression weights (False: CloudSim's fit)

    def overloaded(self, history: np.ndarray, current: np.ndarray) -> np.ndarray:
        """``history`` (hosts, L) oldest first, all rows equally long; ``current`` (hosts,)."""
        length = history.shape[1]
        if self.policy == "thr":
            return current > self.param
        if self.policy in ("mad", "iqr"):
            if length < MIN_HISTORY_STATS:
                return current > FALLBACK_THRESHOLD
            spread = mad(history) if self.policy == "mad" else iqr(history)
            return current > 1.0 - self.param * spread
        if self.policy in ("lr", "lrr"):
            if length < LR_POINTS:
                return current > FALLBACK_THRESHOLD
            forecast = loess_predict(history, robust=self.policy == "lrr",
                                     weighted=self.weighted)
            return self.param * forecast >= 1.0
        raise ValueError(f"unknown overload-detection policy {self.policy!r}")


#: Parameter per policy in CloudSim's PlanetLab examples (ThrMmt.java ... LrrMmt.java).
DEFAULT_PARAMS: dict[str, float] = {"thr": 0.8, "mad": 2.5, "iqr": 1.5, "lr": 1.2, "lrr": 1.2}
