"""Messages of django-allauth that the portal translates itself.

allauth's own Traditional Chinese catalogue leaves some of its messages in
English or words them for Taiwan; the portal's catalogue comes first
(``LOCALE_PATHS``), and listing the messages here keeps them in it when the
catalogue is regenerated (``make messages``). Nothing calls this module.
"""

from django.utils.translation import gettext_noop

UPSTREAM_MESSAGES = (
    gettext_noop("Successfully signed in as %(name)s."),
    gettext_noop("Bad Token"),
    gettext_noop("The password reset token was invalid."),
    gettext_noop(
        "You are about to deactivate authenticator app based authentication. Are "
        "you sure?"
    ),
    gettext_noop("Email Removed"),
    gettext_noop("Confirmation email sent to %(email)s."),
    gettext_noop("You cannot remove your primary email address (%(email)s)."),
    gettext_noop("Your email has been changed from %(from_email)s to %(to_email)s."),
    gettext_noop(
        "You're receiving this email because user %(user_display)s has given your "
        "email address to register an account on %(site_domain)s."
    ),
    gettext_noop(
        "You are receiving this email because you, or someone else, tried to access "
        "an account with email %(email)s. However, we do not have any record of such "
        "an account in our database."
    ),
)
