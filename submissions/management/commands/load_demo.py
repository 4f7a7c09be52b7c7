"""A demo edition for trying the portal: one open round with the four categories
of the 2022 prize, one staff member, two judges and two entrants; and a closed
round of six written works, screened and released, ready for judging
(``load_judging_demo`` opens its first stage).

It prints passwords, so it refuses to run unless DEMO_DATA_ALLOWED is set, which the
production settings never do.
"""

import datetime

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from artsprize.accounts.enums import Language, Role
from artsprize.accounts.models import EntrantProfile
from artsprize.accounts.roles import ensure_role_groups, grant_role
from submissions.enums import MediaKind, RoundState, ScreeningState
from submissions.models import Category, Entry, Round
from submissions.services.entries import create_entry, submit_entry
from submissions.services.rounds import close_round_now, open_round_now
from submissions.services.screening import release_screening, set_screening

DEMO_PASSWORD = "artsprize-demo"  # noqa: S105 (demo data, refused in production)
MB = 1024 * 1024

RULES_EN = """Entry is free and open to everyone based in Hong Kong.
Each entrant may make up to 5 entries.
Works must be original and made in the last three years.
Entrants under 18 need the consent of a parent or guardian."""
RULES_ZH = """免費參加，歡迎所有以香港為基地的人士。
每位參加者最多可提交 5 件作品。
作品必須為原創，並於過去三年內完成。
未滿 18 歲的參加者須得到家長或監護人同意。"""

CATEGORIES = [
    {
        "name_en": "Youth",
        "name_zh_hant": "青年組",
        "description_en": "For artists under 18 at the deadline.",
        "description_zh_hant": "截止日期時未滿 18 歲的藝術家。",
        "max_age": 17,
        "media_kinds": [MediaKind.IMAGE, MediaKind.VIDEO, MediaKind.TEXT],
    },
    {
        "name_en": "Adult — trained",
        "name_zh_hant": "成人組 — 受過訓練",
        "description_en": "For adult artists with formal art training.",
        "description_zh_hant": "受過正規藝術訓練的成年藝術家。",
        "min_age": 18,
        "media_kinds": [
            MediaKind.IMAGE,
            MediaKind.VIDEO,
            MediaKind.AUDIO,
            MediaKind.DOCUMENT,
        ],
    },
    {
        "name_en": "Adult — community",
        "name_zh_hant": "成人組 — 社區",
        "description_en": "For adult artists without formal art training.",
        "description_zh_hant": "沒有受過正規藝術訓練的成年藝術家。",
        "min_age": 18,
        "media_kinds": [MediaKind.IMAGE, MediaKind.VIDEO, MediaKind.TEXT],
    },
    {
        "name_en": "Adult — team",
        "name_zh_hant": "成人組 — 團隊",
        "description_en": "For groups of adult artists entering one work together.",
        "description_zh_hant": "共同提交一件作品的成年藝術家團隊。",
        "min_age": 18,
        "allows_teams": True,
        "media_kinds": [MediaKind.IMAGE, MediaKind.VIDEO, MediaKind.AUDIO],
    },
]

# The round of written works whose entries judges score in the demo.
JUDGING_ROUND_TITLE = "Demo — written works for judging"
WORKS = [
    ("The Harbour Keeps Our Names", "海港記住我們的名字"),
    ("Letters I Did Not Send", "沒有寄出的信"),
    ("Rooftop, Sham Shui Po", "深水埗天台"),
    ("A Kitchen in Two Languages", "兩種語言的廚房"),
    ("Waiting Room", "候診室"),
    ("What the Ferry Heard", "渡輪聽見的"),
]
POEM = """The ferry leaves at seven and the water keeps the time.
I write my mother's name on the window, and the rain reads it back.
船在七點開出，海水替我們記住時間。"""

PEOPLE = [
    ("staff@example.org", Role.STAFF, Language.ENGLISH, None),
    ("judge1@example.org", Role.JUDGE, Language.ENGLISH, None),
    ("judge2@example.org", Role.JUDGE, Language.CHINESE, None),
    ("entrant1@example.org", None, Language.ENGLISH, ("Chan Tai Man", "Tai", 30)),
    ("entrant2@example.org", None, Language.CHINESE, ("李小欣", "小欣", 16)),
]


