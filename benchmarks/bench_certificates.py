"""Benchmark: certificate rendering with our warm WeasyPrint renderer against ReportLab.

Renders the same one-page certificate (A4 landscape, French beside Arabic, QR code, shipped
Noto fonts) N times with ``certificates.render.CertificateRenderer`` (PDF/A-3b with the signed
JSON attached, as in production) and N times with a ReportLab canvas drawing of the same content,
in the same process; then tracks the process's resident memory over M more renders of ours.

ReportLab is a benchmark-only dependency (``pip install -e .[bench]``). Both draw from the same
``certificate_context`` (same dates, labels and the very same QR code), so both pay for it. Without
uharfbuzz ReportLab does not shape or reorder Arabic, and it writes no PDF/A metadata and no
attachment, so its figure is a lower bound: it does less work than we do.

Ours lays out each course's static layer (frame, headings, labels, course, signatories) once and
stamps it under every certificate (certificates/layers.py): the first certificate of a course
costs a full layout, the next ones only the learner's own facts. The first line printed is that
first, cold render; the figures after it are warm, as in a bulk issuance.

    .venv/bin/python benchmarks/bench_certificates.py [--renders 200] [--memory-renders 1000]

It also builds and signs each certificate's Open Badges 3.0 credential (JSON-LD canonicalisation
with pyld is the costly part; the expanded contexts are cached), alone and beside the PDF, as
issuance does.

The last line is ``RESULT ms_per_cert=... reportlab_ms=... ratio=... rss_growth_mb=...
credential_ms=... pdf_and_credential_ratio=...``. Targets: ratio <= 2.5, rss_growth_mb < 30,
pdf_and_credential_ratio <= 2 (PDF + credential against the ReportLab baseline, same run).
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from collections.abc import Callable
from io import BytesIO
from pathlib import Path

import psutil
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import lms  # noqa: E402, F401 — first: the app imports the certificate modules in their order
from certificates import signing  # noqa: E402
from certificates.render import (  # noqa: E402
    ASSETS_DIR,
    CertificateRenderer,
    certificate_context,
)
from certificates.serials import new_serial  # noqa: E402
from tests.certificates.snapshots import SERIAL  # noqa: E402
from tests.certificates.snapshots import sample_snapshot as _sample_snapshot  # noqa: E402

INK = HexColor("#1c2a43")
GOLD = HexColor("#b08a3e")
MUTED = HexColor("#5a6478")
PAPER = HexColor("#fffdf7")


def sample_snapshot(serial: str = SERIAL) -> dict:
    """The tests' sample certificate (tests/certificates/snapshots.py) with its own serial."""
    return _sample_snapshot(serial=serial, verify_url=f"https://lms.example.org/verify/{serial}")


