"""The fused first layer computes what convolution then max-pool compute, forward and back."""

import logging
import shutil

import pytest
import torch
from torch import nn
from torch.nn import functional as F

from meclean.ml import conv_max_pool as fused
from meclean.ml.conv_max_pool import LayerShape, conv_max_pool

needs_compiler = pytest.mark.skipif(
    shutil.which("cc") is None, reason="no C compiler: `make test` installs gcc"
)


@pytest.fixture(scope="module")
def built_kernels(tmp_path_factory):
    """One kernel directory for the module: each layer shape compiles once."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))
        fused.library.cache_clear()
        yield
    fused.library.cache_clear()


@pytest.fixture
def kernel_dir(tmp_path, monkeypatch):
    """An empty kernel directory of the test's own."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    build = fused.library
    build.cache_clear()
    yield tmp_path / "meclean" / "kernels"
    build.cache_clear()


def reference(x, conv, pool):
    return F.max_pool2d(conv(x), pool, pool)


def gradients(out, conv, grad):
    return torch.autograd.grad(out, (conv.weight, conv.bias), grad)


def layer_input(batch, side, channels=3, seed=0):
    generator = torch.Generator().manual_seed(seed)
    x = torch.randn(batch, channels, side, side, generator=generator)
    return x.contiguous(memory_format=torch.channels_last)


