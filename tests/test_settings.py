"""Settings: every one a user can set is documented; the data folder they name is private."""

import os
import stat
from pathlib import Path

from meclean.settings import Settings

README = Path(__file__).resolve().parents[1] / "README.md"


def test_every_setting_is_named_in_the_readme():
    readme = README.read_text()

    missing = [
        f"MECLEAN_{n.upper()}"
        for n in Settings.model_fields
        if f"MECLEAN_{n.upper()}" not in readme
    ]

    assert not missing, f"settings the README does not name: {missing}"


def test_a_new_data_folder_is_its_owners_only_whatever_the_umask(tmp_path):
    previous = os.umask(0)
    try:
        made = Settings(data_dir=tmp_path / "lab" / "data").create_data_dir()
        kept = tmp_path / "shared"
        kept.mkdir(mode=0o750)
        Settings(data_dir=kept).create_data_dir()
    finally:
        os.umask(previous)

    assert stat.S_IMODE(made.stat().st_mode) == 0o700
    assert stat.S_IMODE(kept.stat().st_mode) == 0o750  # an existing folder keeps its mode