class ReportLabCertificate:
    """The same certificate drawn with ReportLab's canvas (fonts registered once, like our
    warm renderer keeps its stylesheet and fonts)."""

    def __init__(self) -> None:
        fonts = ASSETS_DIR / "fonts"
        for name, filename in (
            ("Serif", "NotoSerif-Regular.ttf"),
            ("Serif-Bold", "NotoSerif-Bold.ttf"),
            ("Serif-Italic", "NotoSerif-Italic.ttf"),
            ("Naskh", "NotoNaskhArabic-Regular.ttf"),
            ("Naskh-Bold", "NotoNaskhArabic-Bold.ttf"),
        ):
            pdfmetrics.registerFont(TTFont(name, str(fonts / filename)))

    def render(self, snapshot: dict) -> bytes:
        c = certificate_context(snapshot)  # same dates, numbers and labels as ours
        width, height = landscape(A4)
        buffer = BytesIO()
        pdf = canvas.Canvas(buffer, pagesize=(width, height))
        pdf.setTitle(c["pdf_title"])
        pdf.setAuthor(c["issuer"]["text"])
        self._frame(pdf, width, height)
        centre = width / 2
        fr, ar = c["columns"][0], c["columns"][1]
        self._text(
            pdf, centre, height - 34 * mm, c["issuer"]["text"].upper(), "Serif-Bold", 10.5, GOLD
        )
        self._text(pdf, centre - 40 * mm, height - 50 * mm, fr["labels"]["heading"], "Serif", 30)
        self._text(
            pdf, centre + 70 * mm, height - 50 * mm, ar["labels"]["heading"], "Naskh-Bold", 28
        )
        self._text(
            pdf,
            centre - 20 * mm,
            height - 64 * mm,
            fr["labels"]["awarded_to"],
            "Serif-Italic",
            10.5,
            MUTED,
        )
        self._text(
            pdf, centre + 20 * mm, height - 64 * mm, ar["labels"]["awarded_to"], "Naskh", 11, MUTED
        )
        self._text(pdf, centre, height - 80 * mm, c["learner"]["text"], "Serif-Bold", 40)
        pdf.setStrokeColor(GOLD)
        pdf.setLineWidth(0.3 * mm)
        pdf.line(centre - 60 * mm, height - 86 * mm, centre + 60 * mm, height - 86 * mm)
        for column, x, font in ((fr, centre - 63 * mm, "Serif"), (ar, centre + 63 * mm, "Naskh")):
            italic = "Serif-Italic" if font == "Serif" else font
            self._text(pdf, x, height - 97 * mm, column["wording"], italic, 12.5, MUTED)
            self._text(pdf, x, height - 106 * mm, column["course_title"], f"{font}-Bold", 18)
        for index, fact in enumerate(c["facts"]):
            x = centre + (index - (len(c["facts"]) - 1) / 2) * 45 * mm
            self._text(pdf, x, height - 124 * mm, fact["value"], "Serif-Bold", 14)
            self._text(
                pdf, x, height - 129 * mm, fact["labels"][0]["text"].upper(), "Serif", 7.5, MUTED
            )
            self._text(pdf, x, height - 133 * mm, fact["labels"][1]["text"], "Naskh", 9, MUTED)
        for index, signatory in enumerate(c["signatories"]):
            x = 50 * mm + index * 56 * mm
            pdf.setStrokeColor(INK)
            pdf.line(x - 25 * mm, 38 * mm, x + 25 * mm, 38 * mm)
            self._text(pdf, x, 33 * mm, signatory["text"], "Serif-Bold", 10.5)
            for line, title in enumerate(signatory["titles"]):
                font = "Naskh" if title["lang"] == "ar" else "Serif"
                self._text(pdf, x, 29 * mm - line * 4 * mm, title["text"], font, 8, MUTED)
        right = width - 55 * mm
        self._text(pdf, right, 43 * mm, fr["labels"]["serial"].upper(), "Serif", 7, MUTED, "right")
        self._text(pdf, right, 37 * mm, c["serial"], "Serif-Bold", 12, INK, "right")
        self._text(pdf, right, 32 * mm, fr["labels"]["verify_at"], "Serif", 7.5, MUTED, "right")
        self._text(pdf, right, 28.5 * mm, ar["labels"]["verify_at"], "Naskh", 8, MUTED, "right")
        self._text(pdf, right, 25 * mm, c["verify_url_display"], "Serif", 7.5, INK, "right")
        self._qr(pdf, c["qr"], width - 52 * mm, 22 * mm, 30 * mm)
        pdf.showPage()
        pdf.save()
        return buffer.getvalue()

    @staticmethod
    def _text(pdf, x, y, text, font, size, colour=INK, align="centre") -> None:
        pdf.setFillColor(colour)
        pdf.setFont(font, size)
        if align == "right":
            pdf.drawRightString(x, y, text)
        else:
            pdf.drawCentredString(x, y, text)

    @staticmethod
    def _frame(pdf, width, height) -> None:
        pdf.setFillColor(PAPER)
        pdf.rect(0, 0, width, height, stroke=0, fill=1)
        pdf.setStrokeColor(INK)
        pdf.setLineWidth(0.8 * mm)
        pdf.rect(8 * mm, 8 * mm, width - 16 * mm, height - 16 * mm)
        pdf.setStrokeColor(GOLD)
        pdf.setLineWidth(0.3 * mm)
        pdf.rect(10 * mm, 10 * mm, width - 20 * mm, height - 20 * mm)
        for x, y in (
            (9 * mm, 9 * mm),
            (width - 9 * mm, 9 * mm),
            (9 * mm, height - 9 * mm),
            (width - 9 * mm, height - 9 * mm),
        ):
            for angle in (0, 45):
                pdf.saveState()
                pdf.translate(x, y)
                pdf.rotate(angle)
                pdf.setFillColor(PAPER)
                pdf.rect(-4 * mm, -4 * mm, 8 * mm, 8 * mm, fill=1)
                pdf.restoreState()
            pdf.setFillColor(INK)
            pdf.circle(x, y, 1.4 * mm, stroke=0, fill=1)

    @staticmethod
    def _qr(pdf, code, x, y, size) -> None:
        """The very QR code ours prints (same segno code, same mask), module by module."""
        matrix = code.matrix
        modules = len(matrix) + 8
        cell = size / modules
        pdf.setFillColor(HexColor("#ffffff"))
        pdf.rect(x, y, size, size, stroke=0, fill=1)
        pdf.setFillColor(INK)
        for row_index, row in enumerate(matrix):
            for column_index, dark in enumerate(row):
                if dark:
                    pdf.rect(
                        x + (column_index + 4) * cell,
                        y + size - (row_index + 5) * cell,
                        cell,
                        cell,
                        stroke=0,
                        fill=1,
                    )


