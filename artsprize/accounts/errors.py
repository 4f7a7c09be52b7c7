from artsprize.common.errors import DomainError


class AccountError(DomainError):
    """A change to an account is not allowed."""
