"""Keeping a training process's freed memory for its next step instead of the kernel's.

Each CPU training step allocates and frees the same large activations (the first
convolution's output is ~22 MB a batch). glibc served blocks that large with fresh ``mmap``
pages and unmapped them on free, so every step faulted in and zeroed them again: about a
quarter of a fold-epoch on a 2-core machine (`benchmarks/README.md`). Raising the ``mmap``
and trim thresholds keeps those blocks in the heap, where the next step reuses them.
Results do not change. The setting holds for the whole process (an API server whose
in-process worker trains included): each malloc arena may then keep up to
``TRIM_THRESHOLD`` of free memory at its top instead of returning it.
"""

from __future__ import annotations

import ctypes
import functools
import platform

M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3
"""``mallopt`` parameters, from glibc's malloc.h."""

MMAP_THRESHOLD = 32 * 2**20
"""The largest value glibc accepts on 64-bit: blocks below it come from the heap."""

TRIM_THRESHOLD = 256 * 2**20


@functools.cache
def keep_freed_memory() -> bool:
    """Set the thresholds once per process; False where the C library is not glibc (an
    allocator preloaded in its place, jemalloc or tcmalloc, ignores them)."""
    if platform.libc_ver()[0] != "glibc":
        return False
    libc = ctypes.CDLL(None)  # the C library this process already runs on
    return bool(
        libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)
        and libc.mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD)
    )
