"""The staff's awards page of a round: who may reach it, what it lists, the
forms that keep what was typed when refused, citations shown escaped, deciding
the round, and its fixed number of queries."""

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from artsprize.accounts.enums import Language
from artsprize.common.models import AuditEvent
from judging.enums import AwardKind, StageState
from judging.models import Award, AwardType
from judging.services.awards import create_award_type, give_award
from submissions.enums import RoundState
from tests import factories
from tests.judging.awards_fixtures import make_decidable_round

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


@pytest.fixture
def staff(db):
    return factories.make_staff()


@pytest.fixture
def staff_client(mfa_client, staff):
    return mfa_client(staff)


def shown_messages(response):
    return [str(message) for message in response.context["messages"]]


def add_special(round_, staff, **values):
    data = {
        "kind": AwardKind.SPECIAL,
        "name_en": "Justice Centre Choice",
        "name_zh_hant": "公義中心之選",
        "category": None,
        "prize_en": "",
        "prize_zh_hant": "",
        "places": 1,
        **values,
    }
    return create_award_type(round_, data=data, by=staff)


def type_post(**values):
    return {
        "kind": AwardKind.SPECIAL,
        "name_en": "InkluVision",
        "name_zh_hant": "共融視野",
        "category": "",
        "prize_en": "HK$10,000 and an exhibition",
        "prize_zh_hant": "",
        "places": "1",
        **values,
    }


# Who may -----------------------------------------------------------------------

# name, method, what the URL names
AWARD_URLS = [
    ("round_awards", "get", "round"),
    ("award_type_create", "get", "round"),
    ("award_type_create", "post", "round"),
    ("round_decide", "post", "round"),
    ("award_type_edit", "get", "award_type"),
    ("award_type_edit", "post", "award_type"),
    ("award_type_delete", "post", "award_type"),
    ("award_type_move", "post", "award_type"),
    ("award_give", "post", "award_type"),
    ("award_citation", "get", "award"),
    ("award_citation", "post", "award"),
    ("award_take_back", "post", "award"),
]


@pytest.mark.parametrize("role", ["anonymous", "entrant", "judge"])
@pytest.mark.parametrize(
    ("name", "method", "names"),
    AWARD_URLS,
    ids=[f"{row[0]}-{row[1]}" for row in AWARD_URLS],
)
def test_only_staff_reach_the_awards_pages(
    client, mfa_client, staff, role, name, method, names
):
    round_, _stage, adult, _youth = make_decidable_round(entries=2)
    award_type = add_special(round_, staff, places=2)
    award, _created = give_award(award_type, adult[0].pk, by=staff)
    target = reverse(
        f"manage:{name}",
        args=[{"round": round_, "award_type": award_type, "award": award}[names].pk],
    )
    if role == "entrant":
        client.force_login(factories.make_entrant())
    elif role == "judge":
        mfa_client(factories.make_judge())
    events_before = AuditEvent.objects.count()

    data = type_post(**{f"give-{award_type.pk}-entry": adult[1].pk})
    response = getattr(client, method)(target, *([data] if method == "post" else []))

    if role == "anonymous":
        assert (response.status_code, response.url) == (
            302,
            f"{reverse('account_login')}?next={target}",
        )
    else:
        assert response.status_code == 403
    round_.refresh_from_db()
    assert round_.state == RoundState.JUDGING
    assert list(Award.objects.values_list("entry_id", flat=True)) == [adult[0].pk]
    assert AwardType.objects.get().name_en == "Justice Centre Choice"
    assert AuditEvent.objects.count() == events_before


def test_staff_without_a_second_factor_are_sent_to_it(client, staff):
    round_, *_rest = make_decidable_round(entries=1)
    client.force_login(staff)

    response = client.get(reverse("manage:round_awards", args=[round_.pk]))

    assert response.status_code == 302
    assert response.url.startswith(reverse("mfa_activate_totp"))


def test_staff_reach_every_awards_page(staff_client, staff):
    round_, _stage, adult, _youth = make_decidable_round(entries=2)
    award_type = add_special(round_, staff)
    award, _created = give_award(award_type, adult[0].pk, by=staff)

    for name, pk in (
        ("round_awards", round_.pk),
        ("award_type_create", round_.pk),
        ("award_type_edit", award_type.pk),
        ("award_citation", award.pk),
    ):
        assert staff_client.get(reverse(f"manage:{name}", args=[pk])).status_code == 200


def test_the_stages_page_and_the_round_page_link_to_the_awards(staff_client):
    round_, *_rest = make_decidable_round(entries=1)
    target = reverse("manage:round_awards", args=[round_.pk])

    stages = staff_client.get(reverse("manage:round_stages", args=[round_.pk]))
    detail = staff_client.get(reverse("manage:round_detail", args=[round_.pk]))

    assert f'href="{target}" id="awards-link"' in stages.text
    assert f'href="{target}" id="round-awards-link"' in detail.text


# The page ------------------------------------------------------------------------


