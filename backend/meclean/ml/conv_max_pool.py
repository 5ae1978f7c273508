"""SSSNet's first convolution and max-pool as one CPU kernel, compiled on first use.

On the CPU the 5x5 convolution's output (~22 MB a batch) was written, read back by the
max-pool, zero-filled again as its gradient and read by the weight gradient: with the
max-pool, more than half of a fold-epoch (`benchmarks/README.md`). `kernels/conv_max_pool.c`
computes each pooling window's convolution outputs in registers and keeps only their
maximum and its position, and its backward pass sends each window's gradient to that
position alone. It computes what PyTorch's layers compute, in another summation order
(equal to float32 rounding, tested).

The kernel is compiled with the machine's C compiler (``$CC``, else ``cc``, ``gcc`` or
``clang``) for its own CPU, once per machine and layer shape, into the user's cache
(``$XDG_CACHE_HOME/meclean/kernels``, by default ``~/.cache/meclean/kernels``). Without a
compiler, on other devices, in autocast, or for layer shapes it does not cover, PyTorch's
layers run.
"""

from __future__ import annotations

import ctypes
import functools
import hashlib
import logging
import os
import platform
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import nn
from torch.nn import functional as F

log = logging.getLogger(__name__)

SOURCE = Path(__file__).with_name("kernels") / "conv_max_pool.c"
PADDED_CHANNELS = 16
"""The kernel's output channels are one vector of this many float32: OCP in the source."""


@dataclass(frozen=True)
class LayerShape:
    in_channels: int
    kernel: int
    pool: int
    out_channels: int


def kernel_dir() -> Path:
    cache = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(cache) / "meclean" / "kernels"


def find_compiler() -> str | None:
    for name in (os.environ.get("CC"), "cc", "gcc", "clang"):
        if name and (path := shutil.which(name)):
            return path
    return None


