"""How fast this machine is right now, so that figures from different runs compare.

The same machine kind has been seen to run Python at half its usual speed for a while
(other guests on the host); every benchmark prints this beside its figures.
"""

import time


def python_speed():
    """Seconds to add up ten million integers in a Python loop (best of three): a
    reference for CPU-bound Python; lower is faster."""
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        total = 0
        for n in range(10_000_000):
            total += n
        best = min(best, time.perf_counter() - started)
    return best


def describe():
    return f"Python reference loop (10 million additions): {python_speed():.2f} s"
