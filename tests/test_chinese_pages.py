"""Every page of the portal, read in 繁體中文 by each kind of person, has no English
sentence in it: every URL pattern of the project is opened as a visitor, an
entrant, a caseworker, a judge and a staff member (the last two signed in with two
factors), with real objects for its parameters, and the text a person reads —
the page's text and the alt, title, placeholder, aria-label and button texts — is
searched for runs of English words."""

import datetime
import importlib.util
import re
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest
from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.account.utils import user_pk_to_url_str
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from artsprize.accounts.caseworkers import register_artist
from artsprize.accounts.enums import Language
from artsprize.news.services import update_post
from judging.enums import StageState
from judging.models import Assignment, Award, AwardType, Publication
from judging.services.conflicts import set_conflict
from judging.services.decisions import note_decision
from judging.services.invitations import invite_judge
from submissions.enums import FileState, RoundState
from submissions.models import DataArchive, Derivative, ScreeningReason
from submissions.services.entries import submit_entry, update_entry
from submissions.services.guardians import guardian_token
from submissions.services.rounds import close_round_now, extend_deadline
from tests import entry_factories, factories, judging_factories, news_factories

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "entrant", "caseworker", "judge", "staff")

# Pages each kind of person must have opened themselves (answered 200 at the
# address asked for), so that the walk reads their own pages, not only refusals.
OWN_PAGES = {
    "anonymous": {
        "home",
        "round_detail",
        "account_login",
        "account_signup",
        "news:list",
        "news:detail",
        "round_gallery",
    },
    "entrant": {
        "my_entries",
        "entry_edit",
        "entry_receipt",
        "entry_public_use",
        "profile",
        "your_data",
        "account_delete",
        "mfa_index",
        "mfa_activate_totp",
    },
    "caseworker": {"caseworker:artists", "caseworker:artist", "profile"},
    "judge": {
        "mfa_index",
        "mfa_view_recovery_codes",
        "profile",
        "judging:dashboard",
        "judging:queue",
        "judging:entry",
    },
    "staff": {
        "manage:rounds",
        "manage:round_detail",
        "manage:round_dashboard",
        "manage:round_exports",
        "manage:processing",
        "manage:screening",
        "manage:screening_entry",
        "manage:screening_reasons",
        "manage:round_stages",
        "manage:stage_detail",
        "manage:stage_edit",
        "manage:stage_panel",
        "manage:stage_assignments",
        "manage:stage_conflicts",
        "manage:stage_invitations",
        "manage:round_awards",
        "manage:round_publication",
        "manage:award_type_edit",
        "manage:award_citation",
        "manage:people",
        "manage:person",
        "manage:entry_detail",
        "manage:caseworkers",
        "manage:caseworker_detail",
        "manage:audit_log",
        "manage:news",
        "manage:news_create",
        "manage:news_detail",
        "manage:news_edit",
        "manage:news_preview",
        "mfa_index",
        "admin:index",
    },
}

# Three ASCII words in a row (a word may carry an apostrophe, a hyphen or a
# full stop, comma, colon... after it) is an English phrase left in the page.
ENGLISH_RUN = re.compile(
    r"(?<![\w@./-])[A-Za-z][A-Za-z'’-]*[.,:;!?)]*"
    r"(?: +\(?[A-Za-z][A-Za-z'’-]*[.,:;!?)]*){2,}"
)

# Every other Latin word is foreign: an English word in a Chinese sentence
# (「無效的 token」), a word of another language (「Inloggen」), or a code shown as it
# is stored (``title_en``).
LATIN_WORD = re.compile(r"(?<![\w@./-])[A-Za-z][A-Za-z0-9]*(?:[-_'’][A-Za-z0-9]+)*")


