"""The entry services: eligibility by age, making and changing entries within the
cap, the one transition function, submitting at the deadline, reference codes and
the receipt mail in both languages."""

import datetime
import logging

import pytest
from django.core import mail
from django.db import connection
from django.template.defaultfilters import date as date_filter
from django.template.loader import render_to_string
from django.utils import timezone, translation

from artsprize.accounts.enums import Language
from artsprize.common.enums import AuditVerb
from artsprize.common.models import AuditEvent
from submissions.enums import (
    ConsentMethod,
    EntryState,
    FileState,
    GuardianState,
    MediaKind,
    RoundState,
)
from submissions.errors import EntryError
from submissions.models import Entry, ReferenceCounter, Round
from submissions.selectors import entries_for_entrant, entry_count_toward_cap
from submissions.services.completeness import submission_problems
from submissions.services.eligibility import (
    age_at,
    eligible_categories,
    entrant_age,
    meets_minimum_age,
)
from submissions.services.entries import (
    create_entry,
    set_entry_state,
    set_image_description,
    set_team_members,
    submit_entry,
    update_entry,
    withdraw_entry,
)
from submissions.services.notifications import receipt_context
from tests import factories
from tests.entry_factories import (
    add_file,
    adult_category,
    make_artist_without_email,
    make_complete_entry,
    make_entry,
    make_open_round,
    make_submitted_entry,
    make_youth_category,
)

SECOND = datetime.timedelta(seconds=1)
DAY = datetime.timedelta(days=1)


def trail(entry):
    return [
        (event.actor_id, event.verb, event.from_state, event.to_state, event.data)
        for event in AuditEvent.objects.for_object(entry).order_by("id")
    ]


def refusal(call):
    with pytest.raises(EntryError) as caught:
        call()
    error = caught.value
    return error.code, str(error.message), [str(p) for p in error.problems]


def born(years_before, day):
    """A date of birth giving an age of ``years_before`` on ``day`` (a day past the
    birthday)."""
    return day.replace(year=day.year - years_before) - DAY


# --- Age and eligibility -------------------------------------------------------------


@pytest.mark.parametrize(
    ("birth", "day", "age"),
    [
        (datetime.date(2008, 6, 15), datetime.date(2026, 6, 14), 17),
        (datetime.date(2008, 6, 15), datetime.date(2026, 6, 15), 18),
        (datetime.date(2008, 2, 29), datetime.date(2026, 2, 28), 17),
        (datetime.date(2008, 2, 29), datetime.date(2026, 3, 1), 18),
        (datetime.date(2008, 2, 29), datetime.date(2028, 2, 29), 20),
    ],
)
def test_age_at_counts_whole_years(birth, day, age):
    assert age_at(birth, day) == age


@pytest.mark.django_db
def test_eligible_categories_follow_the_age_at_the_closing_date():
    round_ = make_open_round()
    adult = adult_category(round_)
    youth = make_youth_category(round_)
    closing = timezone.localdate(round_.closes_at)
    adult_entrant = factories.make_entrant(age=30)
    young = factories.make_entrant(age=15)
    # 17 today, 18 on the day the round closes: an adult for this round.
    turning = factories.make_entrant()
    turning.profile.date_of_birth = closing.replace(year=closing.year - 18)
    turning.profile.save()

    assert eligible_categories(round_, entrant=adult_entrant) == [adult]
    assert eligible_categories(round_, entrant=young) == [youth]
    assert entrant_age(round_, entrant=turning) == 18
    assert eligible_categories(round_, entrant=turning) == [adult]


@pytest.mark.django_db
def test_no_category_when_the_round_minimum_age_is_not_met():
    round_ = make_open_round(minimum_age=16)
    make_youth_category(round_)
    fifteen = factories.make_entrant(age=15)
    sixteen = factories.make_entrant(age=16)

    assert meets_minimum_age(round_, entrant=fifteen) is False
    assert eligible_categories(round_, entrant=fifteen) == []
    assert meets_minimum_age(round_, entrant=sixteen) is True
    assert [c.name_en for c in eligible_categories(round_, entrant=sixteen)] == [
        "Youth"
    ]


@pytest.mark.django_db
def test_a_user_without_a_profile_fits_no_category():
    round_ = make_open_round()
    user = factories.make_user()

    assert entrant_age(round_, entrant=user) is None
    assert eligible_categories(round_, entrant=user) == []


# --- Creating -----------------------------------------------------------------------


