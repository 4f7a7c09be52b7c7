"""Builders for test data. They use the real services wherever one exists."""

import datetime
import itertools
import threading

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connections
from django.utils import timezone

from artsprize.accounts.enums import Language, Role
from artsprize.accounts.models import EntrantProfile
from artsprize.accounts.roles import ensure_role_groups, grant_role
from artsprize.common.mail import send_templated_mail
from artsprize.common.models import AuditEvent
from submissions.enums import MediaKind
from submissions.models import Category, Round

PASSWORD = "correct horse battery staple"
# The profile a caseworker registers for an artist without an address.
ARTIST_PROFILE = {
    "legal_name": "Amina Yusuf",
    "credit_name": "Amina",
    "date_of_birth": datetime.date(1994, 3, 2),
    "hong_kong_based": True,
    "phone": "",
}
_numbers = itertools.count(1)


def make_user(*, email=None, language=Language.ENGLISH, verified=True, **extra):
    email = email or f"person{next(_numbers)}@example.org"
    user = get_user_model().objects.create_user(
        email=email, password=PASSWORD, language=language, **extra
    )
    EmailAddress.objects.create(user=user, email=email, verified=verified, primary=True)
    return user


def make_entrant(*, age=30, **kwargs):
    user = make_user(**kwargs)
    add_profile(user, age=age)
    return user


def add_profile(user, *, age, legal_name="Chan Tai Man", credit_name="Tai"):
    """The entrant profile of ``user``: ``age`` years old as of yesterday, living in
    Hong Kong, the current personal data notice accepted."""
    today = timezone.localdate()
    return EntrantProfile.objects.create(
        user=user,
        legal_name=legal_name,
        credit_name=credit_name,
        date_of_birth=today.replace(year=today.year - age) - datetime.timedelta(days=1),
        hong_kong_based=True,
        pics_version=settings.PICS_VERSION,
        pics_accepted_at=timezone.now(),
    )


def make_with_role(role, **kwargs):
    ensure_role_groups()
    user = make_user(**kwargs)
    grant_role(user, role, by=None)
    return get_user_model().objects.get(pk=user.pk)


def make_staff(**kwargs):
    return make_with_role(Role.STAFF, **kwargs)


def make_judge(**kwargs):
    return make_with_role(Role.JUDGE, **kwargs)


def make_caseworker(**kwargs):
    return make_with_role(Role.CASEWORKER, **kwargs)


def activate_totp(user):
    """Give a user a TOTP authenticator; returns its secret, for making codes."""
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def sign_in_with_two_factor(client, user):
    """Sign a test client in as ``user`` as if they had passed the TOTP step."""
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP):
        activate_totp(user)
    client.force_login(user)
    session = client.session
    session["account_authentication_methods"] = [
        {"method": "password", "at": timezone.now().timestamp(), "email": user.email},
        {"method": "mfa", "at": timezone.now().timestamp(), "type": "totp"},
    ]
    session["account_authentication_methods_user"] = str(user.pk)
    session.save()
    return client


def make_round(*, complete=True, **fields):
    """A draft round, complete enough to schedule unless ``complete=False``."""
    now = timezone.now()
    values = {
        "year": now.year,
        "opens_at": now + datetime.timedelta(days=1),
        "closes_at": now + datetime.timedelta(days=30),
    }
    if complete:
        values.update(
            title_en="Colours of Humanity",
            title_zh_hant="人性的色彩",
            theme_en="Shared Future",
            theme_zh_hant="共享未來",
            rules_en="Entry is free.",
            rules_zh_hant="免費參加。",
        )
    values.update(fields)
    round_ = Round.objects.create(**values)
    if complete:
        make_category(round_)
    return round_


def make_category(round_, **fields):
    values = {
        "name_en": "Adult — community",
        "name_zh_hant": "成人組 — 社區",
        "description_en": "For adults without formal training.",
        "description_zh_hant": "沒有受過正規訓練的成年人。",
        "media_kinds": [MediaKind.IMAGE, MediaKind.TEXT],
        "min_age": 18,
        "position": round_.categories.count(),
    }
    values.update(fields)
    return Category.objects.create(round=round_, **values)


def at_once(*calls):
    """Run each call in its own thread and database connection, released together.
    Returns what each returned or raised."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            results[index] = call()
        except Exception as error:
            results[index] = error
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=run, args=(index, call))
        for index, call in enumerate(calls)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def assert_mail_is(message, template_prefix, *, context, language):
    """``message`` is the mail ``template_prefix`` makes of ``context`` in
    ``language``, as the portal renders its mails."""
    expected = send_templated_mail(
        template_prefix, to=message.to, context=context, language=language
    )
    assert (message.subject, message.body) == (expected.subject, expected.body)


def audit_count(obj, **filters):
    """How many audit entries of ``obj`` match ``filters``."""
    return AuditEvent.objects.for_object(obj).filter(**filters).count()
