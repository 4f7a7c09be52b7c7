"""Until their session passes two-factor sign-in, staff, judges and admins have an
entrant's rights everywhere: every URL of the project, with its parameters filled
with ids of real objects, answers them as it answers an entrant (or sends them to
their second factor), and shows them nobody else's data."""

import datetime
import itertools
import json
import re
from urllib.parse import urlencode, urlsplit

import pytest
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import JsonResponse
from django.test import Client
from django.urls import (
    Resolver404,
    URLPattern,
    URLResolver,
    get_resolver,
    resolve,
    reverse,
)
from django.utils import timezone, translation

from artsprize.accounts.caseworkers import register_artist
from artsprize.accounts.enums import Language
from artsprize.accounts.permissions import permission_required
from judging.enums import StageState, Visibility
from judging.models import Assignment, Award, AwardType
from judging.services.conflicts import set_conflict
from judging.services.invitations import invite_judge
from judging.services.scoring import save_score
from submissions.enums import DerivativeKind, FileState, MediaKind, RoundState
from submissions.models import DataArchive, Derivative
from submissions.services.entries import update_entry
from submissions.services.guardians import guardian_token
from tests import entry_factories, factories, judging_factories, news_factories

pytestmark = pytest.mark.django_db

# What nobody but its owner (and staff who passed two-factor sign-in) may read.
OTHER_ENTRANT = {
    "email": "wong.siu.ming@example.org",
    "legal_name": "Wong Siu Ming Legal",
    "file_name": "wong-private-sketch.jpg",
    "upload_name": "wong-unfinished-upload.tif",
    "failed_name": "wong-failed-scan.png",
    "title": "Quiet Rooftop Secret",
}
MINOR = {"email": "ho.ka.yan@example.org", "legal_name": "Ho Ka Yan Legal"}
GUARDIAN = {"name": "Ho Guardian Parent", "email": "ho.parent@example.org"}
ARTIST = {"legal_name": "Amina Yusuf Filed", "email": "amina.filed@example.org"}
DRAFT_ROUND_TITLE = "Unannounced Edition Draft"
DRAFT_NEWS_TITLE = "Unannounced Winners News Draft"
# Judging: what only the panel (after the stage's rule allows) and staff read.
PANEL_COMMENT = "Panel Comment Kept Among Judges"
PRIVATE_NOTE = "Private Note Of Another Judge"
CONFLICT_REASON = "Conflict Reason For Staff Only"
INVITED_JUDGE_EMAIL = "invited.judge.secret@example.org"
STAFF_COLLEAGUE_EMAIL = "colleague.staff@example.org"
JUDGE_COLLEAGUE_EMAIL = "colleague.judge@example.org"

SECRETS = [
    *OTHER_ENTRANT.values(),
    *MINOR.values(),
    *GUARDIAN.values(),
    *ARTIST.values(),
    DRAFT_ROUND_TITLE,
    DRAFT_NEWS_TITLE,
    PANEL_COMMENT,
    PRIVATE_NOTE,
    CONFLICT_REASON,
    INVITED_JUDGE_EMAIL,
    STAFF_COLLEAGUE_EMAIL,
    JUDGE_COLLEAGUE_EMAIL,
]

# Only the project's own views take a POST here: allauth's and the admin's are
# walked with GET (a POST to the sign-out or language switch would change the
# visitor, not show anything).
GET_ONLY_PREFIXES = ("/accounts/", "/admin/", "/i18n/")
ROUTE_PARAMETER = re.compile(r"(?<!\?P)<(?:(?P<converter>\w+):)?(?P<name>\w+)>")
REGEX_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>[^)]*\)")


