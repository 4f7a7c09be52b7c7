"""The audit log: append-only in Python and (on PostgreSQL) in the database, and the
staff page that reads it."""

import datetime
import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from artsprize.accounts.enums import Role
from artsprize.common.audit import record_event
from artsprize.common.enums import AuditVerb
from artsprize.common.models import AuditEvent, AuditLogIsAppendOnly
from submissions.enums import FileState, GuardianState, MediaKind, RoundState
from submissions.models import ArtworkFile, Entry
from submissions.services.rounds import extend_deadline, open_round_now
from tests import entry_factories, factories
from tests.services import require

pytestmark = pytest.mark.django_db

AUDIT_URL = "/manage/audit/"


def _round_event(round_, *, by, verb=AuditVerb.UPDATED, **fields):
    return record_event(actor=by, verb=verb, obj=round_, **fields)


# The model refuses changes -------------------------------------------------------


@pytest.fixture
def created_rounds(staff_user):
    """Two rounds, the first created first, as the log records them."""
    first, second = factories.make_round(), factories.make_round()
    _round_event(first, by=staff_user, verb=AuditVerb.CREATED)
    _round_event(second, by=staff_user, verb=AuditVerb.CREATED)
    return first, second


def test_record_event_appends_who_did_what_to_which_object(staff_user):
    round_ = factories.make_round()

    open_round_now(round_, by=staff_user)

    event = AuditEvent.objects.for_object(round_).get(verb=AuditVerb.STATE_CHANGED)
    assert event.actor == staff_user
    assert event.actor_repr == staff_user.email
    assert event.verb == AuditVerb.STATE_CHANGED
    assert event.content_type == ContentType.objects.get_for_model(round_)
    assert event.object_id == str(round_.pk)
    assert event.object_repr == "Colours of Humanity"
    assert (event.from_state, event.to_state) == (RoundState.DRAFT, RoundState.OPEN)


def test_an_event_by_the_system_has_no_actor():
    round_ = factories.make_round()

    event = _round_event(round_, by=None, verb=AuditVerb.SCHEDULED)

    assert event.actor is None
    assert event.actor_repr == ""


def test_an_audit_event_cannot_be_saved_again(staff_user):
    event = _round_event(factories.make_round(), by=staff_user, reason="first")
    event.reason = "rewritten"

    with pytest.raises(AuditLogIsAppendOnly):
        event.save()

    assert AuditEvent.objects.get(pk=event.pk).reason == "first"


def test_an_audit_event_cannot_be_deleted(staff_user):
    event = _round_event(factories.make_round(), by=staff_user)

    with pytest.raises(AuditLogIsAppendOnly):
        event.delete()

    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_audit_events_cannot_be_updated_or_deleted_in_bulk(staff_user):
    event = _round_event(factories.make_round(), by=staff_user, reason="first")

    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.filter(pk=event.pk).update(reason="rewritten")
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.all().delete()

    assert AuditEvent.objects.get(pk=event.pk).reason == "first"


def test_removing_a_user_keeps_their_events_under_their_address():
    # The events of a removed account stay, with the address it had; only the
    # link to the account goes (on PostgreSQL, through the append-only trigger).
    actor = factories.make_staff(email="leaving@example.org")
    event = _round_event(factories.make_round(), by=actor, reason="kept")
    events_before = AuditEvent.objects.count()

    actor.delete()

    assert get_user_model().objects.filter(email="leaving@example.org").count() == 0
    event = AuditEvent.objects.get(pk=event.pk)
    assert event.actor is None
    assert event.actor_repr == "leaving@example.org"
    assert event.reason == "kept"
    assert AuditEvent.objects.count() == events_before


# The database refuses changes (PostgreSQL) ---------------------------------------


