"""Generated PDFs for the document processing tests, built with pikepdf so that
each one carries exactly the metadata or trap it names."""

import base64
import binascii
import io
import re
import zlib

import pikepdf
from PIL import Image

from tests.once import once

AUTHOR = "Amira Haddad-Testwriter"
CREATOR_TOOL = "SecretWriter 9.1 on Refugee-Laptop"
PRODUCER = "LeakyProducer 3.3"
TITLE = "Poems from the crossing"
GPS_MARKER = b"GPSMARKER-Aleppo"
EMAIL = "amira.haddad@example.org"
# Where the photo was taken, in the EXIF GPS block: Aleppo.
GPS_LATITUDE = (36.0, 12.0, 7.0)
GPS_LONGITUDE = (37.0, 9.0, 36.0)
PHOTO_COLOUR = (40, 160, 220)
PHOTO_SIZE = (160, 120)
OWNER_PASSWORD = "owner-secret"
USER_PASSWORD = "user-secret"

# A colour per page, so that a test can tell page 1's image from page 2's.
PAGE_COLOURS = ((0.9, 0.1, 0.1), (0.1, 0.2, 0.9), (0.1, 0.7, 0.2), (0.5, 0.5, 0.5))

XMP = f"""<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:pdf="http://ns.adobe.com/pdf/1.3/">
   <dc:creator><rdf:Seq><rdf:li>{AUTHOR}</rdf:li></rdf:Seq></dc:creator>
   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">{TITLE}</rdf:li></rdf:Alt></dc:title>
   <xmp:CreatorTool>{CREATOR_TOOL}</xmp:CreatorTool>
   <xmp:CreateDate>2024-03-01T10:00:00+02:00</xmp:CreateDate>
   <pdf:Producer>{PRODUCER}</pdf:Producer>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>""".encode()


def _page_content(number, width, height):
    """A filled block whose colour and place differ per page, and a line of
    text, so that the rendered pages differ visibly."""
    red, green, blue = PAGE_COLOURS[(number - 1) % len(PAGE_COLOURS)]
    # The block moves down the page as the page number grows.
    top = height * (0.9 - 0.1 * ((number - 1) % 5))
    return (
        f"{red} {green} {blue} rg "
        f"{width * 0.1} {top - height * 0.3} {width * 0.8} {height * 0.3} re f "
        f"0 0 0 rg BT /F1 {max(12, width / 30)} Tf "
        f"{width * 0.1} {height * 0.1} Td (Page {number}) Tj ET"
    ).encode()


def _add_pages(pdf, count, size=(595, 842)):
    width, height = size
    font = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Font,
            Subtype=pikepdf.Name.Type1,
            BaseFont=pikepdf.Name.Helvetica,
        )
    )
    for number in range(1, count + 1):
        page = pikepdf.Dictionary(
            Type=pikepdf.Name.Page,
            MediaBox=[0, 0, width, height],
            Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font)),
            Contents=pdf.make_stream(_page_content(number, width, height)),
        )
        pdf.pages.append(pikepdf.Page(page))


def _save(pdf, **options):
    buffer = io.BytesIO()
    pdf.save(buffer, **options)
    return buffer.getvalue()


@once
def plain_pdf(pages=3, size=(595, 842)):
    pdf = pikepdf.new()
    _add_pages(pdf, pages, size)
    return _save(pdf)


@once
def exif_jpeg():
    """A small JPEG carrying EXIF (with a recognisable marker where a GPS
    position would be) and a comment, as phone scanning apps embed them."""
    image = Image.new("RGB", (64, 48), (200, 120, 40))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "PhoneModel X"  # Model
    exif[0x013B] = AUTHOR  # Artist
    exif[0x010E] = GPS_MARKER.decode()  # ImageDescription
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif.tobytes(), comment=GPS_MARKER)
    return buffer.getvalue()


