"""Reading what someone uploads to the verify page: never trusting it, never crashing on it."""

from __future__ import annotations

import hashlib
import json
import os

import pytest

from certificates import pdfcheck
from certificates.render import CertificateRenderer
from tests.certificates.snapshots import sample_snapshot


@pytest.fixture(scope="module")
def renderer():
    return CertificateRenderer()


@pytest.fixture(scope="module")
def certificate_pdf(renderer):
    return renderer.render(
        sample_snapshot(), attachment=json.dumps({"snapshot": {"a": 1}}).encode()
    )


def test_the_embedded_json_is_read_back(certificate_pdf):
    assert pdfcheck.read_attachment(certificate_pdf) == {"snapshot": {"a": 1}}


def test_the_fingerprint_is_the_sha256_and_changes_with_any_byte(certificate_pdf):
    assert pdfcheck.sha256(certificate_pdf) == hashlib.sha256(certificate_pdf).hexdigest()
    altered = certificate_pdf[:-20] + b" " + certificate_pdf[-19:]
    assert pdfcheck.sha256(altered) != pdfcheck.sha256(certificate_pdf)


def test_a_re_saved_copy_still_shows_what_it_claims_to_be(certificate_pdf):
    from io import BytesIO

    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(BytesIO(certificate_pdf)))
    writer.add_metadata({"/Title": "edited"})
    output = BytesIO()
    writer.write(output)
    copy = output.getvalue()
    assert pdfcheck.sha256(copy) != pdfcheck.sha256(certificate_pdf)
    assert pdfcheck.read_attachment(copy) == {"snapshot": {"a": 1}}


def test_garbage_gives_none(certificate_pdf):
    garbage = [
        b"",
        b"hello",
        b"%PDF-1.7\n" + b"\x00" * 100,
        b"%PDF-1.7\n1 0 obj << /Type /Catalog /Names 2 0 R >> endobj\ntrailer << /Root 1 0 R >>",
        os.urandom(4096),
        b"%PDF-" + os.urandom(4096),
        None,
        "a string",
    ]
    for data in garbage:
        assert pdfcheck.read_attachment(data) is None


def test_a_damaged_copy_never_crashes_the_reader(certificate_pdf):
    # pypdf may still recover the attachment from a damaged file; that is fine (the hash then
    # says "modified"), as long as it answers rather than raises.
    for cut in range(0, len(certificate_pdf), 997):
        assert pdfcheck.read_attachment(certificate_pdf[:cut]) in (None, {"snapshot": {"a": 1}})


@pytest.mark.parametrize("attachment", [None, b"not json", b"[1, 2, 3]", b"\xff\xfe"])
def test_a_pdf_without_our_json_object_gives_none(renderer, attachment):
    pdf = renderer.render(sample_snapshot(), attachment=attachment, pdf_variant=None)
    assert pdfcheck.read_attachment(pdf) is None