class Command(BaseCommand):
    help = "Load a demo edition (one open round, staff, judges, entrants)."

    def handle(self, *args, **options):
        if not settings.DEMO_DATA_ALLOWED:
            raise CommandError(
                "Demo data is not allowed with these settings: it prints passwords."
            )
        with transaction.atomic():
            ensure_role_groups()
            users = [self._person(*person) for person in PEOPLE]
            round_ = self._round(by=users[0])
            # The command acts as the demo's member of staff, signed in.
            users[0].passed_two_factor = True
            self._judging_round(by=users[0], entrant=users[3])
        self.stdout.write(
            f"Demo round: {round_.title_en} — http://127.0.0.1:{settings.PORT}"
            f"/rounds/{round_.pk}/"
        )
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for email, role, _language, _profile in PEOPLE:
            label = role.label if role else "Entrant"
            self.stdout.write(f"  {label:<8} {email}")
        self.stdout.write(
            "Staff and judges set up two-factor authentication at their first visit "
            "to their pages."
        )

    def _person(self, email, role, language, profile):
        user_model = get_user_model()
        user = user_model.objects.filter(email=email).first()
        if user is None:
            user = user_model.objects.create_user(
                email=email, password=DEMO_PASSWORD, language=language
            )
        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        if role is not None:
            grant_role(user, role, by=None)
        if profile is not None and not hasattr(user, "profile"):
            legal_name, credit_name, age = profile
            today = timezone.localdate()
            EntrantProfile.objects.create(
                user=user,
                legal_name=legal_name,
                credit_name=credit_name,
                date_of_birth=today.replace(year=today.year - age)
                - datetime.timedelta(days=30),
                hong_kong_based=True,
                pics_version=settings.PICS_VERSION,
                pics_accepted_at=timezone.now(),
            )
        return user

    def _judging_round(self, *, by, entrant):
        """A round of written works, closed, its entries screened eligible and
        the results released: what judging starts from. Made once, through the
        services an edition goes through."""
        now = timezone.now()
        if Round.objects.filter(title_en=JUDGING_ROUND_TITLE).exists():
            return
        round_ = Round.objects.create(
            year=now.year,
            title_en=JUDGING_ROUND_TITLE,
            title_zh_hant="示範 — 待評審的文字作品",
            theme_en="Colours of Humanity",
            theme_zh_hant="人性的色彩",
            rules_en=RULES_EN,
            rules_zh_hant=RULES_ZH,
            opens_at=now,
            closes_at=now + datetime.timedelta(days=1),
            entry_cap=len(WORKS),
        )
        category = Category.objects.create(
            round=round_,
            name_en="Poetry and prose",
            name_zh_hant="詩歌及散文",
            description_en="Written works, typed into the form.",
            description_zh_hant="在表格內輸入的文字作品。",
            media_kinds=[MediaKind.TEXT],
        )
        open_round_now(round_, by=by)
        for number, (title_en, title_zh) in enumerate(WORKS):
            entry = create_entry(
                round_,
                entrant=entrant,
                category=category,
                by=entrant,
                data={
                    "title_en": title_en,
                    "title_zh_hant": title_zh,
                    "medium": "Poem" if number % 2 == 0 else "Short prose",
                    "year_made": now.year - number % 3,
                    "statement": (
                        "Written in a shelter's shared kitchen, between two "
                        "languages and one long wait."
                    ),
                    "text_work": POEM,
                    "consent_original": True,
                    "consent_terms": True,
                },
            )
            submit_entry(entry, by=entrant)
        round_.refresh_from_db()
        close_round_now(round_, by=by)
        for entry in Entry.objects.filter(round=round_).order_by("pk"):
            set_screening(entry, ScreeningState.ELIGIBLE, by=by)
        round_.refresh_from_db()
        release_screening(round_, by=by)

    def _round(self, *, by):
        now = timezone.now()
        round_ = Round.objects.filter(
            year=now.year, title_en__startswith="Demo"
        ).first()
        if round_ is None:
            round_ = Round.objects.create(
                year=now.year,
                title_en=f"Demo — Hong Kong Human Rights Arts Prize {now.year}",
                title_zh_hant=f"示範 — {now.year} 香港人權藝術獎",
                theme_en="Colours of Humanity",
                theme_zh_hant="人性的色彩",
                rules_en=RULES_EN,
                rules_zh_hant=RULES_ZH,
                opens_at=now,
                # 23:59 Hong Kong time, thirty days from now.
                closes_at=timezone.localtime(now + datetime.timedelta(days=30)).replace(
                    hour=23, minute=59, second=0, microsecond=0
                ),
                entry_cap=5,
            )
            for position, data in enumerate(CATEGORIES):
                Category.objects.create(round=round_, position=position, **data)
        if round_.state == RoundState.DRAFT:
            open_round_now(round_, by=by)
        return round_