@pytest.mark.django_db
def test_create_entry_makes_an_audited_draft(entrant_user):
    round_ = make_open_round()

    entry = create_entry(
        round_,
        entrant=entrant_user,
        category=adult_category(round_),
        data={"title_en": "Harbour", "consent_website": True},
        by=entrant_user,
    )

    entry.refresh_from_db()
    assert (entry.state, entry.title_en, entry.consent_website) == (
        EntryState.DRAFT,
        "Harbour",
        True,
    )
    assert (entry.entrant, entry.filed_by, entry.reference) == (
        entrant_user,
        None,
        None,
    )
    assert trail(entry) == [
        (
            entrant_user.pk,
            AuditVerb.CREATED,
            "",
            "",
            {
                "round": round_.pk,
                "category": adult_category(round_).pk,
                "fields": ["consent_website", "title_en"],
            },
        )
    ]


@pytest.mark.django_db
def test_a_caseworker_files_for_an_artist():
    caseworker = factories.make_caseworker()
    artist = make_artist_without_email()
    round_ = make_open_round()

    entry = make_entry(
        round_, entrant=artist, by=caseworker, consent_method=ConsentMethod.IN_PERSON
    )

    assert (entry.entrant, entry.filed_by) == (artist, caseworker)
    assert trail(entry)[0][:2] == (caseworker.pk, AuditVerb.CREATED)


@pytest.mark.django_db
def test_nobody_else_makes_an_entry_for_an_entrant(entrant_user):
    round_ = make_open_round()
    stranger = factories.make_entrant()

    assert refusal(lambda: make_entry(round_, entrant=entrant_user, by=stranger)) == (
        "not_allowed",
        "Only the entrant or a caseworker can make an entry.",
        [],
    )
    assert Entry.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "code", "message"),
    [
        (
            {"state": RoundState.DRAFT},
            "round_not_open",
            "This round is not open for entries yet.",
        ),
        (
            {"state": RoundState.CLOSED},
            "deadline_passed",
            "The deadline of this round has passed: it takes no more entries.",
        ),
        (
            {"state": RoundState.JUDGING},
            "deadline_passed",
            "The deadline of this round has passed: it takes no more entries.",
        ),
    ],
    ids=["draft", "closed", "judging"],
)
def test_create_is_refused_unless_the_round_is_open(
    entrant_user, fields, code, message
):
    round_ = make_open_round(**fields)

    assert refusal(lambda: make_entry(round_, entrant=entrant_user)) == (
        code,
        message,
        [],
    )


@pytest.mark.django_db
def test_create_is_refused_by_the_clock_before_beat_closes_the_round(entrant_user):
    round_ = make_open_round()
    category = adult_category(round_)

    def create(now):
        return create_entry(
            round_,
            entrant=entrant_user,
            category=category,
            data={},
            by=entrant_user,
            now=now,
        )

    assert refusal(lambda: create(round_.closes_at))[0] == "deadline_passed"
    assert create(round_.closes_at - SECOND).state == EntryState.DRAFT


@pytest.mark.django_db
def test_create_is_refused_for_a_category_of_another_round_or_age(entrant_user):
    round_ = make_open_round()
    other = make_open_round()
    youth = make_youth_category(round_)

    assert refusal(
        lambda: make_entry(round_, entrant=entrant_user, category=adult_category(other))
    ) == ("wrong_category", "This category is not part of this round.", [])
    assert refusal(
        lambda: make_entry(round_, entrant=entrant_user, category=youth)
    ) == (
        "not_eligible",
        "The entrant's age at the closing date does not fit the category “Youth”.",
        [],
    )


@pytest.mark.django_db
def test_create_is_refused_below_the_round_minimum_age():
    round_ = make_open_round(minimum_age=16)
    youth = make_youth_category(round_)
    child = factories.make_entrant(age=12)

    assert refusal(lambda: make_entry(round_, entrant=child, category=youth)) == (
        "not_eligible",
        "Entrants must be at least 16 years old at the closing date of this round.",
        [],
    )


