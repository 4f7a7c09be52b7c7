"""The private originals bucket, reached through django-storages' own boto3 client.

Presigned upload URLs and the multipart calls use the client that
``storages["default"]`` already holds, so that they go to the same endpoint, bucket,
credentials and signature version as every other read and write of an original.
"""

import logging
from urllib.parse import quote

from boto3.s3.transfer import TransferConfig
from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.core.files.storage import storages

logger = logging.getLogger(__name__)

ORIGINALS_PREFIX = "originals/"
# Derivatives.key_for puts every copy made from an original under this prefix.
DERIVATIVES_PREFIX = "derivatives/"
# Browsers upload under this prefix only. At completion the server copies the
# object to its key under ORIGINALS_PREFIX, which no signed URL ever names, so
# that nothing a browser was once allowed to do can change a file after it was
# checked.
STAGING_PREFIX = "uploads/"
# CopyObject copies up to 5 GB; a larger object is copied in parts
# (UploadPartCopy) by boto3's managed copy.
COPY_OBJECT_LIMIT = 5 * 1024 * 1024 * 1024

# The error codes S3, MinIO and rclone answer for an object or upload that is not
# there (HeadObject answers a bare 404 without a body).
_MISSING_CODES = {"404", "NoSuchKey", "NoSuchUpload", "NotFound"}

# Derivatives are stored in 16 MiB parts, two at a time: a worker's memory stays
# bounded whatever the size of a playable copy.
_TRANSFER_CONFIG = TransferConfig(
    multipart_threshold=16 * 1024 * 1024,
    multipart_chunksize=16 * 1024 * 1024,
    max_concurrency=2,
)
_COPY_CONFIG = TransferConfig(
    multipart_threshold=COPY_OBJECT_LIMIT,
    multipart_chunksize=1024 * 1024 * 1024,
    max_concurrency=4,
)


def originals_storage():
    return storages["default"]


def client():
    return originals_storage().connection.meta.client


def bucket():
    return originals_storage().bucket_name


def staging_key(key):
    """Where the browser uploads the object that is kept at ``key``."""
    return STAGING_PREFIX + key.removeprefix(ORIGINALS_PREFIX)


def kept_key(key):
    """The key of the original that ``key`` is staged for (an original's own key
    is its own)."""
    if key.startswith(STAGING_PREFIX):
        return ORIGINALS_PREFIX + key.removeprefix(STAGING_PREFIX)
    return key


def is_missing(error):
    """True when a ``ClientError`` says that the object or upload does not exist."""
    return (
        isinstance(error, ClientError)
        and str(error.response.get("Error", {}).get("Code", "")) in _MISSING_CODES
    )


def presign(operation, **params):
    """A short-lived URL for one S3 operation on the originals bucket.

    Only the two upload operations may be signed for a browser: never a DELETE, a
    CompleteMultipartUpload or anything else that would let the browser act on the
    store without the server checking it; and only for a staging key, never for
    an object that is kept.
    """
    if operation not in {"put_object", "upload_part"}:
        raise ValueError(f"{operation} is not signed for browsers.")
    if not str(params.get("Key", "")).startswith(STAGING_PREFIX):
        raise ValueError("Only staging keys are signed for browsers.")
    return client().generate_presigned_url(
        operation,
        Params={"Bucket": bucket(), **params},
        ExpiresIn=settings.S3_PRESIGN_SECONDS,
        HttpMethod="PUT",
    )


def presign_download(key, *, filename, content_type):
    """A short-lived URL that downloads an object as an attachment.

    The store is told to answer with ``Content-Disposition: attachment`` and the
    type the server fixed, so that an uploaded file is saved, never shown as a page.
    (``X-Content-Type-Options: nosniff`` is a header of the store itself: the
    embedded server adds it; docs/UPLOADS.md says how to add it elsewhere.)
    """
    quoted = quote(filename, safe="")
    fallback = "".join(
        char if (char.isascii() and char.isalnum()) or char in "._-" else "_"
        for char in filename
    )
    return client().generate_presigned_url(
        "get_object",
        Params={
            "Bucket": bucket(),
            "Key": key,
            "ResponseContentDisposition": (
                f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quoted}"
            ),
            "ResponseContentType": content_type,
        },
        ExpiresIn=settings.S3_PRESIGN_SECONDS,
    )


def create_multipart_upload(key, *, content_type):
    response = client().create_multipart_upload(
        Bucket=bucket(), Key=key, ContentType=content_type
    )
    return response["UploadId"]


def list_parts(key, upload_id):
    """Every part the store holds for an upload, in order: ``[{number, etag, size}]``."""
    parts = []
    marker = 0
    while True:
        response = client().list_parts(
            Bucket=bucket(), Key=key, UploadId=upload_id, PartNumberMarker=marker
        )
        parts.extend(
            {"number": part["PartNumber"], "etag": part["ETag"], "size": part["Size"]}
            for part in response.get("Parts", [])
        )
        if not response.get("IsTruncated"):
            break
        marker = response["NextPartNumberMarker"]
    return parts


