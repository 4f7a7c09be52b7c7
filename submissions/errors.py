"""The refusals of the submissions services. They carry what the person is told
and a code, never an HTTP status: views decide how to answer."""


class RoundError(Exception):
    """A round cannot do what was asked. The message is for the person who asked."""

    def __init__(self, message, *, problems=()):
        super().__init__(str(message))
        self.message = message
        self.problems = list(problems)


class EntryError(Exception):
    """An entry cannot do what was asked. The message is for the person who asked;
    ``code`` names the refusal for code that reacts to it (a view, a JSON answer)."""

    def __init__(self, message, *, code, problems=()):
        super().__init__(str(message))
        self.message = message
        self.code = code
        self.problems = list(problems)


class FileStateError(Exception):
    """An artwork file cannot make the move asked of it: a fault in the code that
    asked, never the entrant's, so the message is for the log."""

    def __init__(self, old, new):
        super().__init__(f"An artwork file cannot go from {old} to {new}.")
        self.old = old
        self.new = new


class UploadError(Exception):
    """An upload step was refused. ``message`` is for the person uploading;
    ``code`` names the refusal, for the client (and for the view, which answers
    with the HTTP status that suits it)."""

    def __init__(self, code, message):
        super().__init__(str(message))
        self.code = code
        self.message = message