def test_the_page_lists_awards_with_citations_and_what_is_missing(staff_client, staff):
    round_, _stage, adult, youth = make_decidable_round(entries=2)
    award_type = add_special(round_, staff, name_zh_hant="")
    give_award(award_type, adult[0].pk, by=staff, citation_en="A brave work.")

    response = staff_client.get(reverse("manage:round_awards", args=[round_.pk]))

    page = response.text
    assert response.status_code == 200
    assert adult[0].reference in page and "Work 1" in page
    assert "A brave work." in page
    ((row, _form),) = response.context["types"]
    assert row.missing == [
        "“Justice Centre Choice” needs a name in both languages.",
        "“Justice Centre Choice”: 1 award needs a citation in both languages.",
    ]
    assert "“Justice Centre Choice” needs a name in both languages." in page
    # Each category's final stage, ranked, for staff to choose from.
    rankings = response.context["rankings"]
    assert [r.category.pk for r in rankings] == [
        adult[0].category_id,
        youth[0].category_id,
    ]
    assert [(c.row.entry_id, c.row.rank) for c in rankings[1].candidates] == [
        (youth[0].pk, 1),
        (youth[1].pk, 2),
    ]


def test_html_in_a_citation_is_shown_as_typed(staff_client, staff):
    round_, _stage, adult, _youth = make_decidable_round(entries=1)
    award_type = add_special(round_, staff)
    give_award(
        award_type,
        adult[0].pk,
        by=staff,
        citation_en='<script>alert("x")</script><b>bold</b>',
    )

    page = staff_client.get(reverse("manage:round_awards", args=[round_.pk])).text

    assert "<script>alert" not in page
    assert (
        "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;b&gt;bold&lt;/b&gt;"
        in page
    )


def test_a_new_award_type_is_added_from_its_form(staff_client):
    round_, *_rest = make_decidable_round(entries=1)

    response = staff_client.post(
        reverse("manage:award_type_create", args=[round_.pk]), type_post()
    )

    assert response.url == reverse("manage:round_awards", args=[round_.pk])
    award_type = AwardType.objects.get()
    assert (award_type.name_en, award_type.prize_en) == (
        "InkluVision",
        "HK$10,000 and an exhibition",
    )


def test_a_wrong_award_type_form_keeps_what_was_typed(staff_client):
    round_, *_rest = make_decidable_round(entries=1)

    response = staff_client.post(
        reverse("manage:award_type_create", args=[round_.pk]),
        type_post(kind=AwardKind.CATEGORY_WINNER, name_en="Winner, adults"),
    )

    assert response.status_code == 400
    assert response.context["form"].errors == {
        "category": ["A category winner or runner-up needs its category."]
    }
    assert 'value="Winner, adults"' in response.text
    assert not AwardType.objects.exists()


def test_a_decided_round_refuses_a_new_award_type_and_keeps_it_typed(staff_client):
    round_, *_rest = make_decidable_round(entries=1)
    type(round_).objects.filter(pk=round_.pk).update(state=RoundState.DECIDED)

    response = staff_client.post(
        reverse("manage:award_type_create", args=[round_.pk]), type_post()
    )

    assert response.status_code == 409
    assert shown_messages(response) == [
        "The round is decided: its awards no longer change."
    ]
    assert 'value="InkluVision"' in response.text


def test_an_award_is_given_from_the_ranking_with_its_citations(staff_client, staff):
    round_, _stage, adult, _youth = make_decidable_round(entries=2)
    award_type = add_special(round_, staff)
    prefix = f"give-{award_type.pk}"

    response = staff_client.post(
        reverse("manage:award_give", args=[award_type.pk]),
        {
            f"{prefix}-entry": adult[1].pk,
            f"{prefix}-citation_en": "Quiet and fierce.",
            f"{prefix}-citation_zh_hant": "安靜而有力。",
        },
    )

    assert response.url == reverse("manage:round_awards", args=[round_.pk])
    award = Award.objects.get()
    assert (award.entry_id, award.citation_en, award.citation_zh_hant) == (
        adult[1].pk,
        "Quiet and fierce.",
        "安靜而有力。",
    )


def test_giving_without_an_entry_keeps_the_citation_typed(staff_client, staff):
    round_, *_rest = make_decidable_round(entries=1)
    award_type = add_special(round_, staff)
    prefix = f"give-{award_type.pk}"

    response = staff_client.post(
        reverse("manage:award_give", args=[award_type.pk]),
        {f"{prefix}-entry": "", f"{prefix}-citation_en": "Kept as typed."},
    )

    assert response.status_code == 400
    assert "Choose the entry that receives the award." in response.text
    assert "Kept as typed.</textarea>" in response.text


