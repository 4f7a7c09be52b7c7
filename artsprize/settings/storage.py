"""The object-storage part of the settings, shared by the settings modules and tests.

There is one storage code path, S3, in every mode: the embedded default is a local
S3-compatible server (``rclone serve s3``) that keeps plain files under ``var/s3``.
"""

LOCAL_S3_ACCESS_KEY = "artsprize-local"
LOCAL_S3_SECRET_KEY = "artsprize-local-secret"  # noqa: S105 (loopback-only server)
LOCAL_S3_PORT = 9100


def storages_config(
    *,
    endpoint_url,
    access_key,
    secret_key,
    region,
    private_bucket,
    public_bucket,
    addressing_style="path",
    presign_seconds=300,
    public_base_url="",
    static_backend="whitenoise.storage.CompressedManifestStaticFilesStorage",
):
    """Return a ``STORAGES`` dict: private originals, public copies, static files."""
    common = {
        "endpoint_url": endpoint_url or None,
        "access_key": access_key or None,
        "secret_key": secret_key or None,
        "region_name": region,
        "addressing_style": addressing_style,
        "signature_version": "s3v4",
        "file_overwrite": False,
        "default_acl": None,
    }
    public = {
        **common,
        "bucket_name": public_bucket,
        "querystring_auth": not public_base_url,
        # A public copy without a public base URL is still served presigned (the
        # embedded server has no anonymous access), for the longest time SigV4 allows.
        "querystring_expire": 7 * 24 * 3600,
        "object_parameters": {"CacheControl": "public, max-age=86400"},
    }
    if public_base_url:
        scheme, _, domain = public_base_url.rstrip("/").partition("://")
        public["custom_domain"] = domain
        public["url_protocol"] = f"{scheme}:"
    return {
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                **common,
                "bucket_name": private_bucket,
                "querystring_auth": True,
                "querystring_expire": presign_seconds,
            },
        },
        "public": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": public},
        "staticfiles": {"BACKEND": static_backend},
    }
