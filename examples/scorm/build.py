"""Build the demo SCORM package from its source folder, the same bytes every time.

    .venv/bin/python examples/scorm/build.py

writes ``curriculum/packs/solving-public-problems/01-mindset/07-public-or-private.zip`` (the
optional lesson "Public problem or private trouble?" of the first module, in ``lms demo``).
Entries are sorted and dated 2026-01-01, so the zip (and the pack's content hash) only change
when a source file does.
"""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "public-or-private"
TARGET = (
    HERE.parents[1] / "curriculum/packs/solving-public-problems/01-mindset/07-public-or-private.zip"
)
FILES = ("imsmanifest.xml", "index.html", "activity.js", "style.css")


def build(target: Path = TARGET) -> Path:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(FILES):
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            info.external_attr = 0o100644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, (SOURCE / name).read_bytes())
    return target


if __name__ == "__main__":
    print(build(Path(sys.argv[1]) if len(sys.argv) > 1 else TARGET))
