"""SSSNet: the copies stay independent, and the input the first pooling drops is not read."""

import platform

import pytest
import torch

from meclean.ml.allocator import keep_freed_memory
from meclean.ml.model import SSSNet, SSSNetConfig


@pytest.mark.parametrize("size", [60, 28])
def test_input_rows_and_columns_the_first_pooling_drops_change_nothing(size):
    torch.manual_seed(0)
    model = SSSNet(SSSNetConfig(input_size=size)).eval()
    x = torch.randn(1, 4, 3, size, size)
    edited = x.clone()
    edited[..., model.used_side :, :] = 100.0
    edited[..., :, model.used_side :] = -100.0

    assert torch.equal(model(x), model(edited))
    # ...while the last row it does read matters.
    edited[..., model.used_side - 1, :] = 100.0
    assert not torch.equal(model(x), model(edited))


def test_the_convolution_outputs_the_first_pooling_uses_are_all_computed():
    model = SSSNet(SSSNetConfig(input_size=60))
    conv_side = model.used_side - 4

    assert model.used_side == 58 and conv_side % 3 == 0 and conv_side // 3 == (60 - 4) // 3


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="mallopt is glibc's")
def test_a_training_process_keeps_its_freed_memory_on_glibc():
    assert keep_freed_memory() is True
