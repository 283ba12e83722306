"""The consultations of ``lms demo``: the first demo circle asks the young people of Sidi Bou
Othmane (Rhamna) about its Saturday job fair; about 120 answers came online (the poster's QR
code), on paper at the souk and by WhatsApp, from three communes, with a few written ideas. An
earlier consultation of its diagnosis (where do young people hear of job offers?) is closed: its
results are on the project's public page.

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
        {"fr": "Qu'aimeriez-vous trouver au forum de l'emploi ?",
         "ar": "ماذا تحب أن تجد في منتدى التشغيل؟",
         "en": "What would you like to find at the job fair?"},
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
        {"fr": "Une idée pour le forum de l'emploi ?", "ar": "عندك فكرة لمنتدى التشغيل؟",
         "en": "An idea for the job fair?"},
    ),
)  # fmt: skip
CHANNELS = (("online", 50), ("paper", 45), ("whatsapp", 25))
COMMUNES = ("Sidi Bou Othmane", "Benguerir", "Skhour Rhamna")
IDEAS = (
    "Ouvrir aussi pendant les vacances", "Inviter des jeunes qui ont trouvé un emploi",
    "نريد ورشة حول المقابلات", "Afficher les offres sur WhatsApp", "Venir au douar une fois par mois",
)  # fmt: skip


DIAGNOSIS = operations.QuestionDetails(
    "single",
    {"fr": "Comment apprenez-vous les offres d'emploi ?", "ar": "كيف تعرف عروض الشغل؟",
     "en": "How do you hear of job offers?"},
    [{"fr": "Par la famille et les amis", "ar": "من العائلة والأصدقاء", "en": "From family and friends"},
     {"fr": "Sur Facebook ou WhatsApp", "ar": "على فيسبوك أو واتساب", "en": "On Facebook or WhatsApp"},
     {"fr": "À l'agence ANAPEC de Benguerir", "ar": "في وكالة أنابيك ببنجرير",
      "en": "At the ANAPEC agency in Benguerir"},
     {"fr": "Souvent trop tard, ou jamais", "ar": "غالبًا بعد فوات الأوان، أو لا أعرف بها أبدًا",
      "en": "Often too late, or never"}],
    required=True,
)  # fmt: skip
#: (channel, commune, answers per choice) of the diagnosis, gathered two months ago
DIAGNOSIS_ANSWERS = (
    ("paper", "Sidi Bou Othmane", (9, 6, 3, 12)),
    ("in_person", "Skhour Rhamna", (4, 2, 1, 7)),
)


def _diagnosis(circle, member) -> Consultation:
    """The circle's first consultation, at the souk and the Dar Chabab, closed since."""
    start = date.today() - timedelta(days=75)
    consultation = operations.create_consultation(
        member, circle.project,
        operations.ConsultationDetails(
            {"fr": "Diagnostic : comment les jeunes apprennent les offres",
             "ar": "التشخيص: كيف يعرف الشباب عروض الشغل", "en": "Diagnosis: how young people hear of job offers"},
            communes=[commune for _channel, commune, _counts in DIAGNOSIS_ANSWERS],
            opens_on=start, closes_on=start + timedelta(days=14)),
    )  # fmt: skip
    operations.add_question(member, consultation, DIAGNOSIS)
    operations.open_consultation(member, consultation)
    (question,) = consultation.questions
    for channel, commune, counts in DIAGNOSIS_ANSWERS:
        for number, count in enumerate(counts, start=1):
            read = answers.check(consultation.questions, {question.id: [f"c{number}"]})
            for n in range(count):
                operations.record_entered_answer(member, consultation, read, channel, commune,
                                                 start + timedelta(days=n % 14), date.today())  # fmt: skip
    operations.close_consultation(member, consultation)
    return consultation


def seed(demo: DemoCircles) -> Consultation | None:
    if not demo.created or not demo.circles:
        return None
    circle = demo.circles[0]
    member = circle.members[0].user
    _diagnosis(circle, member)
    consultation = operations.create_consultation(
        member, circle.project,
        operations.ConsultationDetails(
            {"fr": "Votre avis sur le forum de l'emploi", "ar": "رأيك في منتدى التشغيل",
             "en": "Your opinion on the job fair"},
            {"fr": "Le cercle « Les bâtisseurs de Sidi Bou Othmane » prépare un forum de l'emploi "
                   "à la Dar Chabab, un samedi par mois.",
             "ar": "يحضّر شباب دائرة «بناة سيدي بوعثمان» منتدى للتشغيل في دار الشباب، يوم سبت "
                   "كل شهر."},
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