@needs_compiler
@pytest.mark.parametrize(
    ("batch", "side", "in_channels", "out_channels", "kernel", "pool", "threads"),
    [
        (37, 58, 3, 14, 5, 3, 1),  # SSSNet's first layer, cropped input
        (37, 60, 3, 14, 5, 3, 2),  # the pooling's last, partial window dropped, two threads
        (5, 28, 3, 16, 5, 3, 2),  # STSTNet-sized input, a full vector of channels
        (3, 17, 2, 1, 3, 2, 1),  # other shapes compile too
    ],
)
def test_the_fused_layer_equals_convolution_then_max_pool(
    built_kernels, batch, side, in_channels, out_channels, kernel, pool, threads
):
    torch.manual_seed(0)
    conv = nn.Conv2d(in_channels, out_channels, kernel)
    x = layer_input(batch, side, in_channels)
    previous = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        out = conv_max_pool(x, conv, pool)
        expected = reference(x, conv, pool)
        grad = torch.randn_like(expected)
        weight_grad, bias_grad = gradients(out, conv, grad)
    finally:
        torch.set_num_threads(previous)
    expected_weight_grad, expected_bias_grad = gradients(expected, conv, grad)

    assert fused.library(LayerShape(in_channels, kernel, pool, out_channels)) is not None
    assert out.is_contiguous(memory_format=torch.channels_last)
    torch.testing.assert_close(out, expected, rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(weight_grad, expected_weight_grad, rtol=1e-4, atol=1e-3)
    torch.testing.assert_close(bias_grad, expected_bias_grad, rtol=1e-4, atol=1e-3)


@needs_compiler
def test_a_window_of_equal_values_sends_its_gradient_to_its_first_as_torch_does(built_kernels):
    conv = nn.Conv2d(3, 14, 5)
    x = torch.ones(2, 3, 13, 13).contiguous(memory_format=torch.channels_last)
    out = conv_max_pool(x, conv, 3)
    expected = reference(x, conv, 3)
    grad = torch.randn_like(expected)

    torch.testing.assert_close(out, expected)
    for got, want in zip(gradients(out, conv, grad), gradients(expected, conv, grad), strict=True):
        torch.testing.assert_close(got, want, rtol=1e-5, atol=1e-4)


@needs_compiler
def test_the_kernel_is_compiled_once_and_then_loaded(kernel_dir):
    shape = LayerShape(3, 5, 3, 14)
    assert fused.library(shape) is not None
    built = list(kernel_dir.glob("conv_max_pool-*.so"))
    assert len(built) == 1
    stamp = built[0].stat().st_mtime_ns
    fused.library.cache_clear()

    assert fused.library(shape) is not None
    assert [p.stat().st_mtime_ns for p in kernel_dir.glob("*.so")] == [stamp]


@pytest.mark.parametrize("compiler", ["absent", "failing"])
def test_without_a_working_compiler_pytorch_layers_train_and_a_warning_says_so(
    kernel_dir, tmp_path, monkeypatch, caplog, compiler
):
    if compiler == "absent":
        monkeypatch.setenv("PATH", str(tmp_path / "empty"))
        monkeypatch.delenv("CC", raising=False)
    else:
        script = tmp_path / "broken-cc"
        script.write_text("#!/bin/sh\necho 'cc: internal error' >&2\nexit 1\n")
        script.chmod(0o755)
        monkeypatch.setenv("CC", str(script))
    torch.manual_seed(0)
    conv = nn.Conv2d(3, 14, 5)
    x = layer_input(4, 58)

    with caplog.at_level(logging.WARNING, logger="meclean.ml.conv_max_pool"):
        out = conv_max_pool(x, conv, 3)

    assert torch.equal(out, reference(x, conv, 3))
    expected = "no C compiler" if compiler == "absent" else "internal error"
    assert expected in caplog.text
    assert not list(kernel_dir.glob("*.so"))


def test_inputs_the_kernel_does_not_cover_take_pytorch_layers(kernel_dir, monkeypatch):
    def must_not_build(shape):
        raise AssertionError(f"kernel asked for {shape}")

    monkeypatch.setattr(fused, "library", must_not_build)
    torch.manual_seed(0)
    conv = nn.Conv2d(3, 14, 5)
    cases = {
        "channels-first layout": layer_input(2, 58).contiguous(),
        "double precision": layer_input(2, 58).double(),
        "input that needs a gradient": layer_input(2, 58).requires_grad_(),
    }
    for name, x in cases.items():
        layer = conv.double() if x.dtype == torch.float64 else conv.float()
        assert torch.equal(conv_max_pool(x, layer, 3), reference(x, layer, 3)), name
    wide = nn.Conv2d(3, 17, 5)
    x = layer_input(2, 58)
    assert torch.equal(conv_max_pool(x, wide, 3), reference(x, wide, 3))
    with torch.autocast("cpu", dtype=torch.bfloat16):
        assert conv_max_pool(x, conv.float(), 3).dtype == torch.bfloat16


@needs_compiler
def test_a_gradient_differentiated_again_is_exact_as_meta_weight_net_needs(built_kernels):
    torch.manual_seed(0)
    conv = nn.Conv2d(3, 14, 5)
    x = layer_input(4, 20)
    sample_weights = torch.rand(4, requires_grad=True)

    def meta_gradient(layer):
        # A gradient that depends on per-sample weights, differentiated with respect to them.
        losses = layer(x, conv, 3).square().mean((1, 2, 3))
        weight_grad, _ = torch.autograd.grad(
            (losses * sample_weights).sum(), (conv.weight, conv.bias), create_graph=True
        )
        return torch.autograd.grad(weight_grad.square().sum(), sample_weights)[0]

    assert fused.library(LayerShape(3, 5, 3, 14)) is not None
    torch.testing.assert_close(meta_gradient(conv_max_pool), meta_gradient(reference))


@needs_compiler
def test_a_cached_kernel_that_does_not_load_is_built_again(kernel_dir, caplog):
    shape = LayerShape(3, 5, 3, 13)
    cached = fused.kernel_file(fused.find_compiler(), fused.compile_flags(shape))
    cached.parent.mkdir(parents=True)
    cached.write_bytes(b"truncated by a full disk")

    with caplog.at_level(logging.WARNING, logger="meclean.ml.conv_max_pool"):
        assert fused.library(shape) is not None
    assert cached.stat().st_size > 1000 and not caplog.text


@needs_compiler
def test_a_nan_in_a_window_wins_its_maximum_as_in_torch(built_kernels):
    torch.manual_seed(0)
    conv = nn.Conv2d(3, 14, 5)
    x = layer_input(2, 20)
    x[0, :, 0, 0] = float("nan")
    x[1, 1, 9, 11] = float("nan")
    out = conv_max_pool(x, conv, 3)
    expected = reference(x, conv, 3)

    assert torch.equal(out.isnan(), expected.isnan()) and expected.isnan().any()
    torch.testing.assert_close(out, expected, equal_nan=True)


@needs_compiler
def test_a_layer_without_bias_is_differentiated_twice(built_kernels):
    torch.manual_seed(0)
    conv = nn.Conv2d(3, 14, 5, bias=False)
    x = layer_input(2, 20)

    def second_order(layer):
        (weight_grad,) = torch.autograd.grad(
            layer(x, conv, 3).square().sum(), conv.weight, create_graph=True
        )
        return torch.autograd.grad(weight_grad.square().sum(), conv.weight)[0]

    torch.testing.assert_close(
        second_order(conv_max_pool), second_order(reference), rtol=1e-4, atol=1e-2
    )


def test_an_input_of_the_wrong_channel_count_is_refused_as_by_torch(built_kernels):
    conv = nn.Conv2d(3, 14, 5)
    with pytest.raises(RuntimeError, match="channels"):
        conv_max_pool(layer_input(2, 20, channels=1), conv, 3)