@pytest.mark.django_db
def test_bad_input_is_refused_with_every_problem_named(entrant_user):
    round_ = make_open_round()
    category = adult_category(round_)
    category.statement_word_limit = 3
    category.save()

    problems = refusal(
        lambda: make_entry(
            round_,
            entrant=entrant_user,
            title_en="x" * 10_000,
            medium="ink\x00",
            statement="一二三四",
            year_made=99999,
            guardian_email="not an address",
            credit="someone else",
        )
    )

    assert problems == (
        "invalid",
        "Some details of the entry need correcting.",
        [
            "Title (English) is too long: at most 200 characters.",
            "Medium contains a character that cannot be stored.",
            f"The year made must be between 1900 and {timezone.now().year}.",
            "Enter a valid e-mail address for the guardian.",
            "Choose how the work is credited.",
        ],
    )
    assert Entry.objects.count() == 0


@pytest.mark.django_db
def test_script_rtl_and_cjk_text_are_kept_as_typed(entrant_user):
    round_ = make_open_round()
    text = "<script>alert(1)</script> مرحبا 你好 😀"

    entry = make_entry(round_, entrant=entrant_user, title_en=text, statement=text)

    entry.refresh_from_db()
    assert (entry.title_en, entry.statement) == (text, text)


# --- The cap ------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_cap_counts_drafts_and_submitted_entries(entrant_user):
    round_ = make_open_round(entry_cap=2)
    make_entry(round_, entrant=entrant_user)
    make_submitted_entry(round_, entrant=entrant_user)

    assert entry_count_toward_cap(round_, entrant_user) == 2
    assert refusal(lambda: make_entry(round_, entrant=entrant_user)) == (
        "cap_reached",
        "The entrant already has 2 entries in this round, the most allowed. "
        "Withdraw one to make another.",
        [],
    )
    assert Entry.objects.count() == 2


@pytest.mark.django_db
def test_a_withdrawn_entry_frees_a_place(entrant_user):
    round_ = make_open_round(entry_cap=1)
    first = make_entry(round_, entrant=entrant_user)
    withdraw_entry(first, by=entrant_user)

    second = make_entry(round_, entrant=entrant_user)

    assert entry_count_toward_cap(round_, entrant_user) == 1
    assert second.state == EntryState.DRAFT


@pytest.mark.django_db
def test_caseworker_filings_count_for_the_artist():
    caseworker = factories.make_caseworker()
    artist = factories.make_entrant()
    round_ = make_open_round(entry_cap=1)
    make_entry(round_, entrant=artist, by=caseworker)

    assert refusal(lambda: make_entry(round_, entrant=artist))[0] == "cap_reached"
    # Another round has a cap of its own.
    assert make_entry(make_open_round(entry_cap=1), entrant=artist).pk