def build_world():
    """Another entrant's entries, files, an upload in progress, a minor's entry
    with its guardian's link, a caseworker's artist, a draft round, colleagues."""
    round_ = entry_factories.make_open_round()
    category = entry_factories.adult_category(round_)
    youth = entry_factories.make_youth_category(round_)
    draft = factories.make_round(title_en=DRAFT_ROUND_TITLE)
    draft_category = draft.categories.get(position=0)

    other = factories.make_entrant(email=OTHER_ENTRANT["email"])
    other.profile.legal_name = OTHER_ENTRANT["legal_name"]
    other.profile.save(update_fields=["legal_name"])
    entry = entry_factories.make_complete_entry(
        round_, entrant=other, category=category, with_file=False
    )
    update_entry(entry, data={"title_en": OTHER_ENTRANT["title"]}, by=other)
    ready = entry_factories.add_file(entry, name=OTHER_ENTRANT["file_name"])
    for kind in (DerivativeKind.THUMB, DerivativeKind.PREVIEW):
        Derivative.objects.create(
            artwork_file=ready,
            kind=kind,
            key=f"test/derivatives/{ready.pk}/{kind}",
            size=10,
            content_type="image/jpeg",
        )
    uploading = entry_factories.add_file(
        entry, name=OTHER_ENTRANT["upload_name"], state=FileState.AWAITING_UPLOAD
    )
    failed = entry_factories.add_file(
        entry,
        name=OTHER_ENTRANT["failed_name"],
        kind=MediaKind.DOCUMENT,
        state=FileState.FAILED,
    )

    minor = factories.make_entrant(email=MINOR["email"], age=16)
    minor.profile.legal_name = MINOR["legal_name"]
    minor.profile.save(update_fields=["legal_name"])
    minor_entry = entry_factories.make_complete_entry(
        round_, entrant=minor, category=youth
    )
    update_entry(
        minor_entry,
        data={"guardian_name": GUARDIAN["name"], "guardian_email": GUARDIAN["email"]},
        by=minor,
    )
    caseworker = factories.make_caseworker()
    artist = register_artist(
        by=caseworker,
        data={
            "legal_name": ARTIST["legal_name"],
            "credit_name": "",
            "date_of_birth": datetime.date(1990, 3, 2),
            "hong_kong_based": True,
        },
        email=ARTIST["email"],
        language=Language.ENGLISH,
    )
    filed = entry_factories.make_complete_entry(
        round_, entrant=artist, category=category, by=caseworker
    )
    colleague = factories.make_staff(email=STAFF_COLLEAGUE_EMAIL)
    judge = factories.make_judge(email=JUDGE_COLLEAGUE_EMAIL)
    archives = [
        DataArchive.objects.create(
            person=person,
            requested_by=by,
            key=f"archives/test-{person.pk}.zip",
            ready_at=timezone.now(),
            expires_at=timezone.now() + datetime.timedelta(days=7),
        )
        for person, by in ((other, other), (artist, caseworker))
    ]

    stage, judging_ids, judging_seconds = build_judging(colleague, judge)
    # A draft news post (its public page and the staff's) and a published one.
    news_draft = news_factories.make_post(title_en=DRAFT_NEWS_TITLE, by=colleague)
    news_published = news_factories.make_post(
        title_en="Published news", published=True, by=colleague
    )

    ids = {
        *judging_ids,
        *(
            obj.pk
            for obj in (
                round_,
                category,
                youth,
                draft,
                draft_category,
                other,
                entry,
                ready,
                uploading,
                failed,
                minor,
                minor_entry,
                caseworker,
                artist,
                filed,
                colleague,
                judge,
                news_draft,
                news_published,
            )
        ),
    }
    return {
        **judging_seconds,
        "stage": stage,
        "int": sorted(ids),
        "token": [guardian_token(minor_entry), "not-a-token"],
        "uuid": [str(archive.uuid) for archive in archives],
        "slug": [news_draft.slug, news_published.slug, "no-such-post"],
        "name": ["thumb", "preview", "page-0"],
        "path": [str(pk) for pk in sorted(ids)],
        "app_label": sorted({model._meta.app_label for model in admin.site._registry}),
        "url": ["x"],
        "key": ["x"],
        "uidb36": ["x"],
        # The exports of a round and of a stage (patterns of regular
        # expressions).
        "pk": [str(pk) for pk in sorted(ids)],
        "kind": ["entries", "files", "scores", "rankings"],
        "file_format": ["csv", "xlsx"],
    }