def _cpu_flags() -> str:
    """The CPU's feature flags: a kernel compiled for one CPU may not run on another."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith(("flags", "Features")):
                return line
    except OSError:
        pass
    return platform.processor()


def compile_flags(shape: LayerShape) -> list[str]:
    # -fopenmp: in a process that has imported torch, the kernel's OpenMP loops run on
    # torch's own OpenMP runtime and threads (same soname), not on a second pool of them.
    flags = ["-O3", "-march=native", "-ffp-contract=fast", "-fopenmp", "-shared", "-fPIC"]
    if platform.machine() in ("x86_64", "AMD64"):
        flags.append("-mprefer-vector-width=512")
    return [
        *flags,
        f"-DCI={shape.in_channels}",
        f"-DK={shape.kernel}",
        f"-DPOOL={shape.pool}",
        f"-DOC={shape.out_channels}",
    ]


def kernel_file(compiler: str, flags: list[str]) -> Path:
    """Where the kernel built by ``compiler`` with ``flags`` for this CPU is cached."""
    key = hashlib.sha256(
        "\0".join([SOURCE.read_text(), compiler, *flags, _cpu_flags()]).encode()
    ).hexdigest()[:20]
    return kernel_dir() / f"conv_max_pool-{key}.so"


def _built(target: Path, compiler: str, flags: list[str]) -> Path:
    """``target``, compiled unless it is there already."""
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        # Built beside its final name and moved there whole: another process may load it.
        with tempfile.TemporaryDirectory(dir=target.parent) as scratch:
            built = Path(scratch) / target.name
            subprocess.run(
                [compiler, *flags, str(SOURCE), "-o", str(built)],
                check=True,
                capture_output=True,
                text=True,
                timeout=120,
            )
            os.replace(built, target)
    return target


@functools.cache
def library(shape: LayerShape) -> ctypes.CDLL | None:
    """The compiled kernel for ``shape``, built once per machine; None where it cannot be."""
    compiler = find_compiler()
    if compiler is None:
        log.warning(
            "no C compiler found, so CPU training runs PyTorch's slower layers for its first "
            "layer; install gcc (Debian: apt-get install gcc) to compile the fused kernel"
        )
        return None
    flags = compile_flags(shape)
    target = kernel_file(compiler, flags)
    try:
        try:
            lib = ctypes.CDLL(str(_built(target, compiler, flags)))
        except OSError:
            # A cached file that does not load (truncated by a full disk, say) is rebuilt once.
            target.unlink(missing_ok=True)
            lib = ctypes.CDLL(str(_built(target, compiler, flags)))
        pointer, size = ctypes.c_void_p, ctypes.c_int64
        lib.conv_max_pool_forward.argtypes = [pointer] * 5 + [size, size, ctypes.c_int]
        lib.conv_max_pool_forward.restype = None
        lib.conv_max_pool_backward.argtypes = [pointer] * 4 + [size, size, ctypes.c_int]
        lib.conv_max_pool_backward.restype = None
    except (OSError, subprocess.SubprocessError, AttributeError) as error:
        stderr = getattr(error, "stderr", None)
        detail = stderr.strip()[-500:] if stderr else str(error)
        log.warning(
            "the first-layer kernel could not be built, so CPU training runs PyTorch's slower "
            "layers: %s",
            detail,
        )
        return None
    return lib


class _ConvMaxPool(torch.autograd.Function):
    @staticmethod
    def forward(
        ctx: Any,
        x: torch.Tensor,
        weight: torch.Tensor,
        bias: torch.Tensor,
        lib: ctypes.CDLL,
        pool: int,
    ) -> torch.Tensor:
        out_channels, in_channels, kernel, _ = weight.shape
        side, batch = x.shape[-1], x.shape[0]
        pooled = (side - kernel + 1) // pool
        packed = x.new_zeros((kernel, kernel, in_channels, PADDED_CHANNELS))
        packed[..., :out_channels] = weight.detach().permute(2, 3, 1, 0)
        out = torch.empty(
            (batch, out_channels, pooled, pooled),
            dtype=torch.float32,
            device="cpu",
            memory_format=torch.channels_last,
        )
        where = torch.empty(
            (batch, pooled, pooled, PADDED_CHANNELS), dtype=torch.uint8, device="cpu"
        )
        bias_values = bias.detach().contiguous()
        lib.conv_max_pool_forward(
            x.data_ptr(),
            packed.data_ptr(),
            bias_values.data_ptr(),
            out.data_ptr(),
            where.data_ptr(),
            batch,
            side,
            torch.get_num_threads(),
        )
        ctx.save_for_backward(x, weight, bias)
        ctx.where, ctx.lib, ctx.pool = where, lib, pool
        return out

    @staticmethod
    def backward(ctx: Any, grad: torch.Tensor) -> tuple[Any, ...]:
        x, weight, bias = ctx.saved_tensors
        if torch.is_grad_enabled():
            # A gradient to be differentiated again (create_graph: Meta-Weight-Net's virtual
            # step): PyTorch's layers, recomputed, whose backward is itself differentiable.
            with torch.enable_grad():
                out = F.max_pool2d(F.conv2d(x, weight, bias), ctx.pool, ctx.pool)
            wanted = [t for t in (weight, bias) if t.requires_grad]
            grads = iter(torch.autograd.grad(out, wanted, grad, create_graph=True))
            weight_grad, bias_grad = (
                next(grads) if t.requires_grad else None for t in (weight, bias)
            )
            return None, weight_grad, bias_grad, None, None
        out_channels, in_channels, kernel, _ = weight.shape
        grad = grad.contiguous(memory_format=torch.channels_last)
        threads = torch.get_num_threads()
        partial = x.new_zeros((threads, kernel, kernel, in_channels, PADDED_CHANNELS))
        ctx.lib.conv_max_pool_backward(
            x.data_ptr(),
            grad.data_ptr(),
            ctx.where.data_ptr(),
            partial.data_ptr(),
            x.shape[0],
            x.shape[-1],
            threads,
        )
        weight_grad = partial.sum(0)[..., :out_channels].permute(3, 2, 0, 1)
        return None, weight_grad, grad.sum((0, 2, 3)), None, None


def conv_max_pool(x: torch.Tensor, conv: nn.Conv2d, pool: int) -> torch.Tensor:
    """``max_pool2d(conv(x), pool, pool)``, by the fused kernel where it applies."""
    lib = _fused_library(x, conv, pool)
    if lib is None:
        return F.max_pool2d(conv(x), pool, pool)
    bias = conv.bias if conv.bias is not None else x.new_zeros(conv.out_channels)
    out: torch.Tensor = _ConvMaxPool.apply(x, conv.weight, bias, lib, pool)
    return out


def _fused_library(x: torch.Tensor, conv: nn.Conv2d, pool: int) -> ctypes.CDLL | None:
    kernel = conv.kernel_size[0]
    applies = (
        x.device.type == "cpu"
        and x.dtype == conv.weight.dtype == torch.float32
        and conv.weight.device.type == "cpu"
        and (
            conv.bias is None
            or (conv.bias.dtype == torch.float32 and conv.bias.device.type == "cpu")
        )
        and not x.requires_grad
        and x.dim() == 4
        and x.shape[1] == conv.in_channels
        and x.shape[-1] == x.shape[-2] >= kernel + pool - 1
        and x.is_contiguous(memory_format=torch.channels_last)
        and conv.groups == 1
        and conv.kernel_size == (kernel, kernel)
        and conv.stride == (1, 1)
        and conv.padding == (0, 0)
        and conv.dilation == (1, 1)
        and conv.out_channels <= PADDED_CHANNELS
        and conv.in_channels * kernel <= PADDED_CHANNELS  # a kernel row's inputs: one vector
        and 1 < pool <= 15  # a window's positions fit a byte
        and not torch.is_autocast_enabled("cpu")
    )
    if not applies:
        return None
    return library(LayerShape(conv.in_channels, kernel, pool, conv.out_channels))