def _require_postgresql():
    require(
        connection.vendor == "postgresql",
        "The append-only trigger exists on PostgreSQL only (set DATABASE_URL)",
    )


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE common_auditevent SET reason = 'rewritten' WHERE id = %s",
        "UPDATE common_auditevent SET actor_id = NULL, reason = 'x' WHERE id = %s",
        "DELETE FROM common_auditevent WHERE id = %s",
    ],
)
def test_postgresql_refuses_changes_to_an_event_through_raw_sql(staff_user, statement):
    _require_postgresql()
    event = _round_event(factories.make_round(), by=staff_user, reason="first")

    with (
        pytest.raises(DatabaseError, match="The audit log is append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement, [event.pk])

    event = AuditEvent.objects.get(pk=event.pk)
    assert event.reason == "first"
    assert event.actor == staff_user


def test_postgresql_refuses_giving_an_event_another_actor(staff_user):
    _require_postgresql()
    other = factories.make_staff()
    event = _round_event(factories.make_round(), by=staff_user)

    with (
        pytest.raises(DatabaseError, match="The audit log is append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "UPDATE common_auditevent SET actor_id = %s WHERE id = %s",
            [other.pk, event.pk],
        )

    assert AuditEvent.objects.get(pk=event.pk).actor == staff_user


def test_erasing_a_persons_names_is_the_one_change_let_through(staff_user):
    event = _round_event(factories.make_round(), by=staff_user, reason="first")
    about = record_event(actor=staff_user, verb=AuditVerb.UPDATED, obj=staff_user)

    AuditEvent.objects.filter(pk=event.pk).forget_names(actor=True)
    AuditEvent.objects.filter(pk=about.pk).forget_names(obj=True)

    event = AuditEvent.objects.get(pk=event.pk)
    assert (event.actor, event.actor_repr, event.reason) == (None, "(erased)", "first")
    about = AuditEvent.objects.get(pk=about.pk)
    assert (about.object_repr, about.object_id) == (
        f"#{staff_user.pk}",
        str(staff_user.pk),
    )


def test_postgresql_refuses_to_write_a_name_in_place_of_another(staff_user):
    _require_postgresql()
    event = _round_event(factories.make_round(), by=staff_user)

    for statement in (
        "UPDATE common_auditevent SET actor_repr = 'someone@example.org' WHERE id = %s",
        "UPDATE common_auditevent SET object_repr = 'Another round' WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="The audit log is append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement, [event.pk])


def test_postgresql_has_the_append_only_trigger():
    _require_postgresql()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgname FROM pg_trigger "
            "WHERE tgrelid = 'common_auditevent'::regclass AND NOT tgisinternal"
        )
        assert cursor.fetchall() == [("common_auditevent_append_only",)]


# The staff page -------------------------------------------------------------------


def _rows(response):
    return [(row["event"].verb, row["object_key"]) for row in response.context["rows"]]


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(AUDIT_URL)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={AUDIT_URL}"


@pytest.mark.parametrize(
    "make_user",
    [factories.make_entrant, factories.make_judge, factories.make_caseworker],
    ids=["entrant", "judge", "caseworker"],
)
def test_people_who_are_not_staff_are_refused(mfa_client, make_user):
    client = mfa_client(make_user())

    response = client.get(AUDIT_URL)

    assert response.status_code == 403
    assert response.context["title"] == "Not allowed"
    assert "rows" not in response.context


def test_staff_read_the_log_newest_first(mfa_client, staff_user, created_rounds):
    first, second = created_rounds
    _round_event(first, by=None, verb=AuditVerb.SCHEDULED)
    client = mfa_client(staff_user)

    response = client.get(AUDIT_URL)

    assert response.status_code == 200
    rounds = [row for row in _rows(response) if row[1].startswith("submissions.")]
    assert rounds == [
        (AuditVerb.SCHEDULED, f"submissions.round:{first.pk}"),
        (AuditVerb.CREATED, f"submissions.round:{second.pk}"),
        (AuditVerb.CREATED, f"submissions.round:{first.pk}"),
    ]
    assert "the system" in response.text


def test_the_log_names_staff_but_not_entrants_nor_deleted_accounts(
    mfa_client, staff_user
):
    entrant = factories.make_entrant(email="artist@example.org")
    entry = entry_factories.make_entry(
        entry_factories.make_open_round(), entrant=entrant
    )
    gone = factories.make_entrant(email="gone@example.org")
    record_event(actor=gone, verb=AuditVerb.UPDATED, obj=entry)
    AuditEvent.objects.filter(actor=gone).forget_names(actor=True)
    _round_event(entry.round, by=staff_user)
    client = mfa_client(staff_user)

    response = client.get(AUDIT_URL)

    actors = [row["actor"] for row in response.context["rows"]]
    assert "artist@example.org" not in response.text
    assert "gone@example.org" not in response.text
    assert "an entrant" in actors
    assert "a deleted account" in actors
    assert staff_user.email in actors


def test_the_log_of_one_object(mfa_client, staff_user, created_rounds):
    # The other round's event is left out.
    first, _other = created_rounds
    _round_event(first, by=staff_user, verb=AuditVerb.UPDATED)
    client = mfa_client(staff_user)

    response = client.get(AUDIT_URL, {"object": f"submissions.round:{first.pk}"})

    assert _rows(response) == [
        (AuditVerb.UPDATED, f"submissions.round:{first.pk}"),
        (AuditVerb.CREATED, f"submissions.round:{first.pk}"),
    ]
    assert f"Showing the events of round {first.pk}." in response.text
    # Each row links to the log of its object.
    assert f'href="?object=submissions.round%3A{first.pk}"' in response.text


def test_the_log_filtered_by_what_happened(mfa_client, staff_user):
    round_ = factories.make_round()
    _round_event(round_, by=staff_user, verb=AuditVerb.CREATED)
    _round_event(round_, by=staff_user, verb=AuditVerb.UPDATED)
    client = mfa_client(staff_user)

    response = client.get(
        AUDIT_URL,
        {"object": f"submissions.round:{round_.pk}", "verb": AuditVerb.CREATED},
    )

    assert _rows(response) == [(AuditVerb.CREATED, f"submissions.round:{round_.pk}")]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            "<script>alert(1)</script>",
            "Write the object as type and number, for example submissions.round:3.",
        ),
        (
            "round 3",
            "Write the object as type and number, for example submissions.round:3.",
        ),
        (
            "مرحبا.世界:١",
            "Write the object as type and number, for example submissions.round:3.",
        ),
        ("nosuch.model:1", "There is no type of object called “nosuch.model”."),
        ("x" * 201, "Ensure this value has at most 200 characters (it has 201)."),
    ],
)
def test_a_bad_object_filter_is_explained_and_kept(
    mfa_client, staff_user, value, message
):
    _round_event(factories.make_round(), by=staff_user)
    client = mfa_client(staff_user)

    response = client.get(AUDIT_URL, {"object": value})

    assert response.status_code == 200
    assert response.context["form"].errors == {"object": [message]}
    assert response.context["rows"] == []
    assert response.context["form"]["object"].value() == value
    assert "<script>alert(1)</script>" not in response.text