def build_judging(staff, judge):
    """An open stage whose panel ``judge`` sits on, with a submitted score
    (comment and private note), a conflict and an invitation; returns the stage
    and the IDs of its objects."""
    round_ = judging_factories.make_judging_round(entries=2, state=RoundState.JUDGING)
    stage = judging_factories.make_stage(
        round_, state=StageState.OPEN, visibility=Visibility.AFTER_OWN
    )
    judging_factories.add_to_panel(stage, judge, chair=judge)
    judging_factories.assign_everyone(stage, [judge])
    scored, conflicted = Assignment.objects.filter(stage=stage).order_by("id")
    criteria = {f"criterion_{criterion.pk}": "7" for criterion in stage.criteria.all()}
    save_score(
        scored,
        data={**criteria, "comment": PANEL_COMMENT, "private_note": PRIVATE_NOTE},
        base_version=0,
        by=judge,
        submit=True,
    )
    conflict = set_conflict(
        stage, judge, conflicted.entry_id, reason=CONFLICT_REASON, by=staff
    )
    invitation = invite_judge(
        stage, email=INVITED_JUDGE_EMAIL, language=Language.ENGLISH, by=staff
    )
    # A closed stage whose chair the walking judge becomes (its deliberation
    # page shows the chair every score), and the stage after it in set-up
    # (the staff's choice of its entries).
    closed = judging_factories.make_stage(
        round_, state=StageState.CLOSED, name_en="Closed stage", position=1
    )
    judging_factories.add_to_panel(closed, judge)
    judging_factories.assign_everyone(closed, [judge])
    for assignment in Assignment.objects.filter(stage=closed):
        judging_factories.score(
            closed, judge, assignment.entry, total=6, comment=PANEL_COMMENT
        )
    later = judging_factories.make_stage(
        round_, previous=closed, name_en="Final", position=2
    )
    # An award of the round, given with its citation (the awards page).
    award_type = AwardType.objects.create(
        round=round_, name_en="Jury Award", name_zh_hant="評審團獎"
    )
    award = Award.objects.create(
        award_type=award_type, entry=scored.entry, citation_en=PANEL_COMMENT
    )
    ids = {round_.pk, stage.pk, closed.pk, later.pk, scored.pk, conflicted.pk}
    ids.update({award_type.pk, award.pk})
    ids.update(stage.criteria.values_list("pk", flat=True))
    # The second number of a judging URL names an object of the stage: walked
    # with those alone (and one that does not exist), not with every ID.
    seconds = {
        "int:judge_pk": [judge.pk, 0],
        "int:invitation_pk": [invitation.pk, 0],
        "int:assignment_pk": [scored.pk, conflicted.pk, 0],
        "int:conflict_pk": [conflict.pk, 0],
    }
    return (stage, closed), ids, seconds


def seat_on_panel(judge, stages, values):
    """Put the walking ``judge`` on the stages' panels with every entry
    assigned, chairing the closed one, so that their judging pages would show
    the works and the panel's scores if a guard let them."""
    stage, closed = stages
    judging_factories.add_to_panel(closed, judge, chair=judge)
    judging_factories.assign_everyone(closed, [judge])
    judging_factories.add_to_panel(stage, judge)
    judging_factories.assign_everyone(
        stage,
        [judge],
        entries=[
            assignment.entry
            for assignment in Assignment.objects.filter(stage=stage).select_related(
                "entry"
            )
        ],
    )
    own = list(Assignment.objects.filter(judge=judge).values_list("pk", flat=True))
    values["int"] = sorted({*values["int"], *own})
    values["int:assignment_pk"] = [*values["int:assignment_pk"], *own]
    values["int:judge_pk"] = [*values["int:judge_pk"], judge.pk]


