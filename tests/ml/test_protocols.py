import numpy as np
import pytest
import torch

from meclean.ml.loso import folds_per_step, protocol_deviations, train_loso
from meclean.ml.methods import BatchContext, InitialDataCleaning, LossThresholdingWithMoments
from meclean.ml.protocols import protocol_config
from tests.ml.helpers import signed_samples


def test_the_paper_protocol_is_the_published_codes_setup_and_meclean_its_own():
    paper, ours = protocol_config("paper", epochs=10), protocol_config("meclean", epochs=10)

    assert (paper.double_softmax, paper.model.hidden_channels, paper.scale_inputs) == (
        True,
        28,
        False,
    )
    assert paper.published_batches and not ours.published_batches
    assert (ours.double_softmax, ours.model.hidden_channels, ours.scale_inputs) == (
        False,
        24,
        True,
    )
    assert (paper.epochs, paper.lr, paper.weight_decay) == (10, ours.lr, ours.weight_decay)
    with pytest.raises(ValueError, match="unknown protocol"):
        protocol_config("mine")


def test_published_ltm_zeroes_flagged_losses_and_averages_over_the_whole_batch():
    logits = torch.zeros(1, 8, 3)
    logits[0, :, 0] = 4.0
    labels = torch.zeros(1, 8, dtype=torch.long)
    labels[0, 0] = 2  # one sample far above the others' loss
    ltm = LossThresholdingWithMoments(alpha=2.0)

    ours = ltm.batch_loss(logits, labels, BatchContext(0))
    published = ltm.batch_loss(logits, labels, BatchContext(0, whole_batch_mean=True))

    assert ours.flagged[0, 0] and ours.flagged.sum() == 1
    assert published.loss.item() == pytest.approx(ours.loss.item() * 7 / 8)


class RecordingIDC(InitialDataCleaning):
    """IDC that notes whether each warm-up batch held anything but clean samples."""

    def __init__(self, warmup_epochs: int) -> None:
        super().__init__(warmup_epochs)
        self.unclean_in_warmup = 0

    def batch_loss(self, logits, labels, context):
        if context.epoch < self.warmup_epochs:
            self.unclean_in_warmup += int((~context.clean).sum())
        return super().batch_loss(logits, labels, context)


@pytest.mark.parametrize(("protocol", "unclean_seen"), [("paper", False), ("meclean", True)])
def test_idcs_warmup_batches_hold_only_clean_samples_under_the_paper_protocol(
    protocol, unclean_seen
):
    data = signed_samples(subjects=3, per_subject=6)
    clean = np.arange(len(data.labels)) % 3 != 0
    idc = RecordingIDC(warmup_epochs=2)
    config = protocol_config(protocol, epochs=3, batch_size=8, device="cpu")

    train_loso(data.features, data.labels, data.subjects, method=idc, config=config, clean=clean)

    assert (idc.unclean_in_warmup > 0) == unclean_seen


class BatchSizeIDC(InitialDataCleaning):
    """IDC that notes the size of each warm-up batch it trains on."""

    def __init__(self, warmup_epochs: int) -> None:
        super().__init__(warmup_epochs)
        self.warmup_batches: list[int] = []

    def batch_loss(self, logits, labels, context):
        if context.epoch < self.warmup_epochs:
            self.warmup_batches.append(logits.shape[1])
        return super().batch_loss(logits, labels, context)


def test_the_paper_protocols_idc_warmup_draws_batches_from_all_samples_and_keeps_the_clean():
    data = signed_samples(subjects=3, per_subject=6)  # each fold trains on 12 samples
    clean = np.arange(len(data.labels)) % 3 != 0
    idc = BatchSizeIDC(warmup_epochs=2)
    config = protocol_config("paper", epochs=3, batch_size=8, device="cpu")

    train_loso(data.features, data.labels, data.subjects, method=idc, config=config, clean=clean)

    # As the published code: 2 batches of all samples (8 + 4) per epoch, each cut to its
    # clean samples, so every clean sample trains once per epoch in smaller batches.
    subjects = np.asarray(data.subjects)
    clean_per_fold = [int(clean[subjects != s].sum()) for s in dict.fromkeys(data.subjects)]
    assert len(idc.warmup_batches) == 3 * 2 * 2
    assert sum(idc.warmup_batches) == 2 * sum(clean_per_fold)
    assert max(idc.warmup_batches) < 8


def test_the_paper_protocols_idc_trains_one_fold_per_step_even_where_folds_could_share_one():
    config = protocol_config("paper", folds_per_step=4, device="cuda")
    device = torch.device("cuda")

    assert folds_per_step(config, device, 68, InitialDataCleaning()) == 1
    assert folds_per_step(config, device, 68, LossThresholdingWithMoments()) == 4
    assert folds_per_step(protocol_config("meclean"), device, 68, InitialDataCleaning()) == 68
    assert protocol_deviations(config, device, 68, InitialDataCleaning())[0].startswith("cuDNN")
