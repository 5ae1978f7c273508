"""A run's record of how it was launched reads typed, runs stored by earlier versions
included, and a malformed one is refused before it is stored."""

import json

import pytest
from pydantic import ValidationError
from sqlalchemy import text

from meclean.db.models import Dataset, Run
from meclean.db.run_record import RunConfigRecord, RunMethodRecord
from meclean.db.session import transaction
from meclean.ml.methods import DEFAULT_ALPHA

# What a run launched before protocols, devices and fold counts were recorded stored.
EARLY_METHOD = {"name": "ilc", "alpha": 2.0, "q": None, "warmup_epochs": None}
EARLY_CONFIG = {"epochs": 10, "seeds": [0, 1], "kept_by_a_later_version": "yes"}


def test_a_run_stored_by_an_earlier_version_reads_with_the_defaults(factory, stored):
    dataset_id, _ = stored
    with transaction(factory) as session:
        version = session.get_one(Dataset, dataset_id).current_label_version_id
        session.execute(
            text(
                "INSERT INTO runs (dataset_id, label_version_id, method, config, status, "
                "created_at) VALUES (:d, :v, :m, :c, 'succeeded', CURRENT_TIMESTAMP)"
            ),
            {
                "d": dataset_id,
                "v": version,
                "m": json.dumps(EARLY_METHOD),
                "c": json.dumps(EARLY_CONFIG),
            },
        )

    with factory() as session:
        (run,) = session.query(Run).all()

    assert run.method.name == "ilc" and run.method.alpha == 2.0 and run.method.resolved is None
    assert (run.config.epochs, run.config.seeds) == (10, [0, 1])
    assert run.config.protocol == "meclean" and run.config.device == "auto"
    assert run.config.consensus == "majority" and run.config.folds is None
    assert run.config.model_dump()["kept_by_a_later_version"] == "yes"


def test_a_record_without_its_epochs_is_refused_before_it_is_stored():
    with pytest.raises(ValidationError, match="epochs"):
        RunConfigRecord.model_validate({"seeds": [0]})


def test_the_record_defaults_alpha_to_the_methods_default():
    assert RunMethodRecord().alpha == DEFAULT_ALPHA