def _catalogue_check():
    """CI's translation check, whose list of words a Chinese message may keep
    holds for the pages too."""
    script = (
        Path(__file__).resolve().parent.parent / "scripts" / "check_translations.py"
    )
    spec = importlib.util.spec_from_file_location("check_translations", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# Latin words a Chinese page may show: the language switch and the name of the
# other language, codes, units, file types and names of products.
ALLOWED_WORDS = _catalogue_check().ALLOWED_WORDS | {"ENG", "English", "FreeOTP", "TOTP"}

# What a Chinese page may show in Latin letters besides those words: entry
# references, names of products, e-mail addresses, addresses of pages, dotted
# codes (``submissions.round:3``) and file names.
ALLOWED = [
    re.compile(pattern)
    for pattern in (
        r"\bENG\b",
        r"\bHRAP-\d{4}-\d+\b",
        r"\bGoogle Authenticator\b",
        r"\bMicrosoft Authenticator\b",
        r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+",
        r"https?://\S+",
        r"\b[a-z_]+(?:\.[a-z_]+)+(?::\d+)?",
        r"\b[\w-]+\.(?:jpg|jpeg|png|pdf|txt)\b",
    )
]

# Attributes whose text a person reads or hears.
READ_ATTRIBUTES = ("alt", "title", "placeholder", "aria-label")
BUTTON_INPUTS = {"submit", "button", "reset"}


class VisibleText(HTMLParser):
    """The text of a page a person reads, without scripts, styles and tags,
    without what the page shows as a code (``<code>``), and without a part the
    page declares English (``lang="en"``: the English version of a text that
    staff review beside the Chinese one)."""

    HIDDEN = {"script", "style", "template", "code", "kbd", "samp"}
    # Elements without an end tag: an English one holds no text to skip.
    VOID = {
        "area",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "wbr",
    }

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []
        self._hidden = 0
        # The element declared English that the parser is inside, and how
        # deep in elements of its name.
        self._english = None
        self._english_depth = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self._english is not None:
            if tag == self._english:
                self._english_depth += 1
            return
        if (attrs.get("lang") or "").lower().startswith("en"):
            if tag not in self.VOID:
                self._english, self._english_depth = tag, 1
            return
        if tag in self.HIDDEN:
            self._hidden += 1
        for name in READ_ATTRIBUTES:
            if attrs.get(name):
                self.parts.append(attrs[name])
        if tag == "input" and attrs.get("type") in BUTTON_INPUTS and attrs.get("value"):
            self.parts.append(attrs["value"])

    def handle_endtag(self, tag):
        if self._english is not None:
            if tag == self._english:
                self._english_depth -= 1
                if not self._english_depth:
                    self._english = None
            return
        if tag in self.HIDDEN and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden and self._english is None:
            self.parts.append(data)


def visible_text(html):
    parser = VisibleText()
    parser.feed(html)
    # One line per text of the page: a run of words does not go from one to the next.
    return "\n".join(" ".join(part.split()) for part in parser.parts if part.strip())


def english_in(text, *, data=(), sentences_only=False):
    """The runs of English words, then (unless ``sentences_only``) the other
    foreign words and codes, in ``text``, once what people typed into the portal
    (``data``) and the allowed codes and names are taken out."""
    for value in sorted(data, key=len, reverse=True):
        text = text.replace(value, " ")
    for pattern in ALLOWED:
        text = pattern.sub(" ", text)
    found = [match.group(0) for match in ENGLISH_RUN.finditer(text)]
    if sentences_only:
        return found
    text = ENGLISH_RUN.sub(" ", text)
    words = [match.group(0) for match in LATIN_WORD.finditer(text)]
    return found + [word for word in words if word not in ALLOWED_WORDS]


def test_english_and_codes_are_found_and_allowed_codes_names_and_data_are_not():
    text = visible_text(
        "<title>登入 · 香港人權藝術獎</title><p>Successfully signed in as "
        "<b>ada@example.org</b>.</p><p>Log in</p>"
        '<input type="submit" value="Save the draft"><img alt="A harbour at dusk">'
        '<button aria-label="Language">ENG</button><p>請使用 Google Authenticator。</p>'
        "<script>var notShown = 'in a script';</script><style>p { }</style>"
        "<p>檔案 harbour.jpg（PDF）由 Chan Tai Man 上載，編號 HRAP-2026-0001</p>"
        "<p>無效的 token</p><dl><dt>fields:</dt><dd>title_en, medium</dd></dl>"
        "<p>原因：image_unreadable</p><p>例如 submissions.round:3</p>"
        "<p><code>corrupt</code> 檔案已損壞</p><a>Inloggen</a>"
        "<p>參考編號 HRAP-2026-0001（English）</p>"
    )

    assert english_in(text, data={"Chan Tai Man"}) == [
        "Successfully signed in as",
        "Save the draft",
        "A harbour at dusk",
        "Log",
        "in",
        "Language",
        "token",
        "fields",
        "title_en",
        "medium",
        "image_unreadable",
        "Inloggen",
    ]


# The people and the objects of the portal -----------------------------------------


@pytest.fixture
def world():
    staff = factories.make_staff(language=Language.CHINESE)
    judge = factories.make_judge(language=Language.CHINESE)
    caseworker = factories.make_caseworker(language=Language.CHINESE)
    entrant = factories.make_entrant(language=Language.CHINESE)
    newcomer = factories.make_user(language=Language.CHINESE, verified=False)
    for person in (staff, judge):
        factories.activate_totp(person)
        RecoveryCodes.activate(person)

    open_round = entry_factories.make_open_round()
    extend_deadline(
        open_round,
        open_round.closes_at + datetime.timedelta(days=1),
        by=staff,
        reason="多給一天",
    )
    category = entry_factories.adult_category(open_round)
    draft_round = factories.make_round()
    draft_category = draft_round.categories.get()

    draft = entry_factories.make_complete_entry(open_round, entrant=entrant)
    file = draft.files.get()
    Derivative.objects.create(
        artwork_file=file,
        kind="thumb",
        key=f"test/derivatives/{file.pk}/thumb.jpg",
        size=100,
        content_type="image/jpeg",
    )
    failed = entry_factories.add_file(
        draft, state=FileState.FAILED, name="broken.jpg", alt_text="破損的相片"
    )
    failed.reason = "corrupt"
    failed.save(update_fields=["reason"])
    submitted = entry_factories.make_submitted_entry(open_round, entrant=entrant)
    youth = entry_factories.make_youth_category(open_round)
    young = factories.make_entrant(age=16, language=Language.CHINESE)
    minor_entry = entry_factories.make_complete_entry(
        open_round, entrant=young, category=youth
    )
    update_entry(
        minor_entry,
        data={"guardian_name": "陳美", "guardian_email": "parent@example.org"},
        by=young,
    )
    submit_entry(minor_entry, by=young)
    # A closed round whose entry staff screen.
    closed_round = entry_factories.make_open_round(year=2025)
    screened = entry_factories.make_submitted_entry(closed_round, entrant=entrant)
    close_round_now(closed_round, by=staff)
    reason = ScreeningReason.objects.create(
        text_en="The work was made before 2020.", text_zh_hant="作品於2020年前創作。"
    )
    artist = register_artist(
        by=caseworker,
        data={
            "legal_name": "Maria Santos",
            "credit_name": "Maria",
            "date_of_birth": datetime.date(1990, 5, 1),
            "hong_kong_based": True,
        },
        language=Language.CHINESE,
    )
    # A copy of the entrant's data that has expired, and one of the artist's the
    # caseworker can still fetch.
    now = timezone.now()
    expired = DataArchive.objects.create(
        person=entrant,
        requested_by=entrant,
        key="archives/expired.zip",
        ready_at=now - datetime.timedelta(days=8),
        expires_at=now - datetime.timedelta(days=1),
    )
    DataArchive.objects.create(
        person=artist,
        requested_by=caseworker,
        key="archives/ready.zip",
        ready_at=now,
        expires_at=now + datetime.timedelta(days=7),
    )
    # A round in judging: an open stage whose panel the judge chairs, a
    # colleague's conflict with one of its entries and an invitation.
    judging_round = judging_factories.make_judging_round(
        entries=2, state=RoundState.JUDGING
    )
    stage = judging_factories.make_stage(judging_round, state=StageState.OPEN)
    colleague_judge = factories.make_judge(language=Language.CHINESE)
    judging_factories.add_to_panel(stage, judge, colleague_judge, chair=judge)
    judging_factories.assign_everyone(stage, [judge, colleague_judge])
    conflicted = Assignment.objects.filter(stage=stage, judge=colleague_judge).first()
    conflict = set_conflict(
        stage,
        colleague_judge,
        conflicted.entry_id,
        reason="評審是作者的老師。",
        by=staff,
    )
    invitation = invite_judge(
        stage, email="new.judge@example.org", language=Language.CHINESE, by=staff
    )
    own_assignment = Assignment.objects.filter(stage=stage, judge=judge).first()
    # A closed stage the judge chairs, its works scored with a decision noted,
    # and the stage after it in set-up.
    closed_stage = judging_factories.make_stage(
        judging_round,
        state=StageState.CLOSED,
        name_en="Closed stage",
        name_zh_hant="已截止階段",
        position=1,
    )
    judging_factories.add_to_panel(closed_stage, judge, colleague_judge, chair=judge)
    judging_factories.assign_everyone(closed_stage, [judge, colleague_judge])
    for assignment in Assignment.objects.filter(stage=closed_stage):
        judging_factories.score(
            closed_stage,
            assignment.judge,
            assignment.entry,
            total=7,
            comment="構圖有力。",
        )
    note_decision(closed_stage, text="評審團一致同意。", by=staff)
    later_stage = judging_factories.make_stage(
        judging_round,
        previous=closed_stage,
        name_en="Final",
        name_zh_hant="決選",
        position=2,
    )
    # The round's awards: a special award given with its citations.
    award_type = AwardType.objects.create(
        round=judging_round,
        name_en="Justice Centre Choice",
        name_zh_hant="公義中心之選",
        prize_zh_hant="港幣一萬元",
    )
    award = Award.objects.create(
        award_type=award_type,
        entry=own_assignment.entry,
        citation_en="A brave work.",
        citation_zh_hant="勇敢的作品。",
    )
    # A round whose results are published, its gallery open.
    published_round = judging_factories.make_judging_round(
        entries=1, state=RoundState.PUBLISHED
    )
    Publication.objects.create(round=published_round, gallery_opened_at=now)
    # A published news post with a cover, and a draft.
    news_post = news_factories.make_post(
        by=staff,
        published=True,
        cover=news_factories.png_bytes(),
        cover_alt_en="A blue square",
        cover_alt_zh_hant="藍色方塊",
    )
    news_draft = news_factories.make_post(by=staff, title_en="", slug="draft-news")
    # A correction of the published post, with a new cover (the audit log names
    # the fields changed).
    update_post(
        news_post,
        data={"title_zh_hant": "得獎名單已公布", "cover": news_factories.png_bytes()},
        by=staff,
        note="更正標題。",
    )
    address = EmailAddress.objects.get(user=newcomer)
    group = Group.objects.first()
    authenticator = Authenticator.objects.filter(user=staff).first()

    # What people typed: shown as typed, in whatever language they wrote it.
    data = {
        # The audit log names a stage as it was named when it was recorded.
        "Closed stage",
        "Chan Tai Man",
        "Tai",
        "Maria Santos",
        "Maria",
        "Colours of Humanity",
        "Shared Future",
        "Entry is free.",
        "Adult — community",
        "For adults without formal training.",
        "Youth",
        *(value for value in entry_factories.COMPLETE.values() if value is not True),
        "A harbour at dusk, boats in silhouette.",
        "The work was made before 2020.",
        # Judging: works, criteria and a conflict as staff typed them.
        "First round",
        "Work 1",
        "Work 2",
        "A statement about the work.",
        "Ink on paper",
        "Originality",
        "Craft",
        "How the work speaks to the theme.",
        # The round's award and its citation as staff typed them.
        "Justice Centre Choice",
        "A brave work.",
        # A news post's texts in English, in the staff's form (on one line, as
        # the page's text is read).
        *(" ".join(value.split()) for value in news_factories.TEXTS.values()),
        "A blue square",
        # The name of the prize in the authenticator app, and the staff group.
        settings.MFA_TOTP_ISSUER,
        group.name,
    }
    parameters = {
        "round_detail": {"pk": open_round.pk},
        "entry_create": {"round_pk": open_round.pk},
        "entry_edit": {"pk": draft.pk},
        "entry_submit": {"pk": draft.pk},
        "entry_withdraw": {"pk": submitted.pk},
        "entry_receipt": {"pk": submitted.pk},
        "entry_public_use": {"pk": submitted.pk},
        "entry_guardian_resend": {"pk": minor_entry.pk},
        "file_download": {"pk": file.pk},
        "file_view": {"pk": file.pk, "name": "thumb"},
        "guardian_confirm": {"token": guardian_token(minor_entry)},
        "upload_status": {"file_pk": file.pk},
        "upload_sign": {"file_pk": file.pk},
        "upload_parts": {"file_pk": file.pk},
        "upload_complete": {"file_pk": file.pk},
        "upload_abort": {"file_pk": file.pk},
        "upload_remove": {"file_pk": file.pk},
        "caseworker:artist": {"pk": artist.pk},
        "caseworker:artist_invite": {"pk": artist.pk},
        "caseworker:artist_data_archive": {"pk": artist.pk},
        "data_archive_download": {"uuid": expired.uuid},
        "manage:round_detail": {"pk": open_round.pk},
        "manage:round_dashboard": {"pk": open_round.pk},
        "manage:round_edit": {"pk": draft_round.pk},
        "manage:round_schedule": {"pk": draft_round.pk},
        "manage:round_unschedule": {"pk": draft_round.pk},
        "manage:round_open": {"pk": draft_round.pk},
        "manage:round_close": {"pk": open_round.pk},
        "manage:round_extend": {"pk": open_round.pk},
        "manage:round_reopen": {"pk": open_round.pk},
        "manage:category_create": {"pk": draft_round.pk},
        "manage:category_edit": {
            "pk": draft_round.pk,
            "category_pk": draft_category.pk,
        },
        "manage:category_delete": {
            "pk": draft_round.pk,
            "category_pk": draft_category.pk,
        },
        "manage:round_exports": {"pk": open_round.pk},
        "manage:export_with_identity": {"pk": open_round.pk},
        "manage:export_download": {
            "pk": open_round.pk,
            "kind": "entries",
            "file_format": "csv",
        },
        "manage:processing_retry": {"pk": failed.pk},
        "manage:screening": {"pk": closed_round.pk},
        "manage:screening_bulk": {"pk": closed_round.pk},
        "manage:screening_release": {"pk": closed_round.pk},
        "manage:screening_entry": {"pk": closed_round.pk, "entry_pk": screened.pk},
        "manage:screening_reason_edit": {"pk": reason.pk},
        "manage:entry_detail": {"pk": draft.pk},
        "manage:entry_reveal": {"pk": draft.pk},
        "manage:file_original": {"pk": file.pk},
        "manage:caseworker_detail": {"pk": caseworker.pk},
        "manage:person": {"pk": entrant.pk},
        "manage:person_role": {"pk": judge.pk},
        "manage:person_reset_two_factor": {"pk": judge.pk},
        "judge_invitation": {"token": "not-a-token"},
        "news:detail": {"slug": news_post.slug},
        **{
            f"manage:{name}": {"pk": news_post.pk}
            for name in ("news_detail", "news_edit", "news_preview", "news_unpublish")
        },
        **{
            f"manage:{name}": {"pk": news_draft.pk}
            for name in ("news_publish", "news_schedule")
        },
        "manage:round_stages": {"pk": judging_round.pk},
        "manage:stage_create": {"pk": judging_round.pk},
        **{
            f"manage:{name}": {"pk": stage.pk}
            for name in (
                "stage_detail",
                "stage_edit",
                "stage_open",
                "stage_close",
                "stage_reopen",
                "stage_finalise",
                "stage_remind",
                "criterion_create",
                "stage_invitations",
                "stage_panel",
                "stage_assignments",
                "stage_assignments_make",
                "stage_assignment_assign",
                "stage_conflicts",
            )
        },
        **{
            f"manage:{name}": {"pk": stage.criteria.first().pk}
            for name in ("criterion_edit", "criterion_delete", "criterion_move")
        },
        **{
            f"manage:stage_invitation_{verb}": {
                "pk": stage.pk,
                "invitation_pk": invitation.pk,
            }
            for verb in ("resend", "withdraw")
        },
        **{
            f"manage:stage_panel_{verb}": {"pk": stage.pk, "judge_pk": judge.pk}
            for verb in ("chair", "remove")
        },
        "manage:stage_assignment_remove": {
            "pk": stage.pk,
            "assignment_pk": own_assignment.pk,
        },
        "manage:stage_conflict_lift": {"pk": stage.pk, "conflict_pk": conflict.pk},
        "manage:stage_results": {"pk": stage.pk},
        "manage:stage_result_judges": {"pk": stage.pk},
        "manage:stage_export": {
            "pk": stage.pk,
            "kind": "rankings",
            "file_format": "csv",
        },
        "manage:stage_result_entry": {
            "pk": stage.pk,
            "entry_id": own_assignment.entry_id,
        },
        "judging:queue": {"pk": stage.pk},
        "judging:deliberation": {"pk": closed_stage.pk},
        "manage:stage_selection": {"pk": later_stage.pk},
        **{
            f"manage:{name}": {"pk": judging_round.pk}
            for name in (
                "round_awards",
                "award_type_create",
                "round_decide",
                "round_publication",
                "round_publish",
            )
        },
        "round_gallery": {"pk": published_round.pk},
        "manage:round_results_export": {
            "pk": published_round.pk,
            "file_format": "csv",
        },
        **{
            f"manage:{name}": {"pk": award_type.pk}
            for name in (
                "award_type_edit",
                "award_type_delete",
                "award_type_move",
                "award_give",
            )
        },
        **{
            f"manage:{name}": {"pk": award.pk}
            for name in ("award_citation", "award_take_back")
        },
        **{
            f"judging:{name}": {"pk": own_assignment.pk}
            for name in ("entry", "score", "conflict", "panel_scores")
        },
        "account_confirm_email": {"key": EmailConfirmationHMAC(address).key},
        "account_reset_password_from_key": {
            "uidb36": user_pk_to_url_str(entrant),
            "key": default_token_generator.make_token(entrant),
        },
        "admin:view_on_site": {
            "content_type_id": ContentType.objects.get_for_model(category).pk,
            "object_id": category.pk,
        },
        "admin:app_list": {"app_label": "auth"},
        "admin:auth_group_change": {"object_id": group.pk},
        "admin:auth_group_history": {"object_id": group.pk},
        "admin:auth_group_delete": {"object_id": group.pk},
        "admin:account_emailaddress_change": {"object_id": address.pk},
        "admin:account_emailaddress_history": {"object_id": address.pk},
        "admin:account_emailaddress_delete": {"object_id": address.pk},
        "admin:mfa_authenticator_change": {"object_id": authenticator.pk},
        "admin:mfa_authenticator_history": {"object_id": authenticator.pk},
        "admin:mfa_authenticator_delete": {"object_id": authenticator.pk},
    }
    # The admin's pages of one row, for every model: that model's first row.
    for model in apps.get_models():
        row = model._default_manager.order_by("pk").first()
        if row is None:
            continue
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        for verb in ("change", "history", "delete"):
            parameters.setdefault(f"{prefix}_{verb}", {"object_id": row.pk})
    return {
        "people": {
            "entrant": entrant,
            "caseworker": caseworker,
            "judge": judge,
            "staff": staff,
        },
        "parameters": parameters,
        "data": data,
    }


def url_patterns(patterns=None, prefix="", namespace=""):
    """(path, name, pattern) of every URL pattern of the project."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}{pattern.namespace}:"
            yield from url_patterns(
                pattern.url_patterns, prefix + str(pattern.pattern), inner
            )
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}{pattern.name}" if pattern.name else ""
            yield prefix + str(pattern.pattern), name, pattern


def page_urls(parameters):
    """The address of every page, with real objects for the parameters; the admin's
    unnamed redirects and its catch-all are opened at an address of their own."""
    urls = []
    missing = []
    for path, name, pattern in url_patterns():
        if not name:
            if "<url>" in path:
                urls.append(("admin catch-all", "/admin/no-such-page/"))
            continue
        kwargs = parameters.get(name, {})
        needed = set(pattern.pattern.regex.groupindex)
        if needed - set(kwargs):
            missing.append(name)
            continue
        urls.append((name, reverse(name, kwargs=kwargs)))
    assert missing == [], f"No objects for the parameters of: {missing}"
    return urls


def chinese_client(role, people):
    """A browser set to 繁體中文, signed in as ``role`` (with two factors for judges
    and staff) and having just typed the password again, so that the pages asking
    for a recent sign-in open too."""
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hant"
    if role == "anonymous":
        return client
    user = people[role]
    if role in {"judge", "staff"}:
        factories.sign_in_with_two_factor(client, user)
    else:
        client.force_login(user)
    session = client.session
    session["account_authentication_methods"] = [
        *session.get("account_authentication_methods", []),
        {
            "method": "password",
            "at": time.time(),
            "email": user.email,
            "reauthenticated": True,
        },
    ]
    session["account_authentication_methods_user"] = str(user.pk)
    session.save()
    return client


def open_page(client, url):
    """The page at ``url``, following the portal's own redirects."""
    for _ in range(5):
        response = client.get(url)
        location = response.headers.get("Location", "")
        if response.status_code in {301, 302, 303, 307} and location.startswith("/"):
            url = location
            continue
        return url, response
    raise AssertionError(f"Too many redirects from {url}")


@pytest.mark.parametrize("role", ROLES)
def test_every_page_in_chinese_has_no_english_sentence(world, role):
    pages = 0
    opened = set()
    english = []
    for name, url in page_urls(world["parameters"]):
        # A page of its own for each: some pages sign the visitor out.
        client = chinese_client(role, world["people"])
        final, response = open_page(client, url)
        if not response.headers.get("Content-Type", "").startswith("text/html"):
            continue
        html = response.content.decode()
        if not html.strip():
            continue
        pages += 1
        if final == url and response.status_code == 200:
            opened.add(name)
        # The portal's pages say zh-Hant-HK, the Django admin's zh-hant.
        assert re.search(r'<html lang="zh-hant', html, re.IGNORECASE), (name, final)
        # The Django admin shows stored values as they are stored (codes, and
        # booleans as icons whose alt text Django leaves in English): there only
        # sentences are looked for.
        sentences_only = name.startswith("admin:")
        text = visible_text(html)
        for run in english_in(text, data=world["data"], sentences_only=sentences_only):
            english.append((name, final, run))

    assert english == [], "\n".join(map(str, english))
    assert pages > 60
    assert OWN_PAGES[role] - opened == set()


# What allauth says, in the portal's own translation -------------------------------


def _sign_in(client, user, *, secret=None):
    response = client.post(
        reverse("account_login"),
        {"login": user.email, "password": factories.PASSWORD},
        follow=True,
    )
    if secret is not None:
        assert response.redirect_chain[-1][0] == reverse("mfa_authenticate")
        code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
        response = client.post(reverse("mfa_authenticate"), {"code": code}, follow=True)
    return response


@pytest.mark.parametrize("role", ["entrant", "staff"])
def test_signing_in_and_out_in_chinese_is_said_in_chinese(client, role):
    if role == "staff":
        user = factories.make_staff(language=Language.CHINESE)
        secret = factories.activate_totp(user)
    else:
        user = factories.make_entrant(language=Language.CHINESE)
        secret = None
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hant"

    signed_in = _sign_in(client, user, secret=secret)
    signed_out = client.post(reverse("account_logout"), follow=True)

    text = visible_text(signed_in.content.decode())
    assert f"已成功以 {user.email} 的身份登入。" in text.splitlines()
    assert ".." not in text
    assert english_in(text) == []
    assert "您已登出。" in visible_text(signed_out.content.decode()).splitlines()


def test_a_used_password_reset_link_is_explained_in_chinese(client):
    user = factories.make_entrant(language=Language.CHINESE)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hant"
    url = reverse(
        "account_reset_password_from_key",
        kwargs={"uidb36": user_pk_to_url_str(user), "key": "used-or-wrong"},
    )

    response = client.get(url, follow=True)

    text = visible_text(response.content.decode())
    assert "連結無效" in text.splitlines()
    assert english_in(text) == []
