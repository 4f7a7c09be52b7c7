class RoundError(Exception):
    """A round cannot do what was asked. The message is for the person who asked."""

    def __init__(self, message, *, problems=()):
        super().__init__(str(message))
        self.message = message
        self.problems = list(problems)
