"""Document operations: check an uploaded PDF, make a clean copy for judges and
images of its first pages.

A PDF carries its author in many places besides the visible pages: the document
information dictionary, XMP packets on the catalog, pages, images and fonts,
application data (/PieceInfo), signed sticky notes, attached files and the EXIF
block of photos embedded as JPEG. The judge copy keeps the pages exactly as they
look and drops all of that, together with scripts and other active content that
a judge's viewer would run. The page images are rendered from the judge copy, so
that judges see the same thing in both.
"""

import binascii
import dataclasses
import re
import zlib
from pathlib import Path

import pikepdf

from submissions.enums import DerivativeKind
from submissions.media import commands, images
from submissions.media.results import DerivativeData, Processed, Rejected

# Judges see images of the first pages; the whole work is in the judge copy.
MAX_PAGES_RENDERED = 3
# The long edge of a page image in pixels. pdftoppm scales each page to it
# whatever its size in points, so a giant page never takes more pixels.
PAGE_EDGE = 2000
THUMB_EDGE = 480
PAGE_SIZES = ((DerivativeKind.PAGE, PAGE_EDGE),)
FIRST_PAGE_SIZES = (
    (DerivativeKind.PAGE, PAGE_EDGE),
    (DerivativeKind.THUMB, THUMB_EDGE),
)
RENDER_TIMEOUT = 120
CONTENT_TYPE = "application/pdf"
JUDGE_COPY_NAME = "judge-copy.pdf"
PAGE_PREFIX = "page"

# Keys removed from every dictionary and stream dictionary in the file: metadata
# (/Metadata, /PieceInfo, /LastModified, /OPI with the author's file paths),
# actions that run without the reader asking (/OpenAction, /AA), script code
# (/JS), attached files (/EF, /AF) and XFA forms, which carry their own scripts.
REMOVED_KEYS = (
    "/Metadata",
    "/PieceInfo",
    "/LastModified",
    "/OPI",
    "/OpenAction",
    "/AA",
    "/JS",
    "/EF",
    "/AF",
    "/XFA",
)
# Catalog entries with no place in a judge's copy: portfolios, article threads
# (their information dictionaries name the author), signature permissions and
# validation data (certificates name the signer), web capture data.
REMOVED_CATALOG_KEYS = (
    "/Collection",
    "/Threads",
    "/Perms",
    "/DSS",
    "/Legal",
    "/SpiderInfo",
    "/NeedsRendering",
)
REMOVED_NAME_TREES = ("/JavaScript", "/EmbeddedFiles")
# Trailer entries kept: the rest (/Info above all) is metadata. /Encrypt stays
# while the file is open, as qpdf needs it to decrypt; the copy is saved without.
KEPT_TRAILER_KEYS = frozenset({"/Root", "/Size", "/Encrypt"})
# Actions a reader runs only when clicked and that stay inside the document or
# open a web address: links keep working. Any other action is removed.
SAFE_ACTIONS = frozenset({"/GoTo", "/URI", "/Named"})
# Annotations that hold files, sound or media players rather than marks on
# the page.
REMOVED_ANNOTATIONS = frozenset(
    {"/FileAttachment", "/Sound", "/Movie", "/Screen", "/RichMedia", "/3D"}
)
# Entries of an annotation that record who made it and when; a widget's /T is
# its form field's name and stays.
ANNOTATION_DATES = ("/M", "/CreationDate")

