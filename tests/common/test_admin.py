"""The Django admin is for staff: they look up every record of the portal there and
correct the texts no page governs otherwise, through the same services as the staff
pages (audited). States, the audit log and privileges stay out of its reach."""

import pytest
from django.contrib.admin.sites import site
from django.urls import reverse

from artsprize.accounts.enums import Role
from artsprize.common.enums import AuditVerb
from artsprize.common.models import AuditEvent
from submissions.enums import EntryState, FileState, RoundState
from submissions.models import ArtworkFile, Category, Entry
from tests import entry_factories, factories

pytestmark = pytest.mark.django_db

# What the admin shows staff, by admin URL name.
STAFF_MODELS = [
    ("accounts", "entrantprofile"),
    ("accounts", "user"),
    ("common", "auditevent"),
    ("submissions", "artworkfile"),
    ("submissions", "category"),
    ("submissions", "derivative"),
    ("submissions", "entry"),
    ("submissions", "round"),
]


@pytest.fixture
def world():
    round_ = entry_factories.make_open_round()
    entrant = factories.make_entrant()
    entry = entry_factories.make_submitted_entry(round_, entrant=entrant)
    return {"round": round_, "entry": entry, "entrant": entrant}


@pytest.fixture
def staff_admin(mfa_client, staff_user):
    return mfa_client(staff_user)


def admin_url(app, model, view, *args):
    return reverse(f"admin:{app}_{model}_{view}", args=args)


def test_staff_see_the_portals_records_in_the_admin(staff_admin, world):
    response = staff_admin.get(reverse("admin:index"))

    assert response.status_code == 200
    shown = sorted(
        (app["app_label"], model["object_name"].lower())
        for app in response.context["app_list"]
        for model in app["models"]
    )
    assert shown == STAFF_MODELS
    for app, model in STAFF_MODELS:
        assert staff_admin.get(admin_url(app, model, "changelist")).status_code == 200


def test_every_record_of_the_portal_opens_for_staff(staff_admin, world):
    entry = world["entry"]
    file = entry.files.get()
    records = {
        ("accounts", "user"): world["entrant"].pk,
        ("accounts", "entrantprofile"): world["entrant"].profile.pk,
        ("common", "auditevent"): AuditEvent.objects.for_object(entry).first().pk,
        ("submissions", "artworkfile"): file.pk,
        ("submissions", "category"): entry.category.pk,
        ("submissions", "entry"): entry.pk,
        ("submissions", "round"): world["round"].pk,
    }
    for (app, model), pk in records.items():
        response = staff_admin.get(admin_url(app, model, "change", pk))
        assert response.status_code == 200, (app, model)


def editable_fields(response):
    form = response.context["adminform"].form
    return sorted(form.fields)


@pytest.mark.parametrize(
    ("record", "editable", "changes", "ignored", "kept"),
    [
        pytest.param(
            lambda world: world["round"],
            [
                "rules_en",
                "rules_zh_hant",
                "theme_en",
                "theme_zh_hant",
                "title_en",
                "title_zh_hant",
            ],
            {"title_en": "Colours of Humanity 2026"},
            {
                "state": RoundState.PUBLISHED,
                "closes_at_0": "2000-01-01",
                "closes_at_1": "00:00",
            },
            ["state", "closes_at"],
            id="round-texts",
        ),
        pytest.param(
            lambda world: world["entry"].category,
            ["description_en", "description_zh_hant", "name_en", "name_zh_hant"],
            {"name_en": "Adult community"},
            {"max_files": 99},
            ["max_files"],
            id="category-wording",
        ),
        pytest.param(
            lambda world: world["entrant"].profile,
            ["credit_name", "date_of_birth", "hong_kong_based", "legal_name", "phone"],
            {"legal_name": "Chan Tai-man"},
            {},
            [],
            id="entrant-profile",
        ),
    ],
)
def test_staff_correct_texts_through_the_audited_service(
    staff_admin, staff_user, world, record, editable, changes, ignored, kept
):
    """Only the texts are offered; what is sent besides them is left alone."""
    obj = record(world)
    url = admin_url(obj._meta.app_label, obj._meta.model_name, "change", obj.pk)
    kept = {name: getattr(obj, name) for name in kept}

    assert editable_fields(staff_admin.get(url)) == editable
    unchanged = {name: getattr(obj, name) for name in editable}
    response = staff_admin.post(url, {**unchanged, **changes, **ignored})

    assert response.status_code == 302
    saved = type(obj).objects.get(pk=obj.pk)
    assert {name: getattr(saved, name) for name in [*changes, *kept]} == {
        **changes,
        **kept,
    }
    audited = {"fields": sorted(changes)}
    if isinstance(obj, Category):
        # A category's audit entries name its round too.
        audited["round"] = obj.round_id
    event = AuditEvent.objects.for_object(saved).latest("pk")
    assert (event.actor, event.verb, event.data) == (
        staff_user,
        AuditVerb.UPDATED,
        audited,
    )


@pytest.mark.parametrize(
    ("model", "record"),
    [
        ("entry", lambda world: world["entry"]),
        ("artworkfile", lambda world: world["entry"].files.get()),
    ],
)
def test_entries_and_files_are_shown_but_their_state_is_not_editable(
    staff_admin, world, model, record
):
    obj = record(world)
    url = admin_url("submissions", model, "change", obj.pk)

    page = staff_admin.get(url)
    assert page.status_code == 200
    assert editable_fields(page) == []
    assert 'name="state"' not in page.text
    assert staff_admin.post(url, {"state": "withdrawn"}).status_code == 403
    assert Entry.objects.get(pk=world["entry"].pk).state == EntryState.SUBMITTED
    assert ArtworkFile.objects.get(entry=world["entry"]).state == FileState.READY


def test_the_audit_log_is_read_only_in_the_admin(staff_admin, world):
    event = AuditEvent.objects.for_object(world["entry"]).first()
    change = admin_url("common", "auditevent", "change", event.pk)

    page = staff_admin.get(change)
    assert page.status_code == 200
    assert editable_fields(page) == []
    assert staff_admin.post(change, {"reason": "tidied"}).status_code == 403
    delete = admin_url("common", "auditevent", "delete", event.pk)
    assert staff_admin.post(delete, {"post": "yes"}).status_code == 403
    assert staff_admin.get(admin_url("common", "auditevent", "add")).status_code == 403
    assert AuditEvent.objects.get(pk=event.pk).reason == event.reason


@pytest.mark.parametrize(("app", "model"), STAFF_MODELS)
def test_nothing_is_added_or_deleted_through_the_admin(staff_admin, world, app, model):
    modeladmin = next(
        admin
        for registered, admin in site._registry.items()
        if (registered._meta.app_label, registered._meta.model_name) == (app, model)
    )
    request = staff_admin.get(reverse("admin:index")).wsgi_request

    assert modeladmin.has_add_permission(request) is False
    assert modeladmin.has_delete_permission(request) is False
    assert staff_admin.get(admin_url(app, model, "add")).status_code == 403


def test_staff_cannot_give_themselves_privileges_in_the_admin(staff_admin, staff_user):
    url = admin_url("accounts", "user", "change", staff_user.pk)

    assert editable_fields(staff_admin.get(url)) == []
    assert staff_admin.post(url, {"is_superuser": "on"}).status_code == 403
    staff_user.refresh_from_db()
    assert staff_user.is_superuser is False
    assert staff_user.has_role(Role.STAFF)
    # Roles and two-factor resets go through the audited People page.
    for name in ("auth_group_changelist", "mfa_authenticator_changelist"):
        assert staff_admin.get(reverse(f"admin:{name}")).status_code == 403
