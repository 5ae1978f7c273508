"""SSSNet (Shallow Single Stream Network), as independent copies that train side by side.

Each LOSO fold needs its own network. ``SSSNet(config, copies=G)`` holds G networks whose
convolutions are grouped and whose dense layers are batched matrix products, so G folds
take one step together while staying mathematically independent: no weight, gradient or
batch-norm statistic is shared between copies. ``copies=1`` is the plain network.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn
from torch.nn import functional as F

from meclean.ml.conv_max_pool import conv_max_pool


@dataclass(frozen=True)
class SSSNetConfig:
    hidden_channels: int = 24
    """Second conv layer width: 24 for SSSNet24, 28 in the published code."""
    dropout: float = 0.5
    input_size: int = 60
    """60 as in the published code; 28 as in STSTNet."""
    hidden_units: int = 128
    classes: int = 3
    first_channels: int = 14

    def flat_size(self) -> int:
        side = (self.input_size - 4 - 3) // 3 + 1  # conv 5x5, then max-pool 3x3 stride 3
        side = (side - 2) // 2  # conv 3x3, then max-pool 2x2 stride 2
        if side < 1:
            raise ValueError(f"input size {self.input_size} is too small for SSSNet")
        return side * side * self.hidden_channels


class SSSNet(nn.Module):
    """G independent SSSNets; inputs (G, B, 3, H, W), outputs logits (G, B, classes)."""

    def __init__(self, config: SSSNetConfig = SSSNetConfig(), copies: int = 1) -> None:
        super().__init__()
        self.config, self.copies = config, copies
        c1, c2, g = config.first_channels, config.hidden_channels, copies
        self.conv1 = nn.Conv2d(3 * g, c1 * g, 5, groups=g)
        self.bn1 = nn.BatchNorm2d(c1 * g)
        self.conv2 = nn.Conv2d(c1 * g, c2 * g, 3, groups=g)
        self.bn2 = nn.BatchNorm2d(c2 * g)
        self.drop2d = nn.Dropout2d(config.dropout)
        self.drop = nn.Dropout(config.dropout)
        side = (config.input_size - 4) // 3 * 3 + 4
        self.used_side = side
        """Input rows and columns that reach the first pooling: it drops the last
        convolution outputs that do not fill a 3x3 window, so their inputs are not
        convolved at all."""
        flat = config.flat_size()
        self.fc1_weight = nn.Parameter(torch.empty(g, flat, config.hidden_units))
        self.fc1_bias = nn.Parameter(torch.empty(g, 1, config.hidden_units))
        self.fc2_weight = nn.Parameter(torch.empty(g, config.hidden_units, config.classes))
        self.fc2_bias = nn.Parameter(torch.empty(g, 1, config.classes))
        for weight, bias in ((self.fc1_weight, self.fc1_bias), (self.fc2_weight, self.fc2_bias)):
            # nn.Linear's default initialisation, per copy.
            bound = 1 / math.sqrt(weight.shape[1])
            nn.init.uniform_(weight, -bound, bound)
            nn.init.uniform_(bias, -bound, bound)

    def stem(self, x: torch.Tensor) -> torch.Tensor:
        """(G, B, 3, H, W) -> (B, G*3, h, w), the part of the input the network uses: each
        copy's inputs become its channel group. One copy's stem output, or a selection of
        its samples, passes through again without a copy."""
        g, b, side = x.shape[0], x.shape[1], self.used_side
        x = x[..., :side, :side].transpose(0, 1).reshape(b, g * 3, side, side)
        return x.contiguous(memory_format=torch.channels_last)

    def block1(self, x: torch.Tensor) -> torch.Tensor:
        # Max-pool before ReLU equals ReLU before max-pool (ReLU is monotone) and is cheaper.
        return self.drop2d(self.bn1(F.relu(conv_max_pool(x, self.conv1, 3))))

    def block2(self, x: torch.Tensor) -> torch.Tensor:
        return self.drop2d(self.bn2(F.relu(F.max_pool2d(self.conv2(x), 2, 2))))

    def hidden(self, x: torch.Tensor) -> torch.Tensor:
        """(B, G*C, h, w) -> the last hidden layer (G, B, hidden_units), after ReLU."""
        b = x.shape[0]
        x = x.reshape(b, self.copies, -1).transpose(0, 1)
        return F.relu(torch.baddbmm(self.fc1_bias, x, self.fc1_weight))

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """The last hidden layer (G, B, hidden_units) of inputs (G, B, 3, H, W)."""
        return self.hidden(self.block2(self.block1(self.stem(x))))

    def classify(self, hidden: torch.Tensor) -> torch.Tensor:
        return torch.baddbmm(self.fc2_bias, self.drop(hidden), self.fc2_weight)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classify(self.features(x))

    def copy_state(self, index: int) -> dict[str, torch.Tensor]:
        """The state of copy ``index`` as a one-copy SSSNet's state dict."""
        c1, c2 = self.config.first_channels, self.config.hidden_channels
        per_copy = {"conv1": c1, "bn1": c1, "conv2": c2, "bn2": c2}
        state = {}
        for name, tensor in self.state_dict().items():
            layer = name.split(".")[0]
            if layer in per_copy and tensor.dim() > 0:
                size = per_copy[layer]
                state[name] = tensor[index * size : (index + 1) * size].clone()
            elif layer.startswith("fc"):
                state[name] = tensor[index : index + 1].clone()
            else:
                state[name] = tensor.clone()
        return state

    def load_copy_state(self, index: int, state: dict[str, torch.Tensor]) -> None:
        """Set copy ``index`` from a one-copy SSSNet's state dict."""
        c1, c2 = self.config.first_channels, self.config.hidden_channels
        per_copy = {"conv1": c1, "bn1": c1, "conv2": c2, "bn2": c2}
        own = self.state_dict()
        with torch.no_grad():
            for name, tensor in state.items():
                layer = name.split(".")[0]
                if layer in per_copy and tensor.dim() > 0:
                    size = per_copy[layer]
                    own[name][index * size : (index + 1) * size] = tensor
                elif layer.startswith("fc"):
                    own[name][index : index + 1] = tensor