@pytest.fixture
def postgresql(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("Row locks are tested on PostgreSQL (SQLite locks the whole file)")


def test_two_creates_at_once_at_one_below_the_cap_make_one_entry(postgresql):
    entrant = factories.make_entrant()
    round_ = make_open_round(entry_cap=3)
    make_entry(round_, entrant=entrant)
    make_entry(round_, entrant=entrant)

    results = factories.at_once(
        lambda: make_entry(Round.objects.get(pk=round_.pk), entrant=entrant),
        lambda: make_entry(Round.objects.get(pk=round_.pk), entrant=entrant),
    )

    errors = [result for result in results if isinstance(result, Exception)]
    assert [(type(e), e.code) for e in errors] == [(EntryError, "cap_reached")]
    assert Entry.objects.filter(round=round_, entrant=entrant).count() == 3


def test_two_submits_at_once_submit_once_and_mail_once(postgresql, settings):
    entrant = factories.make_entrant()
    round_ = make_open_round()
    entry = make_complete_entry(round_, entrant=entrant)

    results = factories.at_once(
        lambda: submit_entry(Entry.objects.get(pk=entry.pk), by=entrant),
        lambda: submit_entry(Entry.objects.get(pk=entry.pk), by=entrant),
    )

    assert [result.reference for result in results] == [f"HRAP-{round_.year}-0001"] * 2
    assert [
        e.to_state for e in AuditEvent.objects.for_object(entry).order_by("id")
    ] == [
        "",
        "submitted",
    ]
    assert [message.to for message in mail.outbox] == [[entrant.email]]


# --- Changing -----------------------------------------------------------------------


@pytest.mark.django_db
def test_update_changes_only_the_fields_given(entrant_user):
    round_ = make_open_round()
    entry = make_entry(round_, entrant=entrant_user, title_en="Harbour", medium="Ink")

    update_entry(entry, data={"medium": "Oil", "title_en": "Harbour"}, by=entrant_user)

    entry.refresh_from_db()
    assert (entry.title_en, entry.medium) == ("Harbour", "Oil")
    assert trail(entry)[-1] == (
        entrant_user.pk,
        AuditVerb.UPDATED,
        "",
        "",
        {"fields": ["medium"]},
    )


@pytest.mark.django_db
def test_an_update_that_changes_nothing_writes_nothing(entrant_user):
    round_ = make_open_round()
    entry = make_entry(round_, entrant=entrant_user, title_en="Harbour")

    update_entry(entry, data={"title_en": "Harbour"}, by=entrant_user)

    assert len(trail(entry)) == 1


@pytest.mark.django_db
def test_a_draft_moves_to_another_category_the_entrant_fits(entrant_user):
    round_ = make_open_round()
    other = factories.make_category(round_, name_en="Adult — trained")
    youth = make_youth_category(round_)
    entry = make_entry(round_, entrant=entrant_user)

    update_entry(entry, data={"category": other}, by=entrant_user)

    assert entry.category == other
    assert Entry.objects.get(pk=entry.pk).category == other
    assert refusal(
        lambda: update_entry(entry, data={"category": youth}, by=entrant_user)
    ) == (
        "not_eligible",
        "The entrant's age at the closing date does not fit the category “Youth”.",
        [],
    )


@pytest.mark.django_db
def test_a_draft_keeps_a_statement_over_the_limit_of_its_new_category(entrant_user):
    round_ = make_open_round()
    short = factories.make_category(round_, statement_word_limit=2)
    entry = make_entry(round_, entrant=entrant_user, statement="one two three")

    update_entry(entry, data={"category": short}, by=entrant_user)

    entry.refresh_from_db()
    assert (entry.category, entry.statement) == (short, "one two three")
    assert [p for p in submission_problems(entry) if "statement" in p] == [
        "The artist statement has 3 words; this category allows at most 2."
    ]


@pytest.mark.django_db
def test_the_category_of_a_submitted_entry_stays(entrant_user):
    round_ = make_open_round()
    other = factories.make_category(round_, name_en="Adult — trained")
    entry = make_submitted_entry(round_, entrant=entrant_user)

    assert refusal(
        lambda: update_entry(entry, data={"category": other}, by=entrant_user)
    ) == ("category_locked", "The category of a submitted entry cannot change.", [])


@pytest.mark.django_db
def test_a_submitted_entry_may_change_but_must_stay_complete(entrant_user):
    round_ = make_open_round()
    entry = make_submitted_entry(round_, entrant=entrant_user)

    update_entry(entry, data={"medium": "Oil on canvas"}, by=entrant_user)
    refused = refusal(
        lambda: update_entry(
            entry, data={"title_en": "", "title_zh_hant": ""}, by=entrant_user
        )
    )

    entry.refresh_from_db()
    assert (entry.state, entry.medium, entry.title_en) == (
        EntryState.SUBMITTED,
        "Oil on canvas",
        "Harbour at Dusk",
    )
    assert refused == (
        "invalid",
        "A submitted entry must stay complete.",
        ["Give the work a title in English or Chinese."],
    )


@pytest.mark.django_db
def test_no_change_after_the_deadline_or_once_withdrawn(entrant_user):
    round_ = make_open_round()
    entry = make_entry(round_, entrant=entrant_user)

    assert refusal(
        lambda: update_entry(
            entry, data={"medium": "Oil"}, by=entrant_user, now=round_.closes_at
        )
    ) == (
        "deadline_passed",
        "The deadline has passed: the entry can no longer be changed.",
        [],
    )
    withdraw_entry(entry, by=entrant_user)
    assert refusal(
        lambda: update_entry(entry, data={"medium": "Oil"}, by=entrant_user)
    ) == ("withdrawn", "A withdrawn entry cannot be changed.", [])


@pytest.mark.django_db
def test_only_the_entrant_or_filing_caseworker_changes_an_entry(entrant_user):
    round_ = make_open_round()
    entry = make_entry(round_, entrant=entrant_user)
    caseworker = factories.make_caseworker()
    staff = factories.make_staff()

    for person in (factories.make_entrant(), caseworker, staff):
        assert refusal(
            lambda person=person: update_entry(entry, data={"medium": "x"}, by=person)
        ) == ("not_allowed", "You may not change this entry.", [])
        assert refusal(lambda person=person: submit_entry(entry, by=person))[0] == (
            "not_allowed"
        )
        assert refusal(lambda person=person: withdraw_entry(entry, by=person))[0] == (
            "not_allowed"
        )
    assert Entry.objects.get(pk=entry.pk).state == EntryState.DRAFT


# --- Withdrawing and the transition function ----------------------------------------


@pytest.mark.django_db
def test_withdrawing_a_draft_and_a_submitted_entry(entrant_user):
    round_ = make_open_round()
    draft = make_entry(round_, entrant=entrant_user)
    submitted = make_submitted_entry(round_, entrant=entrant_user)
    now = timezone.now()

    withdraw_entry(draft, by=entrant_user, reason="Not ready", now=now)
    withdraw_entry(submitted, by=entrant_user, now=now)
    withdraw_entry(submitted, by=entrant_user, now=now)

    for entry, old in ((draft, "draft"), (submitted, "submitted")):
        entry.refresh_from_db()
        assert (entry.state, entry.withdrawn_at) == (EntryState.WITHDRAWN, now)
        event = AuditEvent.objects.for_object(entry).order_by("id").last()
        assert (event.actor, event.verb, event.from_state, event.to_state) == (
            entrant_user,
            AuditVerb.STATE_CHANGED,
            old,
            "withdrawn",
        )
    assert (
        AuditEvent.objects.for_object(draft).order_by("id").last().reason == "Not ready"
    )
    # The reference code stays with the withdrawn entry.
    assert submitted.reference == f"HRAP-{round_.year}-0001"
    assert factories.audit_count(submitted, verb=AuditVerb.STATE_CHANGED) == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("old", "new"),
    [
        (EntryState.SUBMITTED, EntryState.DRAFT),
        (EntryState.WITHDRAWN, EntryState.DRAFT),
        (EntryState.WITHDRAWN, EntryState.SUBMITTED),
    ],
    ids=lambda state: state.value,
)
def test_refused_transitions(entrant_user, old, new):
    round_ = make_open_round()
    entry = make_submitted_entry(round_, entrant=entrant_user)
    if old == EntryState.WITHDRAWN:
        withdraw_entry(entry, by=entrant_user)

    assert refusal(lambda: set_entry_state(entry, new, by=entrant_user)) == (
        "not_allowed",
        f"An entry cannot go from “{old.label}” to “{new.label}”.",
        [],
    )
    assert Entry.objects.get(pk=entry.pk).state == old