# JPEG segments kept in embedded photos: JFIF (APP0) and Adobe (APP14), which
# says how to read the colours. The other application segments (EXIF with GPS,
# XMP, ICC, Photoshop/IPTC) and comments are removed; the pixels stay as they are.
JPEG_KEPT_APP_MARKERS = frozenset({0xE0, 0xEE})
# JPEG 2000 boxes kept in embedded photos: the signature, the file type, the
# reader requirements, the headers (size, colours, palette) and the codestream.
# The others (XML with XMP or GML, UUID boxes with EXIF or GeoJP2, IPR, UUID
# info with URLs, labels and associations, fragment tables naming other files)
# are removed; in the codestream, so are the comments of the main header.
JP2_SIGNATURE = b"\x00\x00\x00\x0cjP  \r\n\x87\n"
JP2_KEPT_BOXES = frozenset({b"jP  ", b"ftyp", b"rreq", b"jp2h", b"jpch", b"jplh"})
JP2_CODESTREAM_BOX = b"jp2c"
J2K_START = b"\xff\x4f\xff\x51"
J2K_START_OF_TILE = 0x90
J2K_COMMENT = 0x64
LZW_CLEAR = 256
LZW_END = 257
LZW_FIRST_CODE = 258
LZW_MAX_CODES = 4096
LZW_MAX_WIDTH = 12
RUN_LENGTH_END = 128
# The largest JPEG unwrapped to be cleaned, beyond any camera's photo: a
# wrapped stream that would decode to more is a decompression bomb.
MAX_UNWRAPPED_BYTES = 128 * 1024 * 1024
INFLATE_CHUNK = 1024 * 1024
JPEG_COMMENT = 0xFE
JPEG_START_OF_SCAN = 0xDA
JPEG_STANDALONE_MARKERS = frozenset({0x01, *range(0xD0, 0xD8)})


def make_derivatives(path, workdir):
    """A clean judge copy of the PDF at ``path`` and JPEG images of its first
    pages (the first also as the file's thumbnail), written into ``workdir``.

    Raises Rejected with "encrypted" (needs a password to open), "corrupt" (cannot
    be read or rendered) or "empty" (has no pages), and CopyUnreadable when the
    copy written here does not open again.
    """
    workdir = Path(workdir)
    judge_copy = workdir / JUDGE_COPY_NAME
    removed = set()
    try:
        with pikepdf.open(path) as pdf:
            page_count = len(pdf.pages)
            if page_count == 0:
                raise Rejected("empty")
            if _lost_objects(pdf):
                raise Rejected("corrupt")
            pdf_version = pdf.pdf_version
            _clean(pdf, removed)
            _save(pdf, judge_copy)
    except pikepdf.PasswordError:
        raise Rejected("encrypted") from None
    except pikepdf.PdfError as error:
        raise Rejected("corrupt") from error
    _check_copy(judge_copy, page_count)
    pages = _render_pages(judge_copy, workdir, min(page_count, MAX_PAGES_RENDERED))
    processed = Processed(
        page_count=page_count,
        details={
            "pages_rendered": len(pages),
            "pdf_version": pdf_version,
            "removed": sorted(removed),
        },
    )
    processed.derivatives.append(
        DerivativeData(
            kind=DerivativeKind.DOCUMENT,
            content_type=CONTENT_TYPE,
            extension="pdf",
            path=str(judge_copy),
        )
    )
    processed.derivatives.extend(_page_derivatives(pages))
    return processed


def _lost_objects(pdf):
    """Whether the file was cut short: no whole trailer survived (its /Size is
    missing) and objects it refers to are missing or unreadable (qpdf lists
    them as null), the pages' contents lost with the end. A file that only
    lost its cross-reference table or its trailer's entries is rebuilt whole;
    a damaged one whose trailer survived is taken as readers show it."""
    return "/Size" not in pdf.trailer and any(obj is None for obj in pdf.objects)


class CopyUnreadable(Exception):
    """The judge copy written here does not open again, or not with every page:
    a fault of the writing, never a verdict on the entrant's file (which opened),
    so the file is failed for staff to see and retry, and its original kept."""


def _save(pdf, destination):
    """Write the copy unencrypted, without anything pikepdf would add: no
    producer, no XMP, and an /ID computed from the clean copy itself rather than
    the original's. Streams are copied as they are stored, never decompressed:
    a small stream that inflates to gigabytes must not be inflated here."""
    if "/Size" not in pdf.trailer:
        # A trailer rebuilt from a file without one (no cross-reference table,
        # no /Size) keeps no /Size, and qpdf writes the cross-reference stream
        # without one, which no reader opens. Given any, qpdf writes the right
        # count in its place.
        pdf.trailer.Size = len(pdf.objects) + 1
    pdf.save(
        destination,
        encryption=False,
        stream_decode_level=pikepdf.StreamDecodeLevel.none,
        fix_metadata_version=False,
        preserve_pdfa=False,
        deterministic_id=True,
        object_stream_mode=pikepdf.ObjectStreamMode.generate,
    )