@once
def metadata_pdf():
    """Three pages with the author everywhere metadata hides: /Info, XMP on the
    catalog and on a page, /PieceInfo, /LastModified, a sticky note signed by
    the author, and a photo whose JPEG stream carries EXIF."""
    pdf = pikepdf.new()
    _add_pages(pdf, 3)
    pdf.trailer.Info = pdf.make_indirect(
        pikepdf.Dictionary(
            Author=AUTHOR,
            Creator=CREATOR_TOOL,
            Producer=PRODUCER,
            Title=TITLE,
            Subject="Exile",
            Keywords=AUTHOR,
            CreationDate="D:20240301100000+02'00'",
            ModDate="D:20240302100000+02'00'",
        )
    )
    pdf.Root.Metadata = pdf.make_stream(
        XMP, Type=pikepdf.Name.Metadata, Subtype=pikepdf.Name.XML
    )
    first = pdf.pages[0].obj
    first.Metadata = pdf.make_stream(
        XMP, Type=pikepdf.Name.Metadata, Subtype=pikepdf.Name.XML
    )
    first.PieceInfo = pikepdf.Dictionary(
        Writer=pikepdf.Dictionary(Private=AUTHOR, LastModified="D:20240301")
    )
    first.LastModified = "D:20240301100000+02'00'"
    photo = pdf.make_stream(
        exif_jpeg(),
        Type=pikepdf.Name.XObject,
        Subtype=pikepdf.Name.Image,
        Width=64,
        Height=48,
        ColorSpace=pikepdf.Name.DeviceRGB,
        BitsPerComponent=8,
        Filter=pikepdf.Name.DCTDecode,
        Metadata=pdf.make_stream(XMP),
    )
    first.Resources.XObject = pikepdf.Dictionary(Im1=photo)
    first.Contents = pdf.make_stream(
        first.Contents.read_bytes() + b" q 128 0 0 96 200 300 cm /Im1 Do Q"
    )
    first.Annots = pdf.make_indirect(
        [
            pikepdf.Dictionary(
                Type=pikepdf.Name.Annot,
                Subtype=pikepdf.Name.Text,
                Rect=[50, 50, 70, 70],
                Contents="A note",
                T=AUTHOR,
                M="D:20240301100000+02'00'",
            )
        ]
    )
    return _save(pdf)


@once
def active_content_pdf():
    """Two pages with JavaScript that runs on opening, a document-level script,
    a page action, a link that launches a program and an attached file, both
    in the catalog and as a file attachment annotation."""
    pdf = pikepdf.new()
    _add_pages(pdf, 2)
    script = pikepdf.Dictionary(
        Type=pikepdf.Name.Action,
        S=pikepdf.Name.JavaScript,
        JS="app.alert('hello');",
    )
    pdf.Root.OpenAction = pdf.make_indirect(script)
    attachment = pdf.make_stream(
        b"secret attachment " + AUTHOR.encode(),
        Type=pikepdf.Name.EmbeddedFile,
    )
    filespec = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Filespec,
            F="notes.txt",
            UF="notes.txt",
            EF=pikepdf.Dictionary(F=attachment),
        )
    )
    pdf.Root.Names = pikepdf.Dictionary(
        JavaScript=pikepdf.Dictionary(
            Names=["init", pdf.make_indirect(pikepdf.Dictionary(script))]
        ),
        EmbeddedFiles=pikepdf.Dictionary(Names=["notes.txt", filespec]),
    )
    first = pdf.pages[0].obj
    first.AA = pikepdf.Dictionary(
        O=pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS="app.beep();")
    )
    attachment_annotation = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Annot,
            Subtype=pikepdf.Name.FileAttachment,
            Rect=[400, 50, 420, 70],
            FS=filespec,
        )
    )
    # A tagged PDF's structure tree refers to the annotation too, so the file
    # stays reachable even when the annotation leaves the page.
    pdf.Root.StructTreeRoot = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.StructTreeRoot,
            K=pikepdf.Dictionary(
                Type=pikepdf.Name.StructElem,
                S=pikepdf.Name.Annot,
                K=pikepdf.Dictionary(Type=pikepdf.Name.OBJR, Obj=attachment_annotation),
            ),
        )
    )
    first.Annots = pdf.make_indirect(
        [
            attachment_annotation,
            pikepdf.Dictionary(
                Type=pikepdf.Name.Annot,
                Subtype=pikepdf.Name.Link,
                Rect=[50, 50, 200, 70],
                A=pikepdf.Dictionary(S=pikepdf.Name.Launch, F="cmd.exe"),
            ),
            pikepdf.Dictionary(
                Type=pikepdf.Name.Annot,
                Subtype=pikepdf.Name.Link,
                Rect=[50, 80, 200, 100],
                A=pikepdf.Dictionary(S=pikepdf.Name.URI, URI="https://example.org/"),
            ),
        ]
    )
    return _save(pdf)


def _encrypted_pdf(**encryption):
    """Two pages, encrypted with the owner password and ``encryption``."""
    pdf = pikepdf.new()
    _add_pages(pdf, 2)
    return _save(pdf, encryption=pikepdf.Encryption(owner=OWNER_PASSWORD, **encryption))


@once
def encrypted_pdf():
    """Needs the user password to open."""
    return _encrypted_pdf(user=USER_PASSWORD)


@once
def owner_password_pdf():
    """Encrypted with an owner password only: opens without one."""
    return _encrypted_pdf(
        user="", allow=pikepdf.Permissions(extract=False, modify_other=False)
    )


