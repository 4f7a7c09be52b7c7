from functools import partial

from django.utils.functional import SimpleLazyObject

from artsprize.accounts.two_factor import has_totp, session_passed_two_factor


def _marked(request, user):
    if user.is_authenticated:
        # After a reset (a lost phone) the session's old code no longer counts:
        # the person sets up a new authenticator first.
        user.passed_two_factor = session_passed_two_factor(request, user) and (
            has_totp(user)
        )
    return user


class TwoFactorMiddleware:
    """Marks ``request.user.passed_two_factor``: whether this session signed in,
    or re-authenticated, with a second factor.

    Nothing is refused here. The permissions that give staff, judges and admins
    more than an entrant has require the mark (``artsprize.accounts.rules``,
    ``User.has_perm``), so every view that checks a permission is guarded, whatever
    its URL; the permission decorator and the admin send those who lack it to set
    up or enter their second factor.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.user = SimpleLazyObject(partial(_marked, request, request.user))
        return self.get_response(request)
