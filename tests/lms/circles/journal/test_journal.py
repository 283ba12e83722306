"""The circle's journal: members write updates with photos (cleaned), members and facilitators
comment, members of other circles see nothing; refused input writes nothing and keeps the text."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from curriculum.db import db
from lms.circles.journal import operations
from lms.circles.journal.models import JournalComment, JournalEntry, JournalPhoto
from lms.errors import NotAllowed


def _photo(fmt="JPEG", size=(2000, 1000)) -> bytes:
    out = io.BytesIO()
    exif = Image.Exif()
    exif.get_ifd(0x8825)[2] = (33.0, 35.0, 0.0)  # GPS latitude
    Image.new("RGB", size, (10, 120, 30)).save(out, fmt, exif=exif)
    return out.getvalue()


@pytest.fixture
def world(app, trainer, make_cohort, add_learners, make_circle):
    cohort = make_cohort([trainer])
    first, second, outsider = (e.user for e in add_learners(cohort, 3))
    circle = make_circle(cohort, [first, second])
    make_circle(cohort, [outsider])
    return circle, first, second, outsider


def test_entry_with_photo_stripped_and_kept_after_leaving(world):
    circle, first, _second, _ = world
    entry = operations.create_entry(circle, first, "  Réunion au Dar Chabab  ", [_photo()])
    db.session.commit()
    assert entry.text == "Réunion au Dar Chabab"
    (photo,) = entry.photos
    assert max(photo.width, photo.height) == 1600
    # the author leaves: the entry stays hers
    circle.members[0].left_at = entry.created_at
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(JournalEntry, entry.id).author_id == first.id


@pytest.mark.parametrize(
    "text,photos,field",
    [
        ("   ", [], "text"),
        ("x" * (operations.TEXT_MAX + 1), [], "text"),
        ("ok", [("notes.pdf", b"%PDF-1.4 no photo")], "photos"),
        ("ok", [b"\xff" * (10 * 1024 * 1024 + 1)], "photos"),
        ("ok", [_photo()] * (operations.MAX_PHOTOS + 1), "photos"),
    ],
)
def test_bad_entry_refused_nothing_written(world, text, photos, field):
    circle, first, *_ = world
    with pytest.raises(operations.JournalError) as refused:
        operations.create_entry(circle, first, text, photos)
    assert refused.value.field == field
    db.session.rollback()
    assert db.session.query(JournalEntry).count() == 0
    assert db.session.query(JournalPhoto).count() == 0


def test_only_members_write_and_facilitators_comment(world, trainer):
    circle, first, _second, outsider = world
    with pytest.raises(NotAllowed):
        operations.create_entry(circle, trainer, "Je suis la formatrice")
    entry = operations.create_entry(circle, first, "Visite à l'ANAPEC")
    operations.add_comment(entry, trainer, "Bravo !")
    with pytest.raises(NotAllowed):
        operations.add_comment(entry, outsider, "Moi aussi")
    with pytest.raises(operations.JournalError):
        operations.add_comment(entry, trainer, " ")
    db.session.commit()
    assert [c.text for c in db.session.query(JournalComment)] == ["Bravo !"]


def test_pages(world, trainer, as_user):
    circle, first, second, outsider = world
    member = as_user(first)
    url = f"/circles/{circle.id}/journal"
    answer = member.post(
        url, data={"text": "Premier café-emploi", "photos": [(io.BytesIO(_photo("PNG")), "a.png")]},
        content_type="multipart/form-data",
    )  # fmt: skip
    assert answer.status_code == 302
    entry = db.session.query(JournalEntry).one()
    # a refused photo: the message names it, the text typed is still in the form
    answer = member.post(
        url, data={"text": "Deuxième", "photos": [(io.BytesIO(b"not a photo"), "cv.docx")]},
        content_type="multipart/form-data",
    )  # fmt: skip
    assert answer.status_code == 400
    page = answer.get_data(as_text=True)
    assert "cv.docx" in page and "Deuxième" in page
    assert db.session.query(JournalEntry).count() == 1
    # the facilitator comments; the other member sees the entry and its photo
    staff = as_user(trainer)
    assert (
        staff.post(f"{url}/{entry.id}/comments", data={f"c{entry.id}-text": "Super"}).status_code
        == 302
    )
    other = as_user(second)
    page = other.get(url).get_data(as_text=True)
    assert "Premier café-emploi" in page and "Super" in page
    photo = entry.photos[0]
    image = other.get(f"{url}/photos/{photo.id}")
    assert image.status_code == 200 and image.data[:2] == b"\xff\xd8"
    assert b"Exif" not in image.data
    # a member of another circle of the cohort sees nothing of it
    stranger = as_user(outsider)
    assert stranger.get(url).status_code == 403
    assert stranger.get(f"{url}/photos/{photo.id}").status_code == 403
    assert "Premier café-emploi" in member.get(f"/circles/{circle.id}").get_data(as_text=True)
