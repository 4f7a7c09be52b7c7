"""Revealing who made an entry: staff with two-factor only, with a reason, and
always in the audit log."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import translation

from artsprize.common.enums import AuditVerb
from artsprize.common.models import AuditEvent
from submissions.enums import ConsentMethod, GuardianState
from submissions.services.entries import submit_entry
from submissions.services.identity import (
    REASON_MAX_LENGTH,
    EntrantIdentity,
    GuardianIdentity,
    IdentityError,
    IdentityReveal,
    TeamMemberIdentity,
    identity_reveals,
    reveal_identity,
)
from tests import factories
from tests.blind_fixtures import IDENTITY, make_identified_entry
from tests.entry_factories import (
    COMPLETE,
    add_file,
    make_artist_without_email,
    make_entry,
    make_open_round,
    make_submitted_entry,
)

pytestmark = pytest.mark.django_db

REASON = "A judge declared a possible conflict of interest."


def with_two_factor(user):
    # What TwoFactorMiddleware sets on request.user once the session passed it.
    user.passed_two_factor = True
    return user


@pytest.fixture
def identified(client):
    return make_identified_entry(client)


@pytest.fixture
def staff():
    return with_two_factor(factories.make_staff(email="organiser@example.org"))


def reveal_events(entry):
    return list(
        AuditEvent.objects.for_object(entry)
        .filter(verb=AuditVerb.IDENTITY_REVEALED)
        .values_list("actor_id", "actor_repr", "object_repr", "reason")
    )


def test_staff_see_who_made_the_entry_and_the_reveal_is_audited(identified, staff):
    identity = reveal_identity(identified, by=staff, reason=f"  {REASON}\n")

    assert identity == EntrantIdentity(
        entry_id=identified.pk,
        reference=identified.reference,
        legal_name=IDENTITY["legal_name"],
        credit_name=IDENTITY["credit_name"],
        email=IDENTITY["email"],
        phone=IDENTITY["phone"],
        date_of_birth=identified.entrant.profile.date_of_birth,
        filer_email=IDENTITY["filer_email"],
        team_members=(
            TeamMemberIdentity(
                name=IDENTITY["team_member"],
                role="Calligraphy",
                is_minor=True,
                guardian_name=IDENTITY["team_guardian"],
            ),
        ),
        guardian=GuardianIdentity(
            name=IDENTITY["guardian_name"],
            email=IDENTITY["guardian_email"],
            state=GuardianState.PENDING,
            confirmed_at=None,
        ),
    )
    # The audit log names the entry by its reference code, not by its entrant.
    assert reveal_events(identified) == [
        (staff.pk, "organiser@example.org", identified.reference, REASON)
    ]


def test_an_entrant_entering_alone_has_no_filer_team_or_guardian(staff):
    entrant = factories.make_entrant(email="alone@example.org")
    entry = make_submitted_entry(make_open_round(), entrant=entrant)

    identity = reveal_identity(entry, by=staff, reason=REASON)

    assert identity == EntrantIdentity(
        entry_id=entry.pk,
        reference=entry.reference,
        legal_name="Chan Tai Man",
        credit_name="Tai",
        email="alone@example.org",
        phone="",
        date_of_birth=entrant.profile.date_of_birth,
        filer_email="",
        team_members=(),
        guardian=None,
    )


def test_an_artist_without_an_address_is_reached_through_their_caseworker(staff):
    artist = make_artist_without_email()
    caseworker = factories.make_caseworker(email="caseworker.chow@example.org")
    entry = make_entry(
        make_open_round(),
        entrant=artist,
        by=caseworker,
        consent_method=ConsentMethod.INTERPRETER,
        **COMPLETE,
    )
    add_file(entry)
    submit_entry(entry, by=caseworker)

    identity = reveal_identity(entry, by=staff, reason=REASON)

    assert (identity.legal_name, identity.email, identity.filer_email) == (
        "Maria Santos",
        "",
        "caseworker.chow@example.org",
    )


def test_the_audit_event_is_written_before_the_identity_is_read(
    identified, staff, django_assert_num_queries
):
    # In one transaction, one query writes the event (the content type and the
    # staff member's permissions are cached by then), then the entry with its
    # people and the team are read.
    reveal_identity(identified, by=staff, reason=REASON)

    with django_assert_num_queries(5) as queries:
        reveal_identity(identified, by=staff, reason=REASON)

    statements = [query["sql"] for query in queries.captured_queries]
    assert statements[0].startswith("SAVEPOINT")
    assert statements[1].startswith('INSERT INTO "common_auditevent"')
    assert "submissions_entry" in statements[2]
    assert "submissions_teammember" in statements[3]
    assert statements[4].startswith("RELEASE SAVEPOINT")


@pytest.mark.parametrize(
    "who",
    [
        "staff without two-factor",
        "judge",
        "the entrant",
        "the caseworker who filed it",
        "superuser without two-factor",
        "admin-site user",
        "anonymous",
        "nobody",
    ],
)
def test_nobody_but_staff_with_two_factor_may_reveal(identified, who):
    by = {
        "staff without two-factor": lambda: factories.make_staff(),
        "judge": lambda: with_two_factor(factories.make_judge()),
        "the entrant": lambda: identified.entrant,
        "the caseworker who filed it": lambda: with_two_factor(identified.filed_by),
        "superuser without two-factor": lambda: factories.make_user(
            is_superuser=True, is_staff=True
        ),
        "admin-site user": lambda: with_two_factor(factories.make_user(is_staff=True)),
        "anonymous": AnonymousUser,
        "nobody": lambda: None,
    }[who]()

    with pytest.raises(IdentityError) as refused:
        reveal_identity(identified, by=by, reason=REASON)

    assert refused.value.code == "not_allowed"
    assert str(refused.value) == (
        "Only staff who signed in with two-factor authentication may reveal who "
        "made an entry."
    )
    assert reveal_events(identified) == []


def test_a_superuser_with_two_factor_is_staff():
    entry = make_submitted_entry(make_open_round(), entrant=factories.make_entrant())
    admin = with_two_factor(factories.make_user(is_superuser=True, is_staff=True))

    assert reveal_identity(entry, by=admin, reason=REASON).legal_name == "Chan Tai Man"


def test_an_inactive_staff_member_may_not_reveal(identified, staff):
    staff.is_active = False
    staff.save(update_fields=["is_active"])

    with pytest.raises(IdentityError) as refused:
        reveal_identity(identified, by=staff, reason=REASON)

    assert refused.value.code == "not_allowed"


@pytest.mark.parametrize("reason", ["", "   \n\t", None])
def test_a_reveal_needs_a_reason(identified, staff, reason):
    with pytest.raises(IdentityError) as refused:
        reveal_identity(identified, by=staff, reason=reason)

    assert refused.value.code == "no_reason"
    assert str(refused.value) == "Give the reason for revealing who made this entry."
    assert reveal_events(identified) == []


def test_a_reason_has_a_length_limit(identified, staff):
    with pytest.raises(IdentityError) as refused:
        reveal_identity(identified, by=staff, reason="x" * (REASON_MAX_LENGTH + 1))

    assert refused.value.code == "reason_too_long"
    assert str(refused.value) == "Give the reason in at most 2000 characters."
    assert reveal_events(identified) == []
    reveal_identity(identified, by=staff, reason="x" * REASON_MAX_LENGTH)
    assert len(reveal_events(identified)) == 1


def test_refusals_are_told_in_the_reader_s_language(identified, staff):
    with translation.override("zh-hant"):
        with pytest.raises(IdentityError) as no_reason:
            reveal_identity(identified, by=staff, reason="")
        with pytest.raises(IdentityError) as not_staff:
            reveal_identity(identified, by=factories.make_judge(), reason=REASON)

    assert str(no_reason.value) == "請說明揭示此參賽作品作者身份的原因。"
    with translation.override("zh-hant"):
        assert str(not_staff.value.message) == (
            "只有以雙重認證登入的職員才可揭示參賽作品作者的身份。"
        )
        assert str(AuditVerb.IDENTITY_REVEALED.label) == "已揭示參賽作品作者的身份"


def test_the_reveals_of_an_entry_are_listed_newest_first(identified, staff):
    other_round = make_open_round(year=identified.round.year - 1)
    other = make_submitted_entry(other_round, entrant=factories.make_entrant())
    second_staff = with_two_factor(factories.make_staff(email="chair@example.org"))
    reveal_identity(identified, by=staff, reason="Conflict of interest declared.")
    reveal_identity(other, by=staff, reason="Another entry.")
    reveal_identity(identified, by=second_staff, reason="The award is announced.")
    events = AuditEvent.objects.for_object(identified).filter(
        verb=AuditVerb.IDENTITY_REVEALED
    )
    moments = sorted(events.values_list("at", flat=True))

    assert identity_reveals(identified) == (
        IdentityReveal(
            at=moments[1], by="chair@example.org", reason="The award is announced."
        ),
        IdentityReveal(
            at=moments[0],
            by="organiser@example.org",
            reason="Conflict of interest declared.",
        ),
    )


def test_an_entry_never_revealed_has_no_reveals(identified):
    assert identity_reveals(identified) == ()