def test_an_unknown_verb_is_explained(mfa_client, staff_user):
    client = mfa_client(staff_user)

    response = client.get(AUDIT_URL, {"verb": "rewrote"})

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "verb": ["Select a valid choice. rewrote is not one of the available choices."]
    }


def test_the_log_is_paginated_and_pages_keep_the_filter(mfa_client, staff_user):
    round_ = factories.make_round()
    start = timezone.now() - datetime.timedelta(hours=1)
    for minute in range(51):
        AuditEvent.objects.create(
            at=start + datetime.timedelta(minutes=minute),
            actor=staff_user,
            actor_repr=staff_user.email,
            verb=AuditVerb.UPDATED,
            content_type=ContentType.objects.get_for_model(round_),
            object_id=str(round_.pk),
            object_repr=str(round_),
            reason=f"change {minute}",
        )
    client = mfa_client(staff_user)
    target = f"submissions.round:{round_.pk}"

    first = client.get(AUDIT_URL, {"object": target})
    second = client.get(AUDIT_URL, {"object": target, "page": "2"})
    beyond = client.get(AUDIT_URL, {"object": target, "page": "99"})
    nonsense = client.get(AUDIT_URL, {"object": target, "page": "<b>1</b>"})

    reasons = [row["event"].reason for row in first.context["rows"]]
    assert reasons == [f"change {minute}" for minute in range(50, 0, -1)]
    assert [row["event"].reason for row in second.context["rows"]] == ["change 0"]
    assert [row["event"].reason for row in beyond.context["rows"]] == ["change 0"]
    assert len(nonsense.context["rows"]) == 50
    assert (
        f'href="?object=submissions.round%3A{round_.pk}&amp;page=2">Older</a>'
        in first.text
    )
    assert "Page 1 of 2" in first.text


