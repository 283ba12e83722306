"""An administrator uploads a pack as a .zip: validation report, preview, then apply."""

from __future__ import annotations

import html
import io
import os
import stat
import zipfile
from pathlib import Path

import pytest
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
    return client.post(
        "/admin/packs/upload",
        data={"pack": (io.BytesIO(data), "pack.zip")},
        content_type="multipart/form-data",
    )


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
        return (
            data.replace(b"pass_mark: 70", b"pass_mark: 170")
            if path.name.endswith(".quiz.yaml")
            else data
        )

    response = upload(client, zipped(PACK, break_quiz))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert page.count(".quiz.yaml:") >= 4
    assert db.session.scalar(select(func.count()).select_from(Course)) == 0


def nothing_was_written(app) -> bool:
    """No course imported, and no upload kept for a later apply."""
    uploads = Path(app.instance_path) / "pack-uploads"
    kept = list(uploads.iterdir()) if uploads.exists() else []
    return kept == [] and db.session.scalar(select(func.count()).select_from(Course)) == 0


def zip_with_entry(name: str, mode: int | None = None) -> bytes:
    """A zip holding the pack and one more entry ``name`` (with file type bits ``mode``)."""
    buffer = io.BytesIO(zipped(PACK))
    with zipfile.ZipFile(buffer, "a") as archive:
        info = zipfile.ZipInfo(name)
        if mode is not None:
            info.external_attr = mode << 16
        archive.writestr(info, "/etc/passwd" if mode is not None else "x")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("entry", "mode", "message"),
    [
        ("../evil.txt", None, "The zip entry '../evil.txt' points outside the folder."),
        (
            "community-leadership/../../evil.txt",
            None,
            "The zip entry 'community-leadership/../../evil.txt' points outside the folder.",
        ),
        ("/etc/evil.txt", None, "The zip entry '/etc/evil.txt' is an absolute path."),
        ("C:/evil.txt", None, "The zip entry 'C:/evil.txt' is an absolute path."),
        (
            "community-leadership/assets/link.png",
            stat.S_IFLNK | 0o777,
            "The zip entry 'community-leadership/assets/link.png' is a symbolic link.",
        ),
    ],
)
def test_a_zip_with_a_path_escaping_the_pack_is_refused_with_its_message(
    app, client, make_user, login, entry, mode, message
):
    login(make_user(roles=("admin",)))

    response = upload(client, zip_with_entry(entry, mode))

    assert response.status_code == 400
    assert message in html.unescape(response.get_data(as_text=True))
    assert "would be imported" not in response.get_data(as_text=True)
    assert nothing_was_written(app)


def test_a_zip_over_the_upload_limit_is_refused_with_its_message(app, client, make_user, login):
    login(make_user(roles=("admin",)))
    app.config["LMS_PACK_UPLOAD_MAX_MB"] = 1
    buffer = io.BytesIO(zipped(PACK))
    with zipfile.ZipFile(buffer, "a", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr("community-leadership/assets/video.pdf", os.urandom(1024 * 1024))

    response = upload(client, buffer.getvalue())

    assert response.status_code == 400
    assert "The zip is larger than 1 MB." in response.get_data(as_text=True)
    assert nothing_was_written(app)


def test_a_file_that_is_not_a_zip_is_refused(app, client, make_user, login):
    login(make_user(roles=("admin",)))

    response = upload(client, b"not a zip at all")

    assert response.status_code == 400
    assert "not a valid .zip" in response.get_data(as_text=True)
    assert nothing_was_written(app)


def test_only_administrators_reach_the_pack_pages(app, client, make_user, login):
    login(make_user(roles=("trainer",)))
    assert client.get("/admin/packs").status_code == 403


@pytest.mark.parametrize(
    ("edit", "entry", "message"),
    [
        (
            lambda path, data: data + b"lol: &a [*a]\n" if path.name == "course.yaml" else data,
            None,
            "course.yaml:{line}: YAML aliases are not allowed",
        ),
        (
            None,
            "community-leadership/" + ("d" * 99 + "/") * 41 + "x" * 76 + ".md",
            "The zip entry 'community-leadership/ddddddddddddddddddd…xxxxxxxxxxxxxxxxx.md'"
            " has a path longer than 1000 characters.",
        ),
        (
            None,
            "community-leadership/assets/" + "n" * 296 + ".png",
            "The zip entry 'community-leadership/assets/nnnnnnnnnnnn…nnnnnnnnnnnnnnnn.png'"
            " has a file or folder name longer than 255 characters.",
        ),
    ],
    ids=["a: &a [*a]", "4,200-character path", "300-character name"],
)
def test_a_hostile_pack_is_refused_with_its_entry_and_leaves_nothing(
    app, client, make_user, login, edit, entry, message
):
    login(make_user(roles=("admin",)))
    data = zip_with_entry(entry) if entry else zipped(PACK, edit)
    line = (PACK / "course.yaml").read_text().count("\n") + 1

    response = upload(client, data)

    assert response.status_code == 400
    assert message.format(line=line) in html.unescape(response.get_data(as_text=True))
    assert nothing_was_written(app)  # the zip is gone at once, not after 24 hours


def test_an_upload_that_fails_unexpectedly_is_removed_at_once(app, client, make_user, login):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    login(make_user(roles=("admin",)))

    def broken_checker(folder):
        raise RuntimeError("a bug in the checker")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("lms.packs.operations.load_pack", broken_checker)
        response = upload(client, zipped(PACK))

    assert response.status_code == 500
    assert nothing_was_written(app)
