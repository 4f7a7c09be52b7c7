"""Who may enter which category of a round: ages counted at the round's closing
date, the round's minimum age, each category's age band, and the guardian an
entrant under 18 needs. Screening after the deadline asks the same questions."""

from django.core.exceptions import ObjectDoesNotExist
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from submissions.errors import EntryError

ADULT_AGE = 18
WRONG_CATEGORY = _("This category is not part of this round.")


def age_at(date_of_birth, day):
    """Age in whole years on ``day``. Someone born on 29 February turns a year older
    on 1 March in other years."""
    years = day.year - date_of_birth.year
    if (day.month, day.day) < (date_of_birth.month, date_of_birth.day):
        years -= 1
    return years


def closing_day(round_):
    """The date, in Hong Kong, on which the round closes: ages are counted on it."""
    if round_.closes_at is None:
        return timezone.localdate()
    return timezone.localdate(round_.closes_at)


def entrant_age(round_, *, entrant):
    """The entrant's age at the round's closing date; None without a profile."""
    try:
        profile = entrant.profile
    except ObjectDoesNotExist:
        return None
    return age_at(profile.date_of_birth, closing_day(round_))


def meets_minimum_age(round_, *, entrant):
    age = entrant_age(round_, entrant=entrant)
    return age is not None and age >= round_.minimum_age


def category_fits_age(category, age):
    if age is None:
        return False
    if category.min_age is not None and age < category.min_age:
        return False
    return category.max_age is None or age <= category.max_age


def eligible_categories(round_, *, entrant):
    """The round's categories the entrant's age at the closing date fits; none when
    the round's minimum age is not met."""
    if not meets_minimum_age(round_, entrant=entrant):
        return []
    age = entrant_age(round_, entrant=entrant)
    return [
        category
        for category in round_.categories.all()
        if category_fits_age(category, age)
    ]


def needs_guardian(entry):
    """Whether the entrant is under 18 at the round's closing date."""
    age = entrant_age(entry.round, entrant=entry.entrant)
    return age is not None and age < ADULT_AGE


def eligibility_problem(round_, category, entrant):
    age = entrant_age(round_, entrant=entrant)
    if age is None:
        return _("An entrant needs a profile with a date of birth to enter.")
    if age < round_.minimum_age:
        return _(
            "Entrants must be at least %(age)s years old at the closing date of this "
            "round."
        ) % {"age": round_.minimum_age}
    if not category_fits_age(category, age):
        return _(
            "The entrant's age at the closing date does not fit the category "
            "“%(category)s”."
        ) % {"category": category.name}
    return None


def check_eligible(round_, category, entrant):
    if category.round_id != round_.pk:
        raise EntryError(WRONG_CATEGORY, code="wrong_category")
    problem = eligibility_problem(round_, category, entrant)
    if problem:
        raise EntryError(problem, code="not_eligible")