def test_verbs_and_states_are_shown_in_the_readers_language(mfa_client, staff_user):
    round_ = factories.make_round()
    open_round_now(round_, by=staff_user)
    client = mfa_client(staff_user)
    url = f"{AUDIT_URL}?object=submissions.round:{round_.pk}"

    english = client.get(url)
    [row] = [
        row
        for row in english.context["rows"]
        if row["event"].verb == AuditVerb.STATE_CHANGED
    ]
    # The labels are lazy: read them while English is still the active language.
    assert (str(row["from_state"]), str(row["to_state"])) == (
        "Draft",
        "Open for entries",
    )
    assert "changed state" in english.text

    chinese = client.get(url, headers={"accept-language": "zh-hant"})
    with translation.override("zh-hant"):
        expected = [
            str(AuditVerb.STATE_CHANGED.label),
            str(RoundState.DRAFT.label),
            str(RoundState.OPEN.label),
        ]
    assert '<html lang="zh-Hant-HK">' in chinese.text
    for text in expected:
        assert text in chinese.text
    # The codes themselves are not what the reader sees.
    assert ">open<" not in chinese.text


def test_a_role_given_is_shown_by_its_name(mfa_client, staff_user):
    person = factories.make_judge()
    client = mfa_client(staff_user)

    response = client.get(AUDIT_URL, {"object": f"accounts.user:{person.pk}"})

    [row] = response.context["rows"]
    assert row["event"].verb == AuditVerb.ROLE_GRANTED
    assert row["event"].to_state == Role.JUDGE
    # A role is shown by its name, not its code.
    assert str(row["to_state"]) == "Judge"


def _details_in_chinese(client, obj):
    model = type(obj)._meta
    response = client.get(
        AUDIT_URL,
        {"object": f"{model.app_label}.{model.model_name}:{obj.pk}"},
        headers={"accept-language": "zh-hant"},
    )
    assert '<html lang="zh-Hant-HK">' in response.text
    return response, [dict(row["details"]) for row in response.context["rows"]]


def _chinese(text):
    with translation.override("zh-hant"):
        return str(text)


