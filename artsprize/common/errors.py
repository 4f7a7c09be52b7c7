class DomainError(Exception):
    """A service refused what was asked. ``message`` is for the person who asked,
    translated (lazily) into their language; ``code`` names the refusal for the
    code that reacts to it (a view picks its answer by it); ``problems`` lists
    what to correct. A domain error never carries an HTTP status."""

    def __init__(self, message, *, code="", problems=()):
        super().__init__(str(message))
        self.message = message
        self.code = code
        self.problems = list(problems)
