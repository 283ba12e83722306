"""The project sheet: one A4 page in French with Arabic (its title in both languages, its
headings in both), downloadable by anyone once the project is published; what members typed
stays text (escaped, never fetched) and a very long project still fits one page."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from .conftest import agree
from .test_public_page import publish

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils")


def pdf_text(pdf: bytes, tmp_path: Path) -> tuple[str, int]:
    path = tmp_path / "sheet.pdf"
    path.write_bytes(pdf)
    if os.environ.get("LMS_TEST_KEEP_SHEET"):  # to look at it: pdftoppm -png
        shutil.copy(path, os.environ["LMS_TEST_KEEP_SHEET"])
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True,
                          check=True, text=True).stdout  # fmt: skip
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True, text=True)
    pages = int(next(line for line in info.stdout.splitlines() if line.startswith("Pages:"))[6:])
    for mark in ("\u202b", "\u202c", "\u2067", "\u2069"):
        text = text.replace(mark, "")
    return text, pages


def test_the_sheet_is_one_page_in_french_and_arabic(showcase_circle, trainer, client, tmp_path):
    circle = showcase_circle()
    publish(circle, trainer)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "ar"  # the sheet is French with Arabic anyway
    response = client.get(f"/projects/{circle.project.id}/sheet.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    text, pages = pdf_text(response.data, tmp_path)
    assert pages == 1
    flat = " ".join(text.split())
    assert "Café-emploi du samedi" in flat
    assert "مقهى التشغيل يوم السبت" in flat
    for heading in ("Le problème", "المشكلة", "Alliés", "الشركاء", "Résultats", "النتائج",
                    "La voix des citoyens", "Commune de Tissa", "Jeunes reçus", "Salma"):  # fmt: skip
        assert heading in flat, heading
    assert "Pilote" in flat and "تجربة" in flat  # the stage, in both languages


def test_a_long_project_still_fits_one_page(showcase_circle, trainer, grow, add_learners, client,
                                            tmp_path):  # fmt: skip
    long = "Les jeunes de la commune attendent une réponse claire et rapide. " * 80
    circle = showcase_circle(problem_who=long, problem_what=long, problem_where=long,
                             problem_how_many=long, problem_why=long, tried=long)  # fmt: skip
    grow(circle, add_learners, 8)
    publish(circle, trainer)
    text, pages = pdf_text(client.get(f"/projects/{circle.project.id}/sheet.pdf").data, tmp_path)
    assert pages == 1 and "Café-emploi du samedi" in text


def test_what_members_type_is_text_never_a_resource(showcase_circle, trainer, client, tmp_path):
    circle = showcase_circle(title='<img src="file:///etc/passwd"> Bus <b>gratuit</b>')
    agree(circle)
    publish(circle, trainer)
    text, pages = pdf_text(client.get(f"/projects/{circle.project.id}/sheet.pdf").data, tmp_path)
    assert '<img src="file:///etc/passwd"> Bus <b>gratuit</b>' in " ".join(text.split())
    assert "root:" not in text