def complete_multipart_upload(key, upload_id, parts):
    client().complete_multipart_upload(
        Bucket=bucket(),
        Key=key,
        UploadId=upload_id,
        MultipartUpload={
            "Parts": [
                {"PartNumber": part["number"], "ETag": part["etag"]} for part in parts
            ]
        },
    )


def abort_multipart_upload(key, upload_id):
    """Abort an upload; one that is already gone is fine."""
    try:
        client().abort_multipart_upload(Bucket=bucket(), Key=key, UploadId=upload_id)
    except ClientError as error:
        if not is_missing(error):
            raise


def copy_object(source_key, key, *, etag, size):
    """Copy an object inside the bucket, server-side, keeping its Content-Type.

    ``etag`` and ``size`` are what the caller checked: a store that honours
    ``x-amz-copy-source-if-match`` (AWS S3, MinIO) refuses to copy other bytes.
    Up to CopyObject's limit one request copies it, and the copy's ETag is
    returned; boto3's managed copy, which first asks the size again, copies a
    larger object in parts, and None is returned.
    """
    source = {"Bucket": bucket(), "Key": source_key}
    if size < COPY_OBJECT_LIMIT:
        response = client().copy_object(
            CopySource=source, Bucket=bucket(), Key=key, CopySourceIfMatch=etag
        )
        return response.get("CopyObjectResult", {}).get("ETag")
    client().copy(
        source,
        bucket(),
        key,
        ExtraArgs={"CopySourceIfMatch": etag},
        Config=_COPY_CONFIG,
    )


def head_object(key):
    """The object's metadata, or None when there is no object at ``key``."""
    try:
        return client().head_object(Bucket=bucket(), Key=key)
    except ClientError as error:
        if is_missing(error):
            return None
        raise


def delete_object(key):
    client().delete_object(Bucket=bucket(), Key=key)


def delete_leftover(key):
    """Delete an object nothing reads any more (one already gone is fine); if the
    store refuses now, the clean-up (``services/cleanup.py``) deletes it later."""
    try:
        delete_object(key)
    except (BotoCoreError, ClientError):
        logger.warning("The leftover object %s could not be deleted.", key)


def multipart_uploads(prefix=STAGING_PREFIX):
    """Every unfinished multipart upload under ``prefix``: dicts with Key, UploadId
    and Initiated, as S3 lists them."""
    params = {"Bucket": bucket(), "Prefix": prefix}
    while True:
        try:
            response = client().list_multipart_uploads(**params)
        except ClientError as error:
            # rclone answers NoSuchUpload when there is none under the prefix.
            if is_missing(error):
                return
            raise
        yield from response.get("Uploads", [])
        if not response.get("IsTruncated"):
            return
        params["KeyMarker"] = response.get("NextKeyMarker", "")
        params["UploadIdMarker"] = response.get("NextUploadIdMarker", "")


def object_pages(prefix=ORIGINALS_PREFIX):
    """The objects under ``prefix``, a page (up to 1,000) at a time: lists of dicts
    with Key, Size and LastModified."""
    params = {"Bucket": bucket(), "Prefix": prefix}
    while True:
        response = client().list_objects_v2(**params)
        contents = response.get("Contents", [])
        if contents:
            yield contents
        if not response.get("IsTruncated"):
            return
        params["ContinuationToken"] = response["NextContinuationToken"]


def read_range(key, length, *, start=0):
    """``length`` bytes of an object from byte ``start`` (fewer at its end), read
    with one ranged GET: enough to tell what a file is without fetching all of
    it."""
    response = client().get_object(
        Bucket=bucket(), Key=key, Range=f"bytes={start}-{start + length - 1}"
    )
    with response["Body"] as body:
        return body.read()


def presign_worker_read(key, *, seconds):
    """A GET URL for a processing tool (ffmpeg), valid while the task may run.

    Never handed to a browser: it lets ffmpeg read an original with range requests
    instead of the worker copying the whole file first.
    """
    return client().generate_presigned_url(
        "get_object", Params={"Bucket": bucket(), "Key": key}, ExpiresIn=seconds
    )


def presign_view(key, *, content_type):
    """A short-lived URL that shows a derivative (thumbnail, preview, playable
    copy) inline, with the type the server fixed."""
    return client().generate_presigned_url(
        "get_object",
        Params={
            "Bucket": bucket(),
            "Key": key,
            "ResponseContentType": content_type,
            "ResponseContentDisposition": "inline",
        },
        ExpiresIn=settings.S3_PRESIGN_SECONDS,
    )


def put_bytes(key, data, *, content_type):
    client().put_object(Bucket=bucket(), Key=key, Body=data, ContentType=content_type)


def put_file(key, path, *, content_type):
    """Store a file from disk, in parts when large, never whole in memory."""
    client().upload_file(
        str(path),
        bucket(),
        key,
        ExtraArgs={"ContentType": content_type},
        Config=_TRANSFER_CONFIG,
    )
