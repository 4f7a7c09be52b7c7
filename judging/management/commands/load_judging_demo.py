"""The judging of the demo edition: the first stage of the demo's round of
written works, with criteria, the two demo judges on its panel (judge1 chairs),
every work assigned to both, opened for scoring; and the final after it, in
set-up with the same panel, a ranking of each judge's top three, waiting for
staff to choose its entries once the first stage has closed. Run after
``load_demo``, which makes the round; running it again changes nothing.

It refuses to run unless DEMO_DATA_ALLOWED is set, as ``load_demo`` does.
"""

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from judging.enums import AssignmentMode, StageMode, StageOutcome, Visibility
from judging.models import Stage
from judging.services.assignment import make_assignments
from judging.services.panels import add_panel_member
from judging.services.stage_setup import create_stage, open_stage_now, save_criterion
from submissions.enums import RoundState

ROUND_TITLE = "Demo — written works for judging"
STAFF = "staff@example.org"
JUDGES = ("judge1@example.org", "judge2@example.org")
CRITERIA = [
    (
        ("Artistic merit", "藝術成就"),
        (
            "Craft, voice and form: how well the work is made.",
            "技巧、聲音與形式：作品做得有多好。",
        ),
        2,
    ),
    (
        ("Human rights message", "人權訊息"),
        (
            "How the work speaks to the theme and to human rights.",
            "作品如何回應主題及人權。",
        ),
        2,
    ),
    (
        ("Originality", "原創性"),
        ("A way of seeing that is the artist's own.", "屬於藝術家自己的觀看方式。"),
        1,
    ),
]


class Command(BaseCommand):
    help = "Open the first judging stage of the demo edition (after load_demo)."

    def handle(self, *args, **options):
        if not settings.DEMO_DATA_ALLOWED:
            raise CommandError(
                "Demo data is not allowed with these settings: it prints passwords."
            )
        people = get_user_model().objects.filter(email__in=(STAFF, *JUDGES))
        people = {person.email: person for person in people}
        round_ = Stage._meta.get_field("round").related_model.objects.filter(
            title_en=ROUND_TITLE
        )
        round_ = round_.first()
        if round_ is None or len(people) != 1 + len(JUDGES):
            raise CommandError("Run load_demo first: it makes the round and people.")
        if Stage.objects.filter(round=round_).exists():
            return
        staff = people[STAFF]
        # The command acts as the demo's member of staff, signed in.
        staff.passed_two_factor = True
        with transaction.atomic():
            stage = self._stage(round_, by=staff)
            for email in JUDGES:
                add_panel_member(
                    stage, people[email], by=staff, chair=email == JUDGES[0]
                )
            make_assignments(stage, by=staff)
            open_stage_now(stage, by=staff)
            final = self._final(round_, stage, by=staff)
            for email in JUDGES:
                add_panel_member(
                    final, people[email], by=staff, chair=email == JUDGES[0]
                )
        round_.refresh_from_db()
        assert round_.state == RoundState.JUDGING
        self.stdout.write(
            f"Demo judging: “{stage.name_en}” is open for {', '.join(JUDGES)} — "
            f"http://127.0.0.1:{settings.PORT}/judging/"
        )

    def _final(self, round_, first, *, by):
        return create_stage(
            round_,
            data={
                "name_en": "Final",
                "name_zh_hant": "決選",
                "categories": list(round_.categories.all()),
                "previous": first,
                "outcome": StageOutcome.SHORTLISTED,
                "mode": StageMode.RANKING,
                "ranking_size": 3,
                "blind": True,
                "visibility": Visibility.AFTER_CLOSE,
                "min_judges": 2,
                "assignment_mode": AssignmentMode.ALL,
                "judges_per_entry": 2,
                "closes_at": timezone.now() + datetime.timedelta(days=28),
            },
            by=by,
        )

    def _stage(self, round_, *, by):
        stage = create_stage(
            round_,
            data={
                "name_en": "First round",
                "name_zh_hant": "初選",
                "categories": list(round_.categories.all()),
                "mode": StageMode.CRITERIA,
                "ranking_size": 10,
                "blind": True,
                "visibility": Visibility.AFTER_CLOSE,
                "min_judges": 2,
                "assignment_mode": AssignmentMode.ALL,
                "judges_per_entry": 2,
                "closes_at": timezone.now() + datetime.timedelta(days=14),
            },
            by=by,
        )
        for (name_en, name_zh), (text_en, text_zh), weight in CRITERIA:
            save_criterion(
                None,
                stage=stage,
                data={
                    "name_en": name_en,
                    "name_zh_hant": name_zh,
                    "description_en": text_en,
                    "description_zh_hant": text_zh,
                    "weight": weight,
                    "scale_min": 1,
                    "scale_max": 10,
                    "half_points": True,
                },
                by=by,
            )
        return stage