def patterns(resolver, prefix=""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from patterns(pattern, prefix + str(pattern.pattern))
        else:
            assert isinstance(pattern, URLPattern)
            yield prefix + str(pattern.pattern), pattern


def admin_model(template):
    """The model whose admin pages ``template`` belongs to, if any."""
    for model in admin.site._registry:
        if template.startswith(
            f"admin/{model._meta.app_label}/{model._meta.model_name}/"
        ):
            return model
    return None


def values_for(template, parameter, converter, values):
    if converter == "int":
        return values.get(f"int:{parameter}", values["int"])
    if converter == "path":
        # An admin page of one model is walked with the ids of that model's
        # objects, and with an id no object has.
        model = admin_model(template)
        if model is None:
            return values["path"]
        ids = [str(pk) for pk in model._default_manager.values_list("pk", flat=True)]
        return [*ids, "0"]
    assert parameter in values, f"no values for the parameter {parameter!r}"
    return values[parameter]


def paths(values):
    """Every URL of the project, once for each combination of real values."""
    for template, pattern in patterns(get_resolver()):
        slots = [
            (match.group(0), match["name"], match["converter"] or "str")
            for match in ROUTE_PARAMETER.finditer(template)
        ] + [
            (match.group(0), match["name"], "regex")
            for match in REGEX_GROUP.finditer(template)
        ]
        choices = [
            values_for(template, name, converter, values)
            for _, name, converter in slots
        ]
        for combination in itertools.product(*choices):
            path = template
            for (slot, _, _), value in zip(slots, combination, strict=True):
                path = path.replace(slot, str(value), 1)
            path = "/" + path.replace("^", "").replace("$", "")
            # A value the pattern does not take leads elsewhere: that URL is
            # walked with its own pattern.
            try:
                match = resolve(urlsplit(path).path)
            except Resolver404:
                continue
            if match.func is pattern.callback:
                yield path


def answer(client, method, path):
    """The response, with whatever the request changed undone, so that every
    visitor finds the same world."""
    with transaction.atomic():
        response = getattr(client, method)(path)
        transaction.set_rollback(True)
    body = b"" if response.streaming else response.content
    return response, body.decode(errors="replace")


def goes_to_second_factor(response):
    if response.status_code == 302:
        target = urlsplit(response["Location"]).path
        return target in (reverse("mfa_activate_totp"), reverse("mfa_reauthenticate"))
    if response.status_code == 403 and response.get("Content-Type", "").startswith(
        "application/json"
    ):
        return response.json().get("error") == "two_factor_required"
    return False


def differs(got, expected):
    """What ``got`` shows beyond ``expected``, as rows for the failure message."""
    (got, body), (expected, expected_body) = got, expected
    rows = []
    if got.status_code != expected.status_code or got.get("Location") != expected.get(
        "Location"
    ):
        rows.append(
            (
                f"{got.status_code} {got.get('Location', '')}".strip(),
                f"{expected.status_code} {expected.get('Location', '')}".strip(),
            )
        )
    revealed = [
        secret for secret in SECRETS if secret in body and secret not in expected_body
    ]
    if revealed:
        rows.append(("shows", revealed))
    return rows


def walk(clients, entrants, values):
    """What each actor gets beyond what an entrant gets, URL by URL. ``clients``
    maps an actor's name to its client and to the entrant it is compared with."""
    beyond = []
    for path in paths(values):
        methods = ["get"] if path.startswith(GET_ONLY_PREFIXES) else ["get", "post"]
        for method in methods:
            expected = {}
            for name, (client, entrant) in clients.items():
                got = answer(client, method, path)
                if goes_to_second_factor(got[0]):
                    continue
                if entrant not in expected:
                    expected[entrant] = answer(entrants[entrant], method, path)
                beyond.extend(
                    (name, method, path, *row)
                    for row in differs(got, expected[entrant])
                )
    return beyond


def staff_without_an_authenticator():
    return factories.make_staff()


def judge_without_an_authenticator():
    return factories.make_judge()


def superuser_who_did_not_enter_the_code():
    user = factories.make_user(is_staff=True, is_superuser=True)
    factories.activate_totp(user)
    return user


def test_without_two_factor_staff_and_judges_get_no_more_than_an_entrant(settings):
    settings.UPLOAD_API_RATE_PER_MINUTE = 100_000
    values = build_world()

    def client_for(user):
        client = Client()
        client.force_login(user)  # The password only: no second factor.
        return client

    # The actor's own account pages differ by whether they have an authenticator:
    # each actor is compared with an entrant who has one exactly when they do.
    with_authenticator = factories.make_entrant()
    factories.activate_totp(with_authenticator)
    entrants = {
        "entrant": client_for(factories.make_entrant()),
        "entrant with an authenticator": client_for(with_authenticator),
    }
    walking_judge = judge_without_an_authenticator()
    seat_on_panel(walking_judge, values.pop("stage"), values)
    clients = {
        "staff": (client_for(staff_without_an_authenticator()), "entrant"),
        "judge": (client_for(walking_judge), "entrant"),
        "superuser": (
            client_for(superuser_who_did_not_enter_the_code()),
            "entrant with an authenticator",
        ),
    }

    beyond = walk(clients, entrants, values)
    assert beyond == [], "\n".join(repr(row) for row in beyond)


def json_endpoint():
    """A staff JSON endpoint as the project's views declare one."""

    @permission_required("submissions.manage_rounds", json=True)
    def endpoint(request):
        return JsonResponse({"rounds": []})

    return endpoint


@pytest.mark.parametrize(
    ("language", "message"),
    [
        (
            "en",
            "Staff and judges need two-factor sign-in for this. Set up your "
            "authenticator app, or enter its code, then try again.",
        ),
        (
            "zh-hant",
            "職員及評審須先以雙重認證登入，才可進行此操作。請設定驗證器應用程式，"
            "或輸入其代碼，然後再試一次。",
        ),
    ],
)
def test_a_json_endpoint_tells_staff_without_two_factor_to_set_it_up(
    rf, language, message
):
    request = rf.get("/manage/rounds.json")
    request.user = factories.make_staff()

    with translation.override(language):
        response = json_endpoint()(request)

    assert response.status_code == 403
    assert json.loads(response.content) == {
        "error": "two_factor_required",
        "message": message,
        "url": reverse("mfa_activate_totp"),
    }


def test_a_json_endpoint_asks_for_the_code_of_an_authenticator_set_up(rf):
    request = rf.get("/manage/rounds.json")
    request.user = factories.make_judge()
    factories.activate_totp(request.user)

    response = json_endpoint()(request)

    assert response.status_code == 403
    assert json.loads(response.content)["url"] == reverse("mfa_reauthenticate")


def test_a_json_endpoint_answers_staff_who_passed_two_factor(rf):
    request = rf.get("/manage/rounds.json")
    request.user = factories.make_staff()
    factories.activate_totp(request.user)
    request.user.passed_two_factor = True

    response = json_endpoint()(request)

    assert (response.status_code, json.loads(response.content)) == (
        200,
        {"rounds": []},
    )


def test_an_entrant_asking_a_json_endpoint_of_staff_is_refused(rf):
    request = rf.get("/manage/rounds.json")
    request.user = factories.make_entrant()

    with pytest.raises(PermissionDenied):
        json_endpoint()(request)


def test_staff_without_two_factor_are_led_from_the_menu_to_set_it_up(client):
    staff = factories.make_staff()
    client.force_login(staff)

    home = client.get(reverse("home"))
    assert f'href="{reverse("manage:rounds")}"' in home.text
    response = client.get(reverse("manage:rounds"))

    assert response.status_code == 302
    assert response.url == (
        f"{reverse('mfa_activate_totp')}?{urlencode({'next': reverse('manage:rounds')})}"
    )


def test_the_file_of_another_entrant_is_shown_to_staff_only_after_two_factor(client):
    round_ = entry_factories.make_open_round()
    entry = entry_factories.make_complete_entry(
        round_, entrant=factories.make_entrant(), with_file=False
    )
    file = entry_factories.add_file(entry, name=OTHER_ENTRANT["file_name"])
    staff = factories.make_staff()
    url = reverse("upload_status", args=[file.pk])

    client.force_login(staff)
    refused = client.get(url)
    factories.sign_in_with_two_factor(client, staff)
    shown = client.get(url)

    assert (refused.status_code, refused.json()) == (
        404,
        {"error": "not_found", "message": "There is no such entry or file for you."},
    )
    assert (shown.status_code, shown.json()["name"]) == (
        200,
        OTHER_ENTRANT["file_name"],
    )


ROLES = {
    "entrant": factories.make_entrant,
    "caseworker": factories.make_caseworker,
    "judge": factories.make_judge,
    "staff": factories.make_staff,
    "superuser": superuser_who_did_not_enter_the_code,
}
STAFF_PERMISSIONS = [
    "submissions.manage_rounds",
    "accounts.manage_people",
    "common.view_audit_log",
    "submissions.view_round",
    "submissions.view_entry",
    "submissions.add_round",
    "submissions.change_round",
]


@pytest.mark.parametrize("passed", [False, True], ids=["password-only", "two-factor"])
@pytest.mark.parametrize("role", ROLES)
def test_staff_permissions_need_the_second_factor(role, passed):
    round_ = factories.make_round()  # A draft: staff only.
    entry = entry_factories.make_entry(
        entry_factories.make_open_round(), entrant=factories.make_entrant()
    )
    user = ROLES[role]()
    user.passed_two_factor = passed
    objects = {"submissions.view_round": round_, "submissions.view_entry": entry}

    granted = [
        perm for perm in STAFF_PERMISSIONS if user.has_perm(perm, objects.get(perm))
    ]

    is_staff = role in ("staff", "superuser")
    assert granted == (STAFF_PERMISSIONS if is_staff and passed else [])
    assert user.has_module_perms("submissions") is (is_staff and passed)