def test_details_name_fields_and_codes_in_the_readers_language(mfa_client, staff_user):
    round_ = entry_factories.make_open_round()
    entrant = factories.make_entrant()
    entry = entry_factories.make_entry(
        round_, entrant=entrant, title_en="Harbour", medium="Ink"
    )
    file = entry_factories.add_file(entry)
    record_event(
        actor=entrant,
        verb=AuditVerb.CREATED,
        obj=file,
        to_state=FileState.AWAITING_UPLOAD,
        data={"entry": entry.pk, "kind": MediaKind.IMAGE, "mode": "multipart"},
    )
    record_event(
        actor=None,
        verb=AuditVerb.UPDATED,
        obj=entry,
        from_state=GuardianState.PENDING,
        to_state=GuardianState.CONFIRMED,
        data={"fields": ["guardian_state"], "guardian": "陳美"},
    )
    client = mfa_client(staff_user)

    entry_page, entry_details = _details_in_chinese(client, entry)
    file_page, file_details = _details_in_chinese(client, file)

    def label(model, name):
        return _chinese(model._meta.get_field(name).verbose_name)

    created, confirmed = reversed(entry_details)
    assert confirmed == {"欄位": label(Entry, "guardian_state"), "家長或監護人": "陳美"}
    assert created == {
        "欄位": "、".join(label(Entry, name) for name in ["medium", "title_en"]),
        label(Entry, "round"): round_.pk,
        label(Entry, "category"): entry.category_id,
    }
    with translation.override("zh-hant"):
        pending = str(GuardianState.PENDING.label)
        confirmed_state = str(GuardianState.CONFIRMED.label)
    assert f"<td>{pending}</td>" in entry_page.text
    assert f"<td>{confirmed_state}</td>" in entry_page.text
    assert '<dt class="d-inline">欄位：</dt>' in entry_page.text
    assert "guardian_state" not in entry_page.text
    assert "title_en" not in entry_page.text

    [file_created] = file_details
    assert file_created == {
        label(ArtworkFile, "entry"): entry.pk,
        label(ArtworkFile, "kind"): _chinese(MediaKind.IMAGE.label),
        "上載方式": "分段上載",
    }
    assert ">multipart<" not in file_page.text


def test_the_log_is_readable_on_a_phone(mfa_client, staff_user):
    _round_event(factories.make_round(), by=staff_user, reason="a reason")
    client = mfa_client(staff_user)

    response = client.get(AUDIT_URL)

    # The table is for wide screens; narrow ones get one block per event.
    assert re.search(r'<div class="d-none d-lg-block">\s*<table', response.text)
    assert '<ol class="list-unstyled d-lg-none">' in response.text
    assert response.text.count("a reason") == 2


def test_the_number_of_queries_does_not_grow_with_the_events(
    mfa_client, staff_user, django_assert_num_queries
):
    round_ = factories.make_round()
    person = factories.make_judge()
    client = mfa_client(staff_user)
    _round_event(round_, by=staff_user)

    with CaptureQueriesContext(connection) as one:
        response = client.get(AUDIT_URL)
    assert response.status_code == 200

    for number in range(25):
        _round_event(round_, by=staff_user, reason=f"change {number}")
        record_event(
            actor=staff_user, verb=AuditVerb.UPDATED, obj=person, reason=str(number)
        )
    assert AuditEvent.objects.count() >= 50
    with django_assert_num_queries(len(one)):
        response = client.get(AUDIT_URL)
    assert len(response.context["rows"]) == 50


def test_details_show_moments_in_hong_kong_time(mfa_client, staff_user):
    round_ = factories.make_round()
    open_round_now(round_, by=staff_user)
    new_deadline = (round_.closes_at + datetime.timedelta(days=3)).astimezone(
        datetime.UTC
    )
    extend_deadline(round_, new_deadline, by=staff_user, reason="Typhoon signal 8")
    client = mfa_client(staff_user)

    response = client.get(
        AUDIT_URL,
        {
            "object": f"submissions.round:{round_.pk}",
            "verb": AuditVerb.DEADLINE_CHANGED,
        },
    )

    [row] = response.context["rows"]
    shown = timezone.localtime(new_deadline).strftime("%Y-%m-%d %H:%M")
    assert dict(row["details"])["After"] == shown
    assert row["event"].data["to"] == new_deadline.isoformat()
    assert (
        f'<dt class="d-inline">After:</dt> <dd class="d-inline">{shown}</dd>'
        in response.text
    )
    assert response.text.count("Typhoon signal 8") == 2