def _check_copy(judge_copy, page_count):
    """The copy must open again with every page the original showed: otherwise
    part of the work was lost in the writing."""
    try:
        with pikepdf.open(judge_copy) as copy:
            copied = len(copy.pages)
    except pikepdf.PdfError as error:
        raise CopyUnreadable(str(error)) from error
    if copied != page_count:
        raise CopyUnreadable(f"{copied} of {page_count} pages in the copy")


def _clean(pdf, removed):
    _clean_trailer(pdf, removed)
    _clean_catalog(pdf, removed)
    for page in pdf.pages:
        _clean_page(page.obj, removed)
    # Every object, reachable or not: a metadata stream or attached file that
    # is still referenced from some corner (a structure tree, an outline) must
    # not survive there.
    for obj in pdf.objects:
        _clean_object(obj, removed)
    _clean_inline_photos(pdf, removed)


def _clean_trailer(pdf, removed):
    for key in list(pdf.trailer.keys()):
        if key not in KEPT_TRAILER_KEYS:
            # The /ID is written anew on saving; everything else is recorded.
            if key != "/ID":
                removed.add(key)
            del pdf.trailer[key]


def _clean_catalog(pdf, removed):
    root = pdf.Root
    for key in REMOVED_CATALOG_KEYS:
        _delete(root, key, removed)
    names = root.get("/Names")
    if isinstance(names, pikepdf.Dictionary):
        for key in REMOVED_NAME_TREES:
            _delete(names, key, removed)


def _clean_page(page, removed):
    # Beads link the page to the article threads removed from the catalog.
    _delete(page, "/B", removed)
    annotations = page.get("/Annots")
    if not isinstance(annotations, pikepdf.Array):
        return
    kept = [annotation for annotation in annotations if _keeps(annotation, removed)]
    if len(kept) != len(annotations):
        page.Annots = pikepdf.Array(kept)


def _keeps(annotation, removed):
    """Whether an annotation stays: not one holding a file or media, nor the
    pop-up of one."""
    if not isinstance(annotation, pikepdf.Dictionary):
        return True
    subtype = annotation.get("/Subtype")
    parent = annotation.get("/Parent")
    if subtype == "/Popup" and isinstance(parent, pikepdf.Dictionary):
        subtype = parent.get("/Subtype")
    if subtype in REMOVED_ANNOTATIONS:
        removed.add(str(subtype))
        return False
    return True


def _clean_object(obj, removed):
    """Clean an indirect object and the direct objects nested in it. Indirect
    objects it refers to are cleaned on their own turn."""
    pending = [obj]
    while pending:
        item = pending.pop()
        if isinstance(item, pikepdf.Array):
            children = list(item)
        elif isinstance(item, pikepdf.Dictionary | pikepdf.Stream):
            _clean_dictionary(item, removed)
            children = [item[key] for key in item]
        else:
            continue
        pending.extend(
            child
            for child in children
            if isinstance(child, pikepdf.Array | pikepdf.Dictionary)
            and not child.is_indirect
        )


def _clean_dictionary(item, removed):
    for key in REMOVED_KEYS:
        _delete(item, key, removed)
    _clean_actions(item, removed)
    if "/Rect" in item and "/Subtype" in item:
        _clean_annotation(item, removed)
    signature = item.get("/V")
    if isinstance(signature, pikepdf.Dictionary) and (
        signature.get("/Type") == "/Sig" or "/ByteRange" in signature
    ):
        _delete(item, "/V", removed)
    if isinstance(item, pikepdf.Stream):
        _clean_photo(item, removed)