@once
def truncated_pdf():
    """The first half of a three-page PDF, as a broken upload leaves it."""
    data = plain_pdf(pages=3)
    return data[: len(data) // 2]


@once
def giant_pdf():
    """One page of 14400 by 14400 points, the largest PDF allows."""
    return plain_pdf(pages=1, size=(14400, 14400))


@once
def ten_page_pdf():
    return plain_pdf(pages=10)


@once
def empty_pdf():
    """A well-formed PDF without a single page."""
    return _save(pikepdf.new())


@once
def trailer_without_size_pdf():
    """Two pages with neither a cross-reference table nor /Size in the trailer,
    as some hand-made or badly repaired files are: readers rebuild the table
    from the objects and open it."""
    data = plain_pdf(pages=2)
    root = re.search(rb"/Root (\d+ \d+ R)", data[data.rindex(b"trailer") :])[1]
    body = data[: data.index(b"\nxref\n") + 1]
    return body + b"trailer\n<< /Root " + root + b" >>\n%%EOF\n"


def _photo_exif():
    """EXIF as a phone writes it: the camera, the author and a GPS position."""
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "PhoneModel X"  # Model
    exif[0x013B] = AUTHOR  # Artist
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: GPS_LATITUDE, 3: "E", 4: GPS_LONGITUDE})
    return exif.tobytes()


# XMP as an editor writes it: the author and their e-mail.
PHOTO_XMP = (
    '<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>'
    '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
    'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"'
    ' xmlns:Iptc4xmpCore="http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/">'
    f"<dc:creator><rdf:Seq><rdf:li>{AUTHOR}</rdf:li></rdf:Seq></dc:creator>"
    '<Iptc4xmpCore:CreatorContactInfo rdf:parseType="Resource">'
    f"<Iptc4xmpCore:CiEmailWork>{EMAIL}</Iptc4xmpCore:CiEmailWork>"
    "</Iptc4xmpCore:CreatorContactInfo>"
    "</rdf:Description></rdf:RDF></x:xmpmeta>"
    '<?xpacket end="w"?>'
).encode()
PHOTO_COMMENT = f"Scanned by {EMAIL}".encode()


@once
def tracked_jpeg(colour=PHOTO_COLOUR, size=PHOTO_SIZE, *, noise=False):
    """A photo carrying all a phone or an editor puts in one: EXIF with the
    camera, the author and a GPS position, XMP naming the author and their
    e-mail, and a comment with the e-mail. Of one colour, or of grey noise
    (which JPEG barely compresses: about a megabyte for 1200 by 900 pixels)."""
    image = Image.new("RGB", size, colour)
    if noise:
        image = Image.effect_noise(size, 60).convert("RGB")
    buffer = io.BytesIO()
    image.save(
        buffer,
        "JPEG",
        quality=95,
        exif=_photo_exif(),
        xmp=PHOTO_XMP,
        comment=PHOTO_COMMENT,
    )
    return buffer.getvalue()


# The UUID of the box in which JPEG 2000 files carry EXIF.
JP2_EXIF_UUID = b"JpgTiffExif->JP2"


def _jp2_box(kind, content):
    return (8 + len(content)).to_bytes(4, "big") + kind + content


@once
def tracked_jp2(colour=PHOTO_COLOUR, size=PHOTO_SIZE):
    """The same photo as a JPEG 2000 file: EXIF in a UUID box, XMP in an XML
    box and the comment in the codestream's COM segment."""
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(
        buffer, "JPEG2000", no_jp2=False, comment=PHOTO_COMMENT
    )
    data = buffer.getvalue()
    # The signature and file type boxes, the header, then the codestream.
    header_end = data.index(b"jp2c") - 4
    return (
        data[:header_end]
        + _jp2_box(b"uuid", JP2_EXIF_UUID + _photo_exif())
        + _jp2_box(b"xml ", PHOTO_XMP)
        + data[header_end:]
    )


def _run_length(data):
    """RunLengthDecode's encoding, in literal runs of up to 128 bytes."""
    out = bytearray()
    for start in range(0, len(data), 128):
        run = data[start : start + 128]
        out += bytes([len(run) - 1]) + run
    return bytes(out + b"\x80")


