class AccountError(Exception):
    """A change to an account is not allowed. The message is for the person who
    asked, already translated (lazily)."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message