def _clean_actions(item, removed):
    """Remove actions other than links, wherever an action can hang."""
    action = item.get("/A")
    if isinstance(action, pikepdf.Dictionary) and not _is_safe_action(action):
        removed.add(str(action.get("/S")))
        del item["/A"]
    following = item.get("/Next")
    if isinstance(following, pikepdf.Dictionary) and not _is_safe_action(following):
        removed.add(str(following.get("/S")))
        del item["/Next"]
    elif isinstance(following, pikepdf.Array):
        kept = [action for action in following if _is_safe_action(action)]
        if len(kept) != len(following):
            removed.add("/Next")
            item.Next = pikepdf.Array(kept)


def _is_safe_action(action):
    return isinstance(action, pikepdf.Dictionary) and (
        "/S" not in action or action.get("/S") in SAFE_ACTIONS
    )


def _clean_annotation(annotation, removed):
    for key in ANNOTATION_DATES:
        if key in annotation:
            del annotation[key]
            removed.add(f"/Annot {key}")
    if annotation.get("/Subtype") != "/Widget" and "/T" in annotation:
        # The title of a note or comment: by convention, who wrote it.
        del annotation["/T"]
        removed.add("/Annot /T")


def _delete(dictionary, key, removed):
    if key in dictionary:
        del dictionary[key]
        removed.add(key)


def _clean_photo(stream, removed):
    """Strip the photo an image stream holds, if it holds one (see
    _cleaned_photo), keeping the filters from the photo's own on."""
    cleaned = _cleaned_photo(_filter_chain(stream), stream.read_raw_bytes, removed)
    if cleaned is None:
        return
    data, chain = cleaned
    names = [pikepdf.Name(name) for name, _ in chain]
    stream.write(
        data,
        filter=names[0] if len(names) == 1 else pikepdf.Array(names),
        decode_parms=_decode_parms([parms for _, parms in chain]),
    )


def _cleaned_photo(chain, read, removed):
    """Drop the metadata segments of a photo embedded as a JPEG (or JPEG 2000),
    keeping its image data byte for byte, whatever filters wrap the JPEG before
    its /DCTDecode (a Flate-compressed or ASCII-encoded JPEG is still a JPEG
    with its EXIF). ``chain`` is the stream's filter chain and ``read`` returns
    its data as stored.

    None when the data is not a photo or has nothing to strip; otherwise the
    stripped photo, unwrapped (the wrapping filters barely compress it anyway),
    and the filters that remain from the photo's own on. One that cannot be
    unwrapped or parsed could not be shown by any reader either, so its data is
    dropped (empty) rather than kept with whatever it carries."""
    position = next(
        (index for index, (name, _) in enumerate(chain) if name in PHOTO_FILTERS),
        None,
    )
    if position is None:
        return None
    strip, label = PHOTO_FILTERS[chain[position][0]]
    photo = _unwrapped(read(), chain[:position])
    stripped = None if photo is None else strip(photo)
    if photo is not None and stripped == photo:
        return None
    removed.add(label)
    return stripped or b"", chain[position:]


def _clean_inline_photos(pdf, removed):
    """Strip the photos drawn as inline images (BI ... ID ... EI) inside the
    content streams of pages, forms, patterns and Type 3 glyphs. A content
    stream holding one is written again, its other operators as they were."""
    for stream in _content_streams(pdf):
        data = _unwrapped(stream.read_raw_bytes(), _filter_chain(stream))
        # Only a stream naming a photo's filter (/DCT, /DCTDecode, /JPXDecode)
        # can draw an inline photo: the others are not parsed.
        if data is None or b"ID" not in data or not re.search(rb"DCT|JPX", data):
            continue
        try:
            instructions = pikepdf.parse_content_stream(stream)
        except pikepdf.PdfError:
            continue
        parts, changed = [], False
        for instruction in instructions:
            if isinstance(instruction, pikepdf.ContentStreamInlineImage):
                image = instruction.iimage
                cleaned = _cleaned_photo(
                    _filter_chain(image.obj), image.read_raw_bytes, removed
                )
                if cleaned is not None:
                    parts.append(_inline_image(image.obj, *cleaned))
                    changed = True
                    continue
            parts.append(pikepdf.unparse_content_stream([instruction]))
        if changed:
            stream.write(b"\n".join(parts))