def timed_pair(first: Callable[[dict], bytes], second: Callable[[dict], bytes], count: int):
    """Wall-clock and CPU milliseconds per render of each, alternating so that both see the same
    machine load; each certificate gets a fresh serial (so a fresh QR code)."""
    wall: tuple[list[float], list[float]] = ([], [])
    cpu: tuple[list[float], list[float]] = ([], [])
    for _ in range(count):
        snapshot = sample_snapshot(new_serial("SPP", 2026))
        for index, render in enumerate((first, second)):
            start, start_cpu = time.perf_counter(), time.process_time()
            render(snapshot)
            wall[index].append((time.perf_counter() - start) * 1000)
            cpu[index].append((time.process_time() - start_cpu) * 1000)
    return wall, cpu


def rss_mb() -> float:
    return psutil.Process().memory_info().rss / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--renders", type=int, default=200)
    parser.add_argument("--memory-renders", type=int, default=1000)
    args = parser.parse_args()

    rss_start = rss_mb()
    renderer = CertificateRenderer()
    attachment = signing.envelope_bytes(sample_snapshot(), "0123456789abcdef", "x" * 86)

    def ours(snapshot: dict) -> bytes:
        return renderer.render(snapshot, attachment=attachment)

    def ours_plain(snapshot: dict) -> bytes:
        return renderer.render(snapshot, attachment=attachment, pdf_variant=None)

    reportlab = ReportLabCertificate()
    start = time.perf_counter()
    first_pdf = ours(sample_snapshot())
    print(
        f"first render (cold: fonts, stylesheet): {(time.perf_counter() - start) * 1000:.0f} ms, {len(first_pdf) / 1024:.0f} KiB"
    )
    print(f"ReportLab PDF size: {len(reportlab.render(sample_snapshot())) / 1024:.0f} KiB")
    timed_pair(ours, reportlab.render, 5)

    (ours_ms, reportlab_ms), (ours_cpu, reportlab_cpu) = timed_pair(
        ours, reportlab.render, args.renders
    )
    (plain_ms, _), _ = timed_pair(ours_plain, reportlab.render, max(20, args.renders // 4))
    for name, values in (
        ("ours (PDF/A-3b + attachment)", ours_ms),
        ("ours (plain PDF)", plain_ms),
        ("ReportLab", reportlab_ms),
    ):
        print(
            f"{name:30} median {statistics.median(values):7.1f} ms  "
            f"mean {statistics.fmean(values):7.1f} ms  "
            f"p95 {sorted(values)[int(len(values) * 0.95) - 1]:7.1f} ms  ({len(values)} renders)"
        )

    cold = []
    for _ in range(max(10, args.renders // 10)):
        renderer._static_layers.clear()  # as for the first certificate of a course
        start = time.perf_counter()
        ours(sample_snapshot(new_serial("SPP", 2026)))
        cold.append((time.perf_counter() - start) * 1000)
    print(
        f"first certificate of a course (static layer laid out too): "
        f"mean {statistics.fmean(cold):.1f} ms ({len(cold)} renders)"
    )

    print(
        f"CPU time (less sensitive to other processes): ours {statistics.fmean(ours_cpu):.1f} ms, "
        f"ReportLab {statistics.fmean(reportlab_cpu):.1f} ms, "
        f"ratio {statistics.fmean(ours_cpu) / statistics.fmean(reportlab_cpu):.2f}; "
        f"load average {' '.join(f'{value:.1f}' for value in psutil.getloadavg())}"
    )

    gc.collect()
    rss_before = rss_mb()
    samples = []
    for index in range(args.memory_renders):
        renderer.render(sample_snapshot(new_serial("SPP", 2026)), attachment=attachment)
        if (index + 1) % max(1, args.memory_renders // 10) == 0:
            samples.append(rss_mb())
    gc.collect()
    rss_after = rss_mb()
    print(
        f"RSS: process start {rss_start:.0f} MB, before memory run {rss_before:.0f} MB, after {args.memory_renders} renders {rss_after:.0f} MB"
    )
    print("RSS samples (MB): " + " ".join(f"{value:.0f}" for value in samples))

    ms_per_cert = statistics.fmean(ours_ms)
    rl_ms = statistics.fmean(reportlab_ms)
    credential_ms = measure_credentials(max(50, args.renders // 2))
    print(
        f"RESULT ms_per_cert={ms_per_cert:.1f} reportlab_ms={rl_ms:.1f} "
        f"ratio={ms_per_cert / rl_ms:.2f} rss_growth_mb={rss_after - rss_before:.1f} "
        f"credential_ms={credential_ms:.1f} "
        f"pdf_and_credential_ratio={(ms_per_cert + credential_ms) / rl_ms:.2f}"
    )


def measure_credentials(count: int) -> float:
    """Mean ms to build and sign one credential (canonicalisation of the document and of the
    proof options, Ed25519), in an app as issuance runs it; canonicalisation timed alone too."""
    import tempfile
    from datetime import UTC, datetime
    from types import SimpleNamespace

    from certificates.credentials import build, contexts
    from certificates.credentials.did import issuer_did
    from certificates.credentials.operations import sign_document
    from lms import create_app

    folder = tempfile.mkdtemp(prefix="bench-credentials-")
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.sqlite3",
            "SECRET_KEY": "bench",
            "LMS_PUBLIC_URL": "https://academie.example.org",
        },
        instance_path=f"{folder}/instance",
    )
    rule = {"min_quiz_average": 70, "min_attendance": 75}
    with app.test_request_context():
        did = issuer_did()

        def one(index: int) -> dict:
            snapshot = sample_snapshot(new_serial("SPP", 2026))
            certificate = SimpleNamespace(
                id=index + 1, snapshot=snapshot, user=SimpleNamespace(email="a@example.org")
            )
            document = build.credential(certificate, did, rule)
            return sign_document(document, datetime.now(UTC))

        one(0)  # warm: contexts expanded once, key read
        times, canon = [], []
        for index in range(count):
            start = time.perf_counter()
            signed = one(index)
            times.append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            contexts.canonize({k: v for k, v in signed.items() if k != "proof"})
            canon.append((time.perf_counter() - start) * 1000)
    print(
        f"credential (build + sign): median {statistics.median(times):.1f} ms, "
        f"mean {statistics.fmean(times):.1f} ms; canonicalisation alone "
        f"{statistics.fmean(canon):.1f} ms ({count} credentials)"
    )
    return statistics.fmean(times)


if __name__ == "__main__":
    main()
