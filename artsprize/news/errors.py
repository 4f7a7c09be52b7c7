"""The refusals of the news services. They carry what the person is told and a
code, never an HTTP status: views decide how to answer."""

from artsprize.common.errors import DomainError


class NewsError(DomainError):
    """A news post cannot do what was asked."""


class CoverError(NewsError):
    """The image given as a post's cover was refused; ``code`` says why
    ("empty", "too_large", "not_an_image", "corrupt", "too_many_pixels",
    "missing")."""
