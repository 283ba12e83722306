"""The consultation of ``lms demo``: the first demo circle asks the young people of Tissa about
its Saturday job café; about 120 answers came online (the poster's QR code), on paper at the
souk and by WhatsApp, from three communes, with a few written ideas.

Added only when the circles' demo has just been made (``DemoCircles.created``), so running
``lms demo`` again adds nothing.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from lms.circles.demo import DemoCircles

from . import answers, operations
from .models import Consultation

QUESTIONS = (
    operations.QuestionDetails(
        "single",
        {"fr": "Cherchez-vous un emploi en ce moment ?", "ar": "هل تبحث عن عمل الآن؟",
         "en": "Are you looking for a job right now?"},
        [{"fr": "Oui", "ar": "نعم", "en": "Yes"}, {"fr": "Non", "ar": "لا", "en": "No"},
         {"fr": "Je suis en formation", "ar": "أنا في تكوين", "en": "I am in training"}],
        required=True,
    ),
    operations.QuestionDetails(
        "multiple",
        {"fr": "Qu'aimeriez-vous trouver au café-emploi ?", "ar": "ماذا تحب أن تجد في مقهى التشغيل؟",
         "en": "What would you like to find at the job café?"},
        [{"fr": "Des offres d'emploi", "ar": "عروض عمل", "en": "Job offers"},
         {"fr": "Aide pour le CV", "ar": "مساعدة في السيرة الذاتية", "en": "Help with a CV"},
         {"fr": "Rencontrer des employeurs", "ar": "لقاء المشغّلين", "en": "Meeting employers"},
         {"fr": "Créer mon projet", "ar": "إنشاء مشروعي", "en": "Starting my own project"}],
    ),
    operations.QuestionDetails(
        "scale",
        {"fr": "Le samedi matin vous convient-il ?", "ar": "هل يناسبك صباح السبت؟",
         "en": "Does Saturday morning suit you?"},
    ),
    operations.QuestionDetails(
        "text",
        {"fr": "Une idée pour le café-emploi ?", "ar": "فكرة لمقهى التشغيل؟",
         "en": "An idea for the job café?"},
    ),
)  # fmt: skip
CHANNELS = (("online", 50), ("paper", 45), ("whatsapp", 25))
COMMUNES = ("Tissa", "Ain Aicha", "Taounate")
IDEAS = (
    "Ouvrir aussi pendant les vacances", "Inviter des jeunes qui ont trouvé un emploi",
    "نريد ورشة حول المقابلات", "Afficher les offres sur WhatsApp", "Venir au douar une fois par mois",
)  # fmt: skip


def seed(demo: DemoCircles) -> Consultation | None:
    if not demo.created or not demo.circles:
        return None
    circle = demo.circles[0]
    member = circle.members[0].user
    consultation = operations.create_consultation(
        member, circle.project,
        operations.ConsultationDetails(
            {"fr": "Votre avis sur le café-emploi", "ar": "رأيك في مقهى التشغيل",
             "en": "Your opinion on the job café"},
            {"fr": "Le cercle « Les bâtisseurs de Tissa » prépare un café-emploi au Dar Chabab.",
             "ar": "تحضّر دائرة «بناة تيسة» مقهى للتشغيل في دار الشباب."},
            communes=list(COMMUNES), opens_on=date.today() - timedelta(days=20),
            closes_on=date.today() + timedelta(days=20)),
    )  # fmt: skip
    for question in QUESTIONS:
        operations.add_question(member, consultation, question)
    operations.open_consultation(member, consultation)
    draw = random.Random(14)
    single, multiple, scale, text = consultation.questions
    for channel, count in CHANNELS:
        for n in range(count):
            sent = {
                single.id: [draw.choices(("c1", "c2", "c3"), (6, 2, 2))[0]],
                multiple.id: draw.sample(("c1", "c2", "c3", "c4"), draw.randint(1, 3)),
                scale.id: [str(draw.choices(range(1, 6), (1, 1, 2, 4, 4))[0])],
                text.id: [IDEAS[n % len(IDEAS)]] if n % 6 == 0 else [],
            }
            read = answers.check(consultation.questions, sent)
            commune = COMMUNES[draw.choices((0, 1, 2), (5, 3, 2))[0]]
            day = date.today() - timedelta(days=draw.randint(0, 19))
            if channel == "online":
                operations.insert_answer(consultation, channel, commune, day, read.values,
                                         device_hash=f"demo-{n:059d}")  # fmt: skip
            else:
                operations.record_entered_answer(member, consultation, read, channel, commune,
                                                 day, date.today())  # fmt: skip
    return consultation
