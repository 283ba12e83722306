"""An administrator uploads a pack as a .zip: validation report, preview, then apply."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from sqlalchemy import func, select

from curriculum.db import db
from curriculum.models import Course, Lesson

PACK = Path(__file__).resolve().parents[2] / "curriculum" / "packs" / "community-leadership"


def zipped(folder: Path, edit=None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                data = path.read_bytes()
                if edit:
                    data = edit(path, data)
                archive.writestr(f"{folder.name}/{path.relative_to(folder)}", data)
    return buffer.getvalue()


def upload(client, data: bytes):
    return client.post("/admin/packs/upload", data={"pack": (io.BytesIO(data), "pack.zip")}, content_type="multipart/form-data")


def test_preview_then_apply_imports_the_pack(app, client, make_user, login):
    login(make_user(roles=("admin",)))
    response = upload(client, zipped(PACK))
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page
    assert "The pack is valid." in page and "would be imported" in page
    assert db.session.scalar(select(func.count()).select_from(Course)) == 0  # nothing before apply
    token = page.split('name="token" type="hidden" value="')[1].split('"')[0]
    response = client.post("/admin/packs/apply", data={"token": token}, follow_redirects=True)
    assert "Pack imported" in response.get_data(as_text=True)
    assert db.session.scalar(select(Course.slug)) == "community-leadership"
    assert db.session.scalar(select(func.count()).select_from(Lesson)) > 20
    # the token works once
    response = client.post("/admin/packs/apply", data={"token": token}, follow_redirects=True)
    assert "This upload has expired" in response.get_data(as_text=True)


def test_a_broken_pack_shows_every_problem_and_imports_nothing(app, client, make_user, login):
    login(make_user(roles=("admin",)))

    def break_quiz(path: Path, data: bytes) -> bytes:
        return data.replace(b"pass_mark: 70", b"pass_mark: 170") if path.name.endswith(".quiz.yaml") else data

    response = upload(client, zipped(PACK, break_quiz))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert page.count(".quiz.yaml:") >= 4
    assert db.session.scalar(select(func.count()).select_from(Course)) == 0


def test_unsafe_or_bogus_zips_are_refused(app, client, make_user, login):
    login(make_user(roles=("admin",)))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("../evil.txt", "x")
    response = upload(client, buffer.getvalue())
    assert response.status_code == 400
    response = upload(client, b"not a zip at all")
    assert response.status_code == 400 and "not a valid .zip" in response.get_data(as_text=True)


def test_only_administrators_reach_the_pack_pages(app, client, make_user, login):
    login(make_user(roles=("trainer",)))
    assert client.get("/admin/packs").status_code == 403
