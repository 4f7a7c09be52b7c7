"""The refusals of the submissions services. They carry what the person is told
and a code, never an HTTP status: views decide how to answer."""

from artsprize.common.errors import DomainError


class RoundError(DomainError):
    """A round cannot do what was asked."""


class EntryError(DomainError):
    """An entry cannot do what was asked."""


class ScreeningError(DomainError):
    """A screening decision or its release cannot be made; a decision another
    member of staff made meanwhile comes as ``current`` (the entry as it is)."""

    def __init__(self, message, *, code="", problems=(), current=None):
        super().__init__(message, code=code, problems=problems)
        self.current = current


class UploadError(DomainError):
    """An upload step was refused; ``code`` is also what the browser's client
    reacts to."""

    def __init__(self, code, message):
        super().__init__(message, code=code)


class FileStateError(Exception):
    """An artwork file cannot make the move asked of it: a fault in the code that
    asked, never the entrant's, so the message is for the log."""

    def __init__(self, old, new):
        super().__init__(f"An artwork file cannot go from {old} to {new}.")
        self.old = old
        self.new = new


class OriginalError(DomainError):
    """An original file cannot be opened: ``code`` says whether the person may
    not, or the file has no original to open."""


class ExportError(DomainError):
    """An export of a round was refused; ``code`` names the refusal."""


class PrivacyError(DomainError):
    """A copy of a person's data or the deletion of their account was refused."""