def _content_streams(pdf):
    """Each stream that something is drawn from, once."""
    seen = set()
    candidates = []
    for page in pdf.pages:
        contents = page.obj.get("/Contents")
        candidates += contents if isinstance(contents, pikepdf.Array) else [contents]
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Stream) and (
            obj.get("/Subtype") == "/Form" or obj.get("/PatternType") == 1
        ):
            candidates.append(obj)
        elif isinstance(obj, pikepdf.Dictionary) and obj.get("/Subtype") == "/Type3":
            procs = obj.get("/CharProcs")
            if isinstance(procs, pikepdf.Dictionary):
                candidates += list(procs.values())
    for stream in candidates:
        if isinstance(stream, pikepdf.Stream) and stream.objgen not in seen:
            seen.add(stream.objgen)
            yield stream


def _inline_image(dictionary, data, chain):
    """The operators of an inline image with ``dictionary``'s entries showing
    ``data``, the photo behind the filters ``chain``: hex-encoded, so that no
    "EI" can appear inside it and end it early."""
    entries = pikepdf.Dictionary(
        {
            key: value
            for key, value in dictionary.items()
            if key not in ("/Filter", "/DecodeParms")
        }
    )
    entries.Filter = pikepdf.Array(
        [pikepdf.Name.ASCIIHexDecode, *(pikepdf.Name(name) for name, _ in chain)]
    )
    parms = _decode_parms([None, *(value for _, value in chain)])
    if parms is not None:
        entries.DecodeParms = parms
    return (
        b"BI "
        + entries.unparse()[2:-2].strip()
        + b" ID\n"
        + binascii.hexlify(data)
        + b">\nEI"
    )


def _decode_parms(parms):
    """The /DecodeParms entry for filters with ``parms`` (None for a filter
    with none), or None when none has any."""
    if all(value is None for value in parms):
        return None
    if len(parms) == 1:
        return parms[0]
    return pikepdf.Array(
        [pikepdf.Dictionary() if value is None else value for value in parms]
    )


def _filter_chain(stream):
    """The stream's filters as (name, decode parameters or None) pairs, in the
    order a reader undoes them."""
    filters = stream.get("/Filter")
    parms = stream.get("/DecodeParms")
    if isinstance(filters, pikepdf.Name):
        filters, parms = [filters], [parms]
    elif not isinstance(filters, pikepdf.Array):
        return []
    if not isinstance(parms, pikepdf.Array):
        parms = [parms] if len(filters) == 1 else []
    parms = [
        value if isinstance(value, pikepdf.Dictionary) else None for value in parms
    ]
    parms += [None] * (len(filters) - len(parms))
    return [(str(name), value) for name, value in zip(filters, parms, strict=False)]


def _unwrapped(data, filters):
    """``data`` decoded by ``filters`` ((name, parameters) pairs), one at a time
    by qpdf; None when one of them is not a filter that wraps photos, fails, or
    would inflate the data beyond MAX_UNWRAPPED_BYTES (a decompression bomb)."""
    for name, parms in filters:
        if name not in WRAPPING_FILTERS or (
            _decoded_size_bound(data, name, parms) > MAX_UNWRAPPED_BYTES
        ):
            return None
        with pikepdf.new() as scratch:
            wrapped = pikepdf.Stream(scratch, data)
            wrapped.Filter = pikepdf.Name(name)
            if parms is not None:
                wrapped.DecodeParms = (
                    scratch.copy_foreign(parms) if parms.is_indirect else parms
                )
            try:
                data = wrapped.read_bytes(
                    decode_level=pikepdf.StreamDecodeLevel.specialized
                )
            except pikepdf.PdfError:
                return None
    return data


def _decoded_size_bound(data, name, parms):
    """At most how many bytes the filter ``name`` decodes ``data`` to, counted
    no further than just past MAX_UNWRAPPED_BYTES: from the data's length when
    even the filter's greatest growth stays below, else by decoding it without
    keeping the output."""
    growth, count = WRAPPING_FILTERS[name]
    if growth is not None and len(data) * growth <= MAX_UNWRAPPED_BYTES:
        return len(data) * growth
    return count(data, parms)