# --- Submitting ---------------------------------------------------------------------


@pytest.mark.django_db
def test_submit_gives_state_time_reference_audit_and_one_receipt(
    entrant_user, settings, django_capture_on_commit_callbacks
):
    round_ = make_open_round()
    entry = make_complete_entry(round_, entrant=entrant_user)
    now = timezone.now()

    with django_capture_on_commit_callbacks(execute=True):
        submit_entry(entry, by=entrant_user, now=now)
    with django_capture_on_commit_callbacks(execute=True) as second:
        again = submit_entry(entry, by=entrant_user)

    assert again is entry
    assert second == []
    entry.refresh_from_db()
    round_.refresh_from_db()
    assert (entry.state, entry.submitted_at, entry.reference) == (
        EntryState.SUBMITTED,
        now,
        f"HRAP-{round_.year}-0001",
    )
    assert entry.guardian_state == GuardianState.NOT_NEEDED
    assert round_.last_reference_number == 1
    assert trail(entry)[-1] == (
        entrant_user.pk,
        AuditVerb.STATE_CHANGED,
        "draft",
        "submitted",
        {},
    )
    assert len(trail(entry)) == 2
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [entrant_user.email]
    assert message.subject == f"Your entry HRAP-{round_.year}-0001 was received"
    with translation.override("en"):
        at = date_filter(timezone.localtime(now), "DATETIME_FORMAT")
    assert message.body.splitlines() == [
        "Thank you. Your entry “Harbour at Dusk” to Colours of Humanity was submitted.",
        "",
        f"Reference code: HRAP-{round_.year}-0001",
        f"Submitted: {at} (Hong Kong time)",
        "Category: Adult — community",
        "Name shown with the work: Tai",
        "",
        "Files:",
        "- harbour.jpg: Ready",
        "",
        "Please keep the reference code. You can follow your entries here:",
        f"{settings.SITE_URL.rstrip('/')}/entries/",
        "",
        "With best wishes,",
        "Hong Kong Human Rights Arts Prize",
    ]


