"""The README documents every configuration key and the two set-up commands."""

from pathlib import Path

from lms.config import DEFAULTS

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def test_every_lms_key_is_documented():
    missing = [key for key in DEFAULTS if f"`{key}`" not in README]
    assert missing == []


def test_the_two_commands_are_shown():
    assert "make run" in README and "make test" in README