def _inflated_size(data, parms):
    inflater = zlib.decompressobj()
    size, pending = 0, data
    try:
        while not inflater.eof and size <= MAX_UNWRAPPED_BYTES:
            size += len(inflater.decompress(pending, INFLATE_CHUNK))
            pending = inflater.unconsumed_tail
            if not pending and not inflater.eof:
                # All input taken: what is left is what zlib still holds.
                size += len(inflater.flush())
                break
    except zlib.error:
        # qpdf stops where the data breaks, as this count does.
        pass
    return size


def _lzw_size(data, parms):
    """The length LZW ``data`` decodes to, from the length of each code's
    string alone (a code's string is its predecessor's and one byte more)."""
    early = 1 if parms is None else int(parms.get("/EarlyChange", 1))
    lengths = [1] * 258
    size, bits, held, width, previous = 0, 0, 0, 9, None
    for byte in data:
        bits, held = bits << 8 | byte, held + 8
        while held >= width:
            held -= width
            code = bits >> held
            bits &= (1 << held) - 1
            if code == LZW_CLEAR:
                del lengths[LZW_FIRST_CODE:]
                width, previous = 9, None
                continue
            if code == LZW_END:
                return size
            if code < len(lengths):
                length = lengths[code]
            elif code == len(lengths) and previous is not None:
                length = lengths[previous] + 1
            else:
                return size
            if previous is not None and len(lengths) < LZW_MAX_CODES:
                lengths.append(lengths[previous] + 1)
            size += length
            previous = code
            if size > MAX_UNWRAPPED_BYTES:
                return size
            if len(lengths) + early >= 1 << width and width < LZW_MAX_WIDTH:
                width += 1
    return size


def _run_length_size(data, parms):
    size, position = 0, 0
    while position < len(data) and size <= MAX_UNWRAPPED_BYTES:
        length = data[position]
        if length == RUN_LENGTH_END:
            break
        if length < RUN_LENGTH_END:
            # A literal run of length + 1 bytes.
            size += length + 1
            position += length + 2
        else:
            # One byte repeated 257 - length times.
            size += 257 - length
            position += 2
    return size


def _ascii85_size(data, parms):
    # Five characters give four bytes, and a "z" four zero bytes.
    zeros = data.count(b"z")
    return (len(data) - zeros) * 4 // 5 + 4 * zeros + 4


def _hex_size(data, parms):
    return len(data) // 2 + 1


# Filters a JPEG may be wrapped in before its /DCTDecode: by name, the most
# times larger each makes what it decodes (None for Flate: without limit) and
# how its decoded length is counted when that factor is not enough.
WRAPPING_FILTERS = {
    "/FlateDecode": (None, _inflated_size),
    "/Fl": (None, _inflated_size),
    "/LZWDecode": (4096, _lzw_size),
    "/LZW": (4096, _lzw_size),
    "/RunLengthDecode": (128, _run_length_size),
    "/RL": (128, _run_length_size),
    "/ASCII85Decode": (None, _ascii85_size),
    "/A85": (None, _ascii85_size),
    "/ASCIIHexDecode": (None, _hex_size),
    "/AHx": (None, _hex_size),
}


def _stripped_jpeg(data):
    """The JPEG ``data`` without application segments other than JFIF and
    Adobe, and without comments; None when its markers cannot be followed."""
    if not data.startswith(b"\xff\xd8"):
        return None
    out = bytearray(data[:2])
    position = 2
    while position + 1 < len(data):
        if data[position] != 0xFF:
            return None
        marker = data[position + 1]
        if marker == 0xFF:
            # Fill bytes before a marker.
            position += 1
            continue
        if marker == JPEG_START_OF_SCAN:
            out += data[position:]
            return bytes(out)
        if marker in JPEG_STANDALONE_MARKERS:
            out += data[position : position + 2]
            position += 2
            continue
        length = int.from_bytes(data[position + 2 : position + 4], "big")
        end = position + 2 + length
        if length < 2 or end > len(data):
            return None
        is_metadata = marker == JPEG_COMMENT or (
            0xE0 <= marker <= 0xEF and marker not in JPEG_KEPT_APP_MARKERS
        )
        if not is_metadata:
            out += data[position:end]
        position = end
    return None