@pytest.mark.django_db
def test_the_receipt_is_in_chinese_for_a_chinese_entrant(
    django_capture_on_commit_callbacks,
):
    entrant = factories.make_entrant(language=Language.CHINESE)
    round_ = make_open_round()
    entry = make_complete_entry(round_, entrant=entrant)

    with django_capture_on_commit_callbacks(execute=True):
        submit_entry(entry, by=entrant)

    entry.refresh_from_db()
    with translation.override("zh-hant"):
        context = receipt_context(entry)
        subject = render_to_string(
            "submissions/mail/entry_receipt_subject.txt", context
        )
        body = render_to_string("submissions/mail/entry_receipt_message.txt", context)
        at = date_filter(timezone.localtime(entry.submitted_at), "DATETIME_FORMAT")
    [message] = mail.outbox
    assert message.subject == " ".join(subject.split())
    assert message.body == body
    # Rendered in Chinese: the round's and category's Chinese names, the date in
    # the Chinese format, and strings already translated.
    assert "人性的色彩" in message.body
    assert "成人組 — 社區" in message.body
    assert f"{at} （香港時間）" in message.body
    assert "黃昏的海港" in message.body
    assert "\n與作品一併顯示的名稱： Tai\n" in message.body


@pytest.mark.django_db
def test_the_receipt_says_when_uploads_must_finish(
    entrant_user, django_capture_on_commit_callbacks
):
    round_ = make_open_round(upload_grace_minutes=45)
    entry = make_complete_entry(round_, entrant=entrant_user, with_file=False)
    add_file(entry, state=FileState.AWAITING_UPLOAD, name="big.jpg")
    add_file(entry, state=FileState.PROCESSING, name="small.jpg")

    with django_capture_on_commit_callbacks(execute=True):
        submit_entry(entry, by=entrant_user)

    with translation.override("en"):
        end = date_filter(
            timezone.localtime(round_.closes_at + datetime.timedelta(minutes=45)),
            "DATETIME_FORMAT",
        )
    body = mail.outbox[0].body.splitlines()
    assert body[7:13] == [
        "Files:",
        "- big.jpg: Uploading",
        "- small.jpg: Processing",
        "",
        f"Files still uploading must finish by {end} (Hong Kong time); a file that "
        "has not finished by then is dropped.",
        "",
    ]


