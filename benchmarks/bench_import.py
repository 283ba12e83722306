"""Benchmark: import the bundled curriculum packs into a fresh SQLite database, then again.

The second import finds every pack unchanged (one content-hash look-up per course, no Markdown
parsed). Targets: first import under 3 s, unchanged re-import under 0.5 s.

    .venv/bin/python benchmarks/bench_import.py

Ends with one line: ``RESULT import_s=... reimport_s=...``.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from curriculum.db import db  # noqa: E402
from curriculum.importer import import_bundled_packs  # noqa: E402
from lms import create_app  # noqa: E402
from lms.models import import_all_models  # noqa: E402


def timed_import() -> tuple[float, list[str]]:
    started = time.perf_counter()
    lines = list(import_bundled_packs())
    db.session.commit()
    return time.perf_counter() - started, lines


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="lms-bench-import-") as directory:
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{directory}/bench.sqlite3",
                "SECRET_KEY": "benchmark",
            },
            instance_path=directory,
        )
        with app.app_context():
            import_all_models()
            db.metadata.create_all(db.engine)
            import_s, lines = timed_import()
            for line in lines:
                print(line)
            reimport_s, lines = timed_import()
            for line in lines:
                print(line)
            db.session.remove()
            db.engine.dispose()
    print(f"RESULT import_s={import_s:.3f} reimport_s={reimport_s:.3f}")


if __name__ == "__main__":
    main()
