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