@pytest.mark.django_db
def test_an_artist_without_email_gets_no_mail_and_it_is_logged(
    caplog, django_capture_on_commit_callbacks
):
    caseworker = factories.make_caseworker()
    artist = make_artist_without_email()
    round_ = make_open_round()
    entry = make_complete_entry(round_, entrant=artist, by=caseworker)
    update_entry(
        entry, data={"consent_method": ConsentMethod.INTERPRETER}, by=caseworker
    )

    with (
        caplog.at_level(logging.INFO, logger="submissions.services.notifications"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        submit_entry(entry, by=caseworker)

    assert Entry.objects.get(pk=entry.pk).state == EntryState.SUBMITTED
    assert mail.outbox == []
    assert [
        r.getMessage()
        for r in caplog.records
        if r.name == "submissions.services.notifications"
    ] == [f"Entry {entry.pk}: the entrant has no e-mail address."]


@pytest.mark.django_db
def test_submit_at_one_second_before_the_deadline_is_accepted(entrant_user):
    round_ = make_open_round()
    entry = make_complete_entry(round_, entrant=entrant_user)

    submit_entry(entry, by=entrant_user, now=round_.closes_at - SECOND)

    entry.refresh_from_db()
    assert (entry.state, entry.submitted_at) == (
        EntryState.SUBMITTED,
        round_.closes_at - SECOND,
    )


@pytest.mark.django_db
@pytest.mark.parametrize("after", [0, 1], ids=["at-the-deadline", "one-second-after"])
def test_submit_after_the_deadline_is_refused_and_the_draft_kept(
    entrant_user, after, django_capture_on_commit_callbacks
):
    round_ = make_open_round()
    entry = make_complete_entry(round_, entrant=entrant_user)
    before = Entry.objects.filter(pk=entry.pk).values().get()

    with django_capture_on_commit_callbacks() as callbacks:
        refused = refusal(
            lambda: submit_entry(
                entry, by=entrant_user, now=round_.closes_at + after * SECOND
            )
        )

    assert refused == (
        "deadline_passed",
        "The deadline has passed, so the entry could not be submitted. Your draft "
        "is kept.",
        [],
    )
    assert Entry.objects.filter(pk=entry.pk).values().get() == before
    assert Round.objects.get(pk=round_.pk).last_reference_number == 0
    assert not ReferenceCounter.objects.filter(year=round_.year, last__gt=0).exists()
    assert callbacks == []


@pytest.mark.django_db
def test_an_empty_draft_lists_every_problem(entrant_user):
    round_ = make_open_round()
    entry = make_entry(round_, entrant=entrant_user)

    assert refusal(lambda: submit_entry(entry, by=entrant_user)) == (
        "incomplete",
        "The entry is not ready to be submitted yet.",
        [
            "Give the work a title in English or Chinese.",
            "Say what the medium of the work is.",
            "Write an artist statement.",
            "Confirm that the work is the artist's own original work.",
            "Accept the terms of the prize.",
            "Add at least one file of the work, or type it in.",
        ],
    )
    assert Entry.objects.get(pk=entry.pk).state == EntryState.DRAFT


@pytest.mark.django_db
def test_a_typed_work_needs_no_file_where_the_category_takes_text(entrant_user):
    round_ = make_open_round()
    entry = make_complete_entry(round_, entrant=entrant_user, with_file=False)
    update_entry(entry, data={"text_work": "A poem\nof two lines"}, by=entrant_user)

    assert submit_entry(entry, by=entrant_user).state == EntryState.SUBMITTED


@pytest.mark.django_db
def test_file_problems(entrant_user):
    round_ = make_open_round()
    category = adult_category(round_)
    category.max_files = 2
    category.media_kinds = [MediaKind.IMAGE]
    category.save()
    entry = make_complete_entry(round_, entrant=entrant_user, with_file=False)
    add_file(entry, state=FileState.REJECTED, name="broken.jpg", alt_text="")
    update_entry(entry, data={"text_work": "typed"}, by=entrant_user)

    assert submission_problems(entry) == ["Add at least one file of the work."]

    add_file(entry, name="one.jpg", alt_text="")
    add_file(entry, name="two.pdf", kind=MediaKind.DOCUMENT)
    add_file(entry, name="three.jpg", state=FileState.AWAITING_UPLOAD)

    assert [str(p) for p in submission_problems(entry)] == [
        "This category does not take files like “two.pdf”: remove it.",
        "This category takes at most 2 files per work; the entry has 3.",
        "Describe the image “one.jpg” for people who cannot see it.",
    ]


@pytest.mark.django_db
def test_team_problems(entrant_user):
    round_ = make_open_round()
    solo = adult_category(round_)
    entry = make_complete_entry(round_, entrant=entrant_user)

    assert refusal(
        lambda: set_team_members(entry, members=[{"name": "Ada"}], by=entrant_user)
    ) == ("no_teams", "This category does not take team entries.", [])

    solo.allows_teams = True
    solo.save()
    set_team_members(
        entry,
        members=[
            {"name": "Ada", "role": "Painter", "agreed": False},
            {"name": "Ming", "agreed": True, "is_minor": True, "guardian_name": "Li"},
            {"name": "Siu", "agreed": True, "is_minor": True, "guardian_agreed": True},
            {
                "name": "Wing",
                "agreed": True,
                "is_minor": True,
                "guardian_name": "Chan",
                "guardian_agreed": True,
            },
        ],
        by=entrant_user,
    )

    assert [str(p) for p in submission_problems(entry)] == [
        "Confirm that Ada agreed to the entry.",
        "Ming is under 18: give their guardian's name and confirm that the guardian "
        "agreed.",
        "Siu is under 18: give their guardian's name and confirm that the guardian "
        "agreed.",
    ]
    assert trail(entry)[-1][:2] == (entrant_user.pk, AuditVerb.UPDATED)
    assert trail(entry)[-1][4] == {"fields": ["team_members"], "team_size": 4}

    solo.allows_teams = False
    solo.save()
    entry.category.refresh_from_db()
    assert str(submission_problems(entry)[0]) == (
        "This category does not take team entries: remove the team members."
    )


@pytest.mark.django_db
def test_a_team_member_needs_a_name(entrant_user):
    round_ = make_open_round()
    category = adult_category(round_)
    category.allows_teams = True
    category.save()
    entry = make_entry(round_, entrant=entrant_user)

    assert refusal(
        lambda: set_team_members(
            entry, members=[{"name": " "}, {"name": "x" * 201}], by=entrant_user
        )
    ) == (
        "invalid",
        "Some details of the entry need correcting.",
        [
            "Give the name of every team member.",
            "A team member's name, role or guardian is too long or has a character "
            "that cannot be stored.",
        ],
    )
    assert entry.team_members.count() == 0


@pytest.mark.django_db
def test_a_caseworker_records_how_the_artist_consented():
    caseworker = factories.make_caseworker()
    artist = make_artist_without_email()
    round_ = make_open_round()
    entry = make_complete_entry(round_, entrant=artist, by=caseworker)

    assert [str(p) for p in submission_problems(entry)] == [
        "Record how the artist gave their consent to the entry."
    ]


@pytest.mark.django_db
def test_an_entrant_who_no_longer_fits_the_category_cannot_submit(entrant_user):
    round_ = make_open_round()
    entry = make_complete_entry(round_, entrant=entrant_user)
    profile = entrant_user.profile
    profile.date_of_birth = timezone.localdate().replace(year=2015)
    profile.save()

    assert [str(p) for p in submission_problems(entry)] == [
        "The entrant's age at the closing date does not fit the category "
        "“Adult — community”.",
        "The entrant is under 18: give the name of a parent or guardian.",
        "The entrant is under 18: give the e-mail address of a parent or guardian, "
        "who will be asked to confirm.",
    ]


@pytest.mark.django_db
def test_reference_numbers_are_never_reused(entrant_user):
    round_ = make_open_round()
    first = make_submitted_entry(round_, entrant=entrant_user)
    withdraw_entry(first, by=entrant_user)
    second = make_submitted_entry(round_, entrant=entrant_user)
    other_round = make_open_round(year=2031)
    third = make_submitted_entry(other_round, entrant=entrant_user)

    assert [first.reference, second.reference, third.reference] == [
        f"HRAP-{round_.year}-0001",
        f"HRAP-{round_.year}-0002",
        "HRAP-2031-0001",
    ]


# --- Selectors ----------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 5])
def test_entries_for_entrant_takes_the_same_queries_for_1_and_many(
    count, entrant_user, django_assert_num_queries
):
    round_ = make_open_round(entry_cap=10)
    for _number in range(count):
        entry = make_entry(round_, entrant=entrant_user)
        add_file(entry)
        add_file(entry, name="second.jpg")
    make_entry(round_, entrant=factories.make_entrant())

    # Entries, their files, the files' thumbnails.
    with django_assert_num_queries(3):
        entries = list(entries_for_entrant(entrant_user))
        shown = [
            (e.round.title, e.category.name, [f.original_name for f in e.files.all()])
            for e in entries
        ]

    assert len(shown) == count
    assert shown[0] == (
        "Colours of Humanity",
        "Adult — community",
        ["harbour.jpg", "second.jpg"],
    )


@pytest.mark.django_db
def test_describing_an_image_clears_its_problem(entrant_user):
    round_ = make_open_round()
    entry = make_complete_entry(round_, entrant=entrant_user, with_file=False)
    image = add_file(entry, name="one.jpg", alt_text="")

    set_image_description(
        image, alt_text="  Two hands holding a lantern.  ", by=entrant_user
    )

    image.refresh_from_db()
    assert image.alt_text == "Two hands holding a lantern."
    assert submission_problems(entry) == []
    assert trail(entry)[-1] == (
        entrant_user.pk,
        AuditVerb.UPDATED,
        "",
        "",
        {"fields": ["alt_text"], "file": image.pk},
    )
    assert refusal(
        lambda: set_image_description(image, alt_text="x" * 2001, by=entrant_user)
    ) == (
        "invalid",
        "The description is too long (at most 2000 characters) or has a character "
        "that cannot be stored.",
        [],
    )
    assert (
        refusal(
            lambda: set_image_description(
                image, alt_text="x", by=factories.make_entrant()
            )
        )[0]
        == "not_allowed"
    )


@pytest.mark.django_db
def test_two_rounds_of_one_year_share_the_numbers_of_their_codes(entrant_user):
    prize = make_open_round()
    youth = make_open_round(title_en="Youth contest")
    other = factories.make_entrant()

    first = make_submitted_entry(prize, entrant=entrant_user)
    second = make_submitted_entry(youth, entrant=other)
    third = make_submitted_entry(prize, entrant=other)

    year = prize.year
    assert [first.reference, second.reference, third.reference] == [
        f"HRAP-{year}-0001",
        f"HRAP-{year}-0002",
        f"HRAP-{year}-0003",
    ]
    prize.refresh_from_db()
    youth.refresh_from_db()
    assert (prize.last_reference_number, youth.last_reference_number) == (2, 1)
