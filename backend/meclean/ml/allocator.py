"""Keeping a training process's freed memory for its next step instead of the kernel's.

Each CPU training step allocates and frees the same large activations (the first
convolution's output is ~22 MB a batch). glibc serves blocks that large with fresh ``mmap``
pages and unmaps them on free, so every step faults in and zeroes ~100 MB of pages again:
about a third of a fold-epoch on a 2-core machine (`benchmarks/README.md`). Raising the
``mmap`` and trim thresholds keeps those blocks in the heap, where the next step reuses
them. Results do not change; the process holds up to ``TRIM_THRESHOLD`` more memory.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools

M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3
"""``mallopt`` parameters, from glibc's malloc.h."""

MMAP_THRESHOLD = 32 * 2**20
"""The largest value glibc accepts on 64-bit: blocks below it come from the heap."""

TRIM_THRESHOLD = 256 * 2**20
"""Free memory at the heap's top kept rather than returned to the kernel."""


@functools.cache
def keep_freed_memory() -> bool:
    """Set the thresholds once per process; False where the C library is not glibc."""
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    libc = ctypes.CDLL(name)
    if not hasattr(libc, "mallopt") or not hasattr(libc, "gnu_get_libc_version"):
        return False
    return bool(
        libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)
        and libc.mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD)
    )
