"""The media pipeline: turning an entrant's original into clean derivatives.

Each kind has its module (``images``, ``video``, ``audio``, ``documents``); each
turns a local file or a presigned URL into a ``results.Processed`` or raises
``results.Rejected``. ``ffmpeg`` and ``commands`` run the command-line tools.
Nothing here touches the database or the domain: ``services.processing`` does.
"""
