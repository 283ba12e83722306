"""An administrator adds a SCORM package as a new lesson of an existing module."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

from sqlalchemy import func, select

from curriculum.db import db
from curriculum.importer import import_pack
from curriculum.models import Lesson, Module
from curriculum.scorm import package_folder

from .packages import zip_with_manifest
from .test_package import XXE

MINIMAL = Path(__file__).resolve().parents[1] / "curriculum" / "packs" / "minimal"


def upload(client, module, data: bytes, title="Premiers secours"):
    return client.post(
        "/admin/scorm",
        data={
            "module_id": str(module.id),
            "title": title,
            "minutes": "20",
            "required": "y",
            "package": (io.BytesIO(data), "first-aid.zip"),
        },
        content_type="multipart/form-data",
    )


def test_a_package_becomes_the_last_lesson_of_the_module_and_stays_after_a_reimport(
    app, client, make_user, login, scorm_zip, tmp_path
):
    pack = tmp_path / "minimal"
    shutil.copytree(MINIMAL, pack)
    import_pack(pack)
    db.session.commit()
    module = db.session.scalar(select(Module).filter_by(slug="basics"))
    login(make_user(roles=("admin",)))
    assert "SCORM package (.zip)" in client.get("/admin/scorm").get_data(as_text=True)

    response = upload(client, module, scorm_zip("1.2").read_bytes())
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/courses/minimal-course/basics/premiers-secours")
    lesson = db.session.scalar(select(Lesson).filter_by(slug="premiers-secours"))
    assert lesson.kind == "scorm" and lesson.minutes == 20 and lesson.required
    assert lesson.position == max(other.position for other in module.lessons)
    assert lesson.titles == {"fr": "Premiers secours", "en": "Premiers secours"}
    assert lesson.settings["scorm"]["edition"] == "SCORM 1.2"
    assert (package_folder(lesson.settings["scorm"]["sha256"]) / "index.html").is_file()
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'id="scorm-frame"' in page

    # the same title again: another slug; the course's pack imported again keeps both
    assert upload(client, module, scorm_zip("1.2").read_bytes()).status_code == 302
    (pack / "01-basics" / "01-welcome.en.md").write_text(
        (pack / "01-basics" / "01-welcome.en.md").read_text() + "\nMore.\n"
    )
    report = import_pack(pack)
    db.session.commit()
    assert not report.archived
    slugs = db.session.scalars(
        select(Lesson.slug).where(Lesson.kind == "scorm", Lesson.archived_at.is_(None))
    ).all()
    assert sorted(slugs) == ["premiers-secours", "premiers-secours-2"]


def test_a_package_that_is_not_scorm_is_refused_with_the_reason(
    app, client, make_user, login, make_course
):
    course = make_course()
    login(make_user(roles=("admin",)))
    before = db.session.scalar(select(func.count()).select_from(Lesson))
    response = upload(client, course.modules[0], zip_with_manifest(XXE))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "imsmanifest.xml declares a DTD or entities" in html
    assert 'value="Premiers secours"' in html  # what was typed stays
    assert db.session.scalar(select(func.count()).select_from(Lesson)) == before


def test_a_package_over_the_limit_is_refused(app, client, make_user, login, make_course):
    course = make_course()
    app.config["LMS_SCORM_UPLOAD_MAX_MB"] = 1
    login(make_user(roles=("admin",)))
    response = upload(client, course.modules[0], b"PK" + b"\0" * (1024 * 1024 + 10))
    assert response.status_code == 400
    assert "The zip is larger than 1 MB." in response.get_data(as_text=True)