def _lzw(data):
    """LZWDecode's encoding. The table is cleared before its codes outgrow
    nine bits, so that the code width never changes (which any decoder
    reads, whatever its early-change setting)."""
    clear, first_free, limit = 256, 258, 500
    out, bits, count = bytearray(), 0, 0

    def emit(code):
        nonlocal bits, count
        bits, count = bits << 9 | code, count + 9
        while count >= 8:
            count -= 8
            out.append(bits >> count & 0xFF)
        bits &= (1 << count) - 1

    table, following = {bytes([n]): n for n in range(256)}, first_free
    emit(clear)
    word = b""
    for byte in data:
        longer = word + bytes([byte])
        if longer in table:
            word = longer
            continue
        emit(table[word])
        table[longer], following = following, following + 1
        word = bytes([byte])
        if following == limit:
            emit(table[word])
            emit(clear)
            table, following = {bytes([n]): n for n in range(256)}, first_free
            word = b""
    if word:
        emit(table[word])
    emit(257)
    if count:
        out.append(bits << (8 - count) & 0xFF)
    return bytes(out)


# How each filter a PDF reader undoes was applied, by the filter's name.
ENCODERS = {
    "/FlateDecode": zlib.compress,
    "/ASCIIHexDecode": lambda data: binascii.hexlify(data) + b">",
    "/ASCII85Decode": lambda data: base64.a85encode(data) + b"~>",
    "/RunLengthDecode": _run_length,
    "/LZWDecode": _lzw,
}


@once
def photo_behind_filters_pdf(
    filters, jpeg=None, decode_parms=None, photo_filter="/DCTDecode", size=PHOTO_SIZE
):
    """One page showing ``jpeg`` (the tracked photo by default) from an image
    stream whose filter chain is ``filters`` (names, in the order a reader
    undoes them) and then ``photo_filter`` (/DCTDecode, or /JPXDecode for the
    tracked JPEG 2000 photo), with ``decode_parms`` (a list, one entry for each
    filter, the last for the photo's) if given, and ``size`` the photo's
    size in pixels. The photo fills the
    rectangle from (200, 150) to (400, 300) points of an A4 page."""
    data = jpeg or (tracked_jp2() if photo_filter == "/JPXDecode" else tracked_jpeg())
    for name in reversed(filters):
        data = ENCODERS[name](data)
    pdf = pikepdf.new()
    _add_pages(pdf, 1)
    width, height = size
    photo = pdf.make_stream(
        data,
        Type=pikepdf.Name.XObject,
        Subtype=pikepdf.Name.Image,
        Width=width,
        Height=height,
        ColorSpace=pikepdf.Name.DeviceRGB,
        BitsPerComponent=8,
        Filter=pikepdf.Array([pikepdf.Name(name) for name in [*filters, photo_filter]]),
    )
    if photo_filter == "/JPXDecode":
        # A JPEG 2000 photo names its own colours and depth.
        del photo["/ColorSpace"], photo["/BitsPerComponent"]
    if decode_parms is not None:
        photo.DecodeParms = pikepdf.Array(
            [
                pdf.make_indirect(pikepdf.Dictionary(parms))
                if index == 0
                else pikepdf.Dictionary(parms)
                for index, parms in enumerate(decode_parms)
            ]
        )
    page = pdf.pages[0].obj
    page.Resources.XObject = pikepdf.Dictionary(Im1=photo)
    page.Contents = pdf.make_stream(
        page.Contents.read_bytes() + b" q 200 0 0 150 200 150 cm /Im1 Do Q"
    )
    return _save(pdf)


@once
def jpeg_bomb(megabytes=140):
    """Flate data that inflates to a "JPEG" of ``megabytes`` MB of zeros after
    its start marker: 140 MB from about 140 KB."""
    deflater = zlib.compressobj(9)
    chunks = [deflater.compress(b"\xff\xd8")]
    chunk = bytes(1024 * 1024)
    chunks += [deflater.compress(chunk) for _ in range(megabytes)]
    return b"".join([*chunks, deflater.flush()])


@once
def inline_photo_pdf(filters=("/AHx", "/DCT")):
    """One page drawing the tracked photo as an inline image (BI ... ID ... EI
    in the page's content stream), its data encoded with the abbreviated
    ``filters`` (an ASCII one first, as writers do, so that no "EI" appears in
    the data), in the same place as photo_behind_filters_pdf's."""
    full = {"/AHx": "/ASCIIHexDecode", "/A85": "/ASCII85Decode", "/Fl": "/FlateDecode"}
    data = tracked_jpeg()
    for name in reversed(filters[:-1]):
        data = ENCODERS[full[name]](data)
    width, height = PHOTO_SIZE
    names = " ".join(filters).encode()
    image = (
        b" q 200 0 0 150 200 150 cm BI /W %d /H %d /CS /RGB /BPC 8 /F [%s] ID\n"
        % (width, height, names)
        + data
        + b"\nEI Q"
    )
    pdf = pikepdf.new()
    _add_pages(pdf, 1)
    page = pdf.pages[0].obj
    page.Contents = pdf.make_stream(page.Contents.read_bytes() + image)
    return _save(pdf)
