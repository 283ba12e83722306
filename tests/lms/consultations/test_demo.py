"""``lms demo`` adds an open consultation with about 120 answers over three channels to the first
demo circle (and a closed one of its diagnosis, whose results its public page shows), once."""

from __future__ import annotations

from sqlalchemy import func, select

from curriculum.db import db
from lms.circles.consultations.models import Consultation, ConsultationAnswer


def test_the_demo_consultation(empty_app):
    runner = empty_app.test_cli_runner()
    for _ in range(2):  # the second run adds nothing
        result = runner.invoke(
            args=["demo", "--setup-only"], env={"LMS_DEMO_PASSWORD": "demo-password-2026"}
        )
        assert result.exit_code == 0, result.output
    with empty_app.app_context():
        closed, consultation = db.session.scalars(select(Consultation).order_by("id")).all()
        assert closed.status == "closed"
        assert consultation.status == "open" and len(consultation.questions) == 4
        channels = dict(
            db.session.execute(
                select(ConsultationAnswer.channel, func.count())
                .where(ConsultationAnswer.consultation_id == consultation.id)
                .group_by(ConsultationAnswer.channel)
            ).all()
        )
        assert channels == {"online": 50, "paper": 45, "whatsapp": 25}
        consultation_id, code = consultation.id, consultation.code
        db.session.remove()
    trainer = empty_app.test_client()
    trainer.post("/login", data={"email": "trainer@example.org", "password": "demo-password-2026"})
    page = trainer.get(
        f"/consultations/{consultation_id}/results", headers={"Accept-Language": "fr"}
    )
    assert page.status_code == 200 and "120 réponses" in page.get_data(as_text=True)
    assert empty_app.test_client().get(f"/c/{code}").status_code == 200