def _stripped_jpx(data):
    """The JPEG 2000 ``data`` (a JP2 or JPX file, or a bare codestream) with
    only the boxes of JP2_KEPT_BOXES and the codestream without its comments;
    None when its boxes or markers cannot be followed."""
    if data.startswith(J2K_START):
        return _stripped_codestream(data)
    if not data.startswith(JP2_SIGNATURE):
        return None
    out = bytearray()
    position = 0
    while position < len(data):
        length = int.from_bytes(data[position : position + 4], "big")
        kind = data[position + 4 : position + 8]
        header = 8
        if length == 1:
            # The length follows in eight bytes.
            length = int.from_bytes(data[position + 8 : position + 16], "big")
            header = 16
        elif length == 0:
            # The last box runs to the end of the file.
            length = len(data) - position
        end = position + length
        if length < header or end > len(data):
            return None
        if kind == JP2_CODESTREAM_BOX:
            codestream = _stripped_codestream(data[position + header : end])
            if codestream is None:
                return None
            out += (8 + len(codestream)).to_bytes(4, "big") + kind + codestream
        elif kind in JP2_KEPT_BOXES:
            out += data[position:end]
        position = end
    return bytes(out)


def _stripped_codestream(data):
    """The JPEG 2000 codestream ``data`` without the comment segments of its
    main header; None when its markers cannot be followed."""
    if not data.startswith(J2K_START):
        return None
    out = bytearray(data[:2])
    position = 2
    while position + 4 <= len(data):
        if data[position] != 0xFF:
            return None
        marker = data[position + 1]
        if marker == J2K_START_OF_TILE:
            out += data[position:]
            return bytes(out)
        length = int.from_bytes(data[position + 2 : position + 4], "big")
        end = position + 2 + length
        if length < 2 or end > len(data):
            return None
        if marker != J2K_COMMENT:
            out += data[position:end]
        position = end
    return None


# The filters that decode a photo into pixels, how its metadata is stripped
# and what the removal is recorded as.
PHOTO_FILTERS = {
    "/DCTDecode": (_stripped_jpeg, "JPEG metadata"),
    "/DCT": (_stripped_jpeg, "JPEG metadata"),
    "/JPXDecode": (_stripped_jpx, "JPEG 2000 metadata"),
}


def _render_pages(pdf_path, workdir, count):
    """PNG images of pages 1 to ``count``, long edge PAGE_EDGE, as (page number,
    path) in page order."""
    prefix = workdir / PAGE_PREFIX
    result = commands.run(
        [
            "pdftoppm",
            "-png",
            "-cropbox",
            "-f",
            "1",
            "-l",
            str(count),
            "-scale-to",
            str(PAGE_EDGE),
            str(pdf_path),
            str(prefix),
        ],
        timeout=RENDER_TIMEOUT,
    )
    if result.returncode != 0:
        raise Rejected("corrupt")
    # pdftoppm pads the page number to the width of the page count: page-1.png
    # or page-01.png.
    pages = sorted(
        (int(png.stem.rsplit("-", 1)[1]), png)
        for png in workdir.glob(f"{PAGE_PREFIX}-*.png")
    )
    if [number for number, _ in pages] != list(range(1, count + 1)):
        raise Rejected("corrupt")
    return pages


def _page_derivatives(pages):
    """Clean JPEGs of the page images; page 1 also gives the file's one
    thumbnail (index 0), shrunk from the same decoded image."""
    derivatives = []
    for number, png in pages:
        sizes = FIRST_PAGE_SIZES if number == 1 else PAGE_SIZES
        for derivative in images.make_derivatives(png, sizes, index=number).derivatives:
            if derivative.kind == DerivativeKind.THUMB:
                derivative = dataclasses.replace(derivative, index=0)
            derivatives.append(derivative)
    return derivatives
