"""What processing an original produces, whatever its kind.

Each media module (images, video, audio, documents) turns a local file or a
presigned URL into a ``Processed``: the clean copies to store and what was
learnt about the work. A file that cannot be accepted raises ``Rejected`` with a
reason code the entrant reads a message for (see services.processing).
"""

from dataclasses import dataclass, field


class Rejected(Exception):
    """The file is not a work of its kind that can be accepted; ``code`` says why."""

    def __init__(self, code, **data):
        super().__init__(code)
        self.code = code
        self.data = data


class SourceUnavailable(Exception):
    """The original could not be read from storage (a network or HTTP error while
    a tool read it by URL): the portal's fault, to be retried, never a verdict on the file."""


@dataclass(frozen=True)
class DerivativeData:
    """One derivative: held in memory (``data``) when small, else in a file at
    ``path`` that the caller's working folder owns."""

    kind: str
    content_type: str
    extension: str
    data: bytes = b""
    path: str = ""
    width: int | None = None
    height: int | None = None
    # Several derivatives of one kind (the pages of a document) are numbered.
    index: int = 0


@dataclass
class Processed:
    derivatives: list = field(default_factory=list)
    width: int | None = None
    height: int | None = None
    duration: float | None = None
    page_count: int | None = None
    # Of an image: its perceptual hash, alike for the same picture resized or
    # re-encoded (16 hexadecimal digits).
    perceptual_hash: str = ""
    # Facts for staff (codecs, whether a video was remuxed or transcoded...).
    details: dict = field(default_factory=dict)