def test_giving_an_award_already_full_is_refused_and_keeps_the_citation(
    staff_client, staff
):
    round_, _stage, adult, _youth = make_decidable_round(entries=2)
    award_type = add_special(round_, staff)
    give_award(award_type, adult[0].pk, by=staff)
    # The form of a page loaded before the first award was given.
    prefix = f"give-{award_type.pk}"

    response = staff_client.post(
        reverse("manage:award_give", args=[award_type.pk]),
        {f"{prefix}-entry": adult[1].pk, f"{prefix}-citation_en": "Second thoughts."},
    )

    assert response.status_code == 409
    assert shown_messages(response) == [
        "“Justice Centre Choice” is already given to 1 entries, as many as it goes "
        "to. Take one back first, or let it go to more."
    ]
    assert "Second thoughts.</textarea>" in response.text
    assert Award.objects.count() == 1


def test_a_citation_is_edited_and_an_award_taken_back_twice(staff_client, staff):
    round_, _stage, adult, _youth = make_decidable_round(entries=1)
    award_type = add_special(round_, staff)
    award, _created = give_award(award_type, adult[0].pk, by=staff)
    awards = reverse("manage:round_awards", args=[round_.pk])

    edited = staff_client.post(
        reverse("manage:award_citation", args=[award.pk]),
        {"citation_en": "Bright.", "citation_zh_hant": "明亮。"},
    )
    first = staff_client.post(
        reverse("manage:award_take_back", args=[award.pk]), {"round": round_.pk}
    )
    second = staff_client.post(
        reverse("manage:award_take_back", args=[award.pk]),
        {"round": round_.pk},
        follow=True,
    )

    assert (edited.url, first.url) == (awards, awards)
    assert shown_messages(second)[-1] == "The award was already taken back."
    assert not Award.objects.exists()


def test_a_citation_with_a_control_character_is_refused_and_kept(staff_client, staff):
    round_, _stage, adult, _youth = make_decidable_round(entries=1)
    award_type = add_special(round_, staff)
    award, _created = give_award(award_type, adult[0].pk, by=staff)

    response = staff_client.post(
        reverse("manage:award_citation", args=[award.pk]),
        {"citation_en": "Bright\x07.", "citation_zh_hant": "明亮。"},
    )

    assert response.status_code == 400
    assert "明亮。</textarea>" in response.text
    award.refresh_from_db()
    assert award.citation_zh_hant == ""


# Deciding ----------------------------------------------------------------------


def test_deciding_too_early_shows_every_problem(staff_client, staff):
    round_, *_rest = make_decidable_round(entries=1, state=StageState.CLOSED)
    add_special(round_, staff)

    response = staff_client.post(reverse("manage:round_decide", args=[round_.pk]))

    assert response.status_code == 409
    (message,) = shown_messages(response)
    assert message.startswith("The round cannot be decided yet.")
    assert "<li>Stage “First round” is not finalised (Closed).</li>" in message
    assert "<li>“Justice Centre Choice” is given to no entry yet.</li>" in message
    round_.refresh_from_db()
    assert round_.state == RoundState.JUDGING


def test_a_complete_round_is_decided_from_the_page(staff_client, staff):
    round_, _stage, adult, _youth = make_decidable_round(entries=1)
    award_type = add_special(round_, staff)
    give_award(
        award_type,
        adult[0].pk,
        by=staff,
        citation_en="Bold.",
        citation_zh_hant="大膽。",
    )
    page = staff_client.get(reverse("manage:round_awards", args=[round_.pk]))
    assert 'id="decide" data-confirm=' in page.text

    response = staff_client.post(
        reverse("manage:round_decide", args=[round_.pk]), follow=True
    )

    round_.refresh_from_db()
    assert round_.state == RoundState.DECIDED
    assert shown_messages(response)[0].startswith("The round is decided")
    assert 'id="decide"' not in response.text
    assert 'id="round-decided"' in response.text


# Queries -------------------------------------------------------------------------


def page_queries(client, staff, entries):
    round_, _stage, adult, youth = make_decidable_round(entries=entries)
    mentions = add_special(
        round_, staff, kind=AwardKind.HONOURABLE_MENTION, places=entries
    )
    youth_award = add_special(
        round_, staff, name_en="Youth Award", category=youth[0].category
    )
    for work in adult:
        give_award(mentions, work.pk, by=staff, citation_en="Good.")
    give_award(youth_award, youth[0].pk, by=staff)
    url = reverse("manage:round_awards", args=[round_.pk])
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    assert response.text.count("data-award=") == entries + 1
    return len(queries)


def test_the_page_costs_the_same_queries_for_1_and_20_entries(staff_client, staff):
    assert page_queries(staff_client, staff, 1) == page_queries(staff_client, staff, 20)


def test_the_problems_are_listed_in_the_staff_language(client, mfa_client):
    round_, *_rest = make_decidable_round(entries=1)
    mfa_client(factories.make_staff(language=Language.CHINESE))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hant"

    response = client.post(reverse("manage:round_decide", args=[round_.pk]))

    assert response.status_code == 409
    (message,) = shown_messages(response)
    assert (
        message
        == '本屆暫時未能決定結果。<ul class="mb-0 mt-2"><li>本屆尚未有獎項。</li></ul>'
    )
