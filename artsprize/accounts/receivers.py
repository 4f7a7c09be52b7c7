from allauth.account.internal.flows.login import record_authentication


def record_two_factor_on_activation(sender, request, user, authenticator, **kwargs):
    """Setting up TOTP proves the second factor: count it for this session, so that a
    judge who has just set it up is not asked for a code straight away."""
    if request is not None and authenticator.type == "totp":
        record_authentication(
            request, user, "mfa", id=authenticator.pk, type=authenticator.type
        )
