"""Settings: every one a user can set is documented."""

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
