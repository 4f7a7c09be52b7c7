"""Processing: how fast the worker makes the derivatives of images, how much
memory it needs for the largest files, and how quickly a gigabyte video in
object storage gets its poster frame.

    .venv/bin/python bench/processing.py            # the full run, about 3 minutes
    .venv/bin/python bench/processing.py --quick    # a smoke run, under a minute

No database: the bench calls the media functions the pipeline calls
(``images.make_derivatives`` for an image, ``video.probe``, ``video.make_poster``
and ``video.make_derivatives`` on a presigned URL for a video, and the pipeline's
streaming hash) with the portal's settings, against rclone's S3 server started
here. Memory is measured in a fresh Python process per case (``VmHWM`` of
/proc/self/status at the end; for ffmpeg and ffprobe, the largest child's
``ru_maxrss`` from getrusage(RUSAGE_CHILDREN)). Bytes read from the store by
ffmpeg go through a counting proxy in this process. Everything lives in one
temporary folder, removed at the end with the store in it.
"""

import argparse
import contextlib
import http.client
import json
import math
import os
import re
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from unittest import mock
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import (
    BUCKETS,
    S3_ACCESS_KEY,
    S3_SECRET_KEY,
    SECRET_KEY,
    machine,
    percentile,
    stop,
)
from bench.upload_cost import status_kib

MiB = 2**20
CHILD_TIMEOUT = 1800
PHOTO_SIZE = (4000, 3000)
# The largest images accepted: settings.IMAGE_MAX_PIXELS is 100 megapixels for
# a JPEG, IMAGE_MAX_PIXELS_FULL_DECODE 50 megapixels for the other formats.
LARGEST_JPEG_SIZE = (12000, 8333)
LARGEST_PNG_SIZE = (8660, 5773)
VIDEO_KEY = "originals/bench/phone.mp4"
# What the proxy lets sit in its socket's send buffer: bytes counted as delivered
# that ffmpeg may never read before it closes the connection.
PROXY_SNDBUF = 64 * 1024

# What ffmpeg and ffprobe log at the verbose level when they close an input: the
# bytes their demuxer read from it.
READ_STATISTICS = re.compile(rb"Statistics: (\d+) bytes read, (\d+) seeks")

GOAL_IMAGES_PER_SECOND = 10
GOAL_PEAK_MIB = 300
GOAL_POSTER_SECONDS = 5


# --- environment ----------------------------------------------------------------------


def configure(tmp, s3_port):
    """The portal's local settings with the store on ``s3_port``; the database is
    a SQLite path that nothing opens."""
    for name in ("REDIS_URL", "EMAIL_URL", "S3_USE_AWS", "S3_PUBLIC_BASE_URL"):
        os.environ.pop(name, None)
    (tmp / "static").mkdir(exist_ok=True)
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "BENCH_STATIC_ROOT": str(tmp / "static"),
            "DEBUG": "false",
            "SECRET_KEY": SECRET_KEY,
            "DATABASE_URL": f"sqlite:///{tmp / 'unused.sqlite3'}",
            "S3_ENDPOINT_URL": f"http://127.0.0.1:{s3_port}",
            "S3_ACCESS_KEY_ID": S3_ACCESS_KEY,
            "S3_SECRET_ACCESS_KEY": S3_SECRET_KEY,
            "CACHE_URL": f"filecache://{tmp / 'cache'}",
            "LOG_LEVEL": "WARNING",
        }
    )


def setup_django():
    import django

    django.setup()


@contextlib.contextmanager
def object_store(tmp):
    """rclone's S3 server over a folder in ``tmp``, stopped on the way out."""
    from artsprize.common import local_s3

    port = local_s3.free_port()
    configure(tmp, port)
    log = (tmp / "rclone.log").open("ab")
    process = local_s3.start(
        directory=tmp / "s3",
        port=port,
        access_key=S3_ACCESS_KEY,
        secret_key=S3_SECRET_KEY,
        allow_origin="http://127.0.0.1",
        buckets=BUCKETS,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        yield port
    finally:
        stop(process)
        log.close()


# --- measuring in a fresh process -----------------------------------------------------


def run_child(*args):
    """Run this script in ``--child`` mode and return what it printed (JSON)."""
    result = subprocess.run(
        [sys.executable, __file__, "--child", *map(str, args)],
        capture_output=True,
        timeout=CHILD_TIMEOUT,
        check=False,
        env=os.environ.copy(),
    )
    if result.returncode != 0:
        raise RuntimeError(f"child {args[0]} failed:\n{result.stderr.decode()[-2000:]}")
    return json.loads(result.stdout.decode().strip().splitlines()[-1])


def own_memory():
    """This process's resident size now and at its peak, and the peak of the
    largest child it has waited for (ffmpeg, ffprobe), in MiB."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB on Linux
    return {
        "rss_mib": status_kib("self", "VmRSS") / 1024,
        "peak_mib": status_kib("self", "VmHWM") / 1024,
        "largest_child_peak_mib": children / 1024,
    }


def counting_tools(reads):
    """Run the pipeline's tools at the verbose log level and append, for each
    run on a URL, the bytes ffmpeg's own I/O layer says it read from it."""
    from submissions.media import commands, ffmpeg

    original = commands.run

    def run(args, *, timeout):
        args = list(args)
        for flag in ("-loglevel", "-v"):
            if flag in args:
                args[args.index(flag) + 1] = "verbose"
        result = original(args, timeout=timeout)
        found = READ_STATISTICS.findall(result.stderr)
        if found and any(ffmpeg.is_url(arg) for arg in args):
            # The input is closed last: an earlier "bytes read" is the muxer
            # reading its own output back to move the index to the front.
            count, seeks = found[-1]
            reads.append({"tool": args[0], "bytes": int(count), "seeks": int(seeks)})
        return result

    return mock.patch.object(commands, "run", run)


def child_main(mode, *args):
    """One measured case in a process of its own (``--child``)."""
    setup_django()
    result = {"baseline_rss_mib": own_memory()["rss_mib"], "ffmpeg_reads": []}
    workdir = Path(tempfile.mkdtemp(prefix="artsprize-bench-child-"))
    try:
        with counting_tools(result["ffmpeg_reads"]):
            started = time.perf_counter()
            CASES[mode](result, workdir, *args)
            result["seconds"] = time.perf_counter() - started
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    result.update(own_memory())
    print(json.dumps(result))


def _sizes(derivatives):
    return [(r.kind, r.width, r.height, len(r.data)) for r in derivatives]


def image_case(result, workdir, path, variant="current"):
    from submissions.media import images

    with variants()[variant][1]():
        result["derivatives"] = _sizes(images.make_derivatives(path).derivatives)


def poster_case(result, workdir, url):
    """What the goal times: probe, then the poster and its thumbnail."""
    from submissions.media import video

    started = time.perf_counter()
    description = video.probe(url)
    result["probe_seconds"] = time.perf_counter() - started
    result["derivatives"] = _sizes(video.make_poster(url, workdir, description))


def pipeline_case(result, workdir, url, key):
    """Everything processing does to a video but storing the results: the
    derivatives (probe, poster, playable copy), then the streaming hash."""
    from submissions.media import video
    from submissions.services import processing

    started = time.perf_counter()
    processed = video.make_derivatives(url, workdir)
    result["derivatives_seconds"] = time.perf_counter() - started
    copy = processed.derivatives[-1]
    result["copy"] = processed.details["copy"]
    result["copy_bytes"] = Path(copy.path).stat().st_size
    result["duration"] = processed.duration
    started = time.perf_counter()
    # The pipeline's own hash: boto3 straight from the store, 1 MiB at a time.
    result["sha256"], result["hashed_bytes"] = processing._hash(key)
    result["hash_seconds"] = time.perf_counter() - started


def transcode_case(result, workdir, path):
    from submissions.media import video

    description = video.probe(path)
    copy, remuxed = video.make_playable_copy(path, workdir, description)
    result["copy"] = "remuxed" if remuxed else "transcoded"
    result["copy_size"] = (copy.width, copy.height)
    result["duration"] = float(description["format"]["duration"])


CASES = {
    "image": image_case,
    "poster": poster_case,
    "pipeline": pipeline_case,
    "transcode": transcode_case,
}


# --- images: throughput and the format trade-off --------------------------------------


def _thumbnail_with_gap(original_thumbnail, gap):
    """Image.thumbnail with another ``reducing_gap`` for the derivatives' loop
    (the shrink of the decoded original keeps its own)."""

    def thumbnail(self, size, resample=3, reducing_gap=2.0):
        if reducing_gap == 2.0:
            reducing_gap = gap
        return original_thumbnail(self, size, resample, reducing_gap)

    return thumbnail


def _preview_encoder(original_encode, fmt, **options):
    """images._encode with the preview saved as ``fmt`` with ``options``; the
    thumbnail is encoded as it is now."""
    import io

    from submissions.enums import DerivativeKind
    from submissions.media import images
    from submissions.media.results import DerivativeData

    def encode(kind, image, *, index=0):
        if kind != DerivativeKind.PREVIEW:
            return original_encode(kind, image, index=index)
        buffer = io.BytesIO()
        image.save(buffer, fmt, icc_profile=images._SRGB_BYTES, **options)
        return DerivativeData(
            kind=kind,
            content_type=f"image/{fmt.lower()}",
            extension=fmt.lower(),
            data=buffer.getvalue(),
            width=image.width,
            height=image.height,
            index=index,
        )

    return encode


def variants():
    """The ways of making the derivatives compared, each as a context in which
    ``images.make_derivatives`` runs: the code as it is, or with one thing
    changed."""
    from PIL import JpegImagePlugin

    from submissions.media import images

    jpeg = JpegImagePlugin.JpegImageFile
    return {
        "current": (
            "images.make_derivatives as it is: draft to the preview's box in the "
            "photo's proportions (2000×1500 for 4:3, so libjpeg decodes at 1/2 "
            "scale), baseline JPEG q85 with optimized tables, thumbnail by box "
            "reduction then Lanczos",
            contextlib.nullcontext,
        ),
        "square_draft": (
            "draft to a square 2000×2000 box (a 4:3 photo is then decoded whole)",
            lambda: mock.patch.object(
                images, "_draft_box", lambda size, edge: (edge, edge)
            ),
        ),
        "full_decode": (
            "no draft decoding (full decode), JPEG q85 as now",
            lambda: mock.patch.object(jpeg, "draft", lambda self, mode, size: None),
        ),
        "webp_preview": (
            "as now, but the 2000 px preview in WebP (Pillow defaults: q80, method 4)",
            lambda: mock.patch.object(
                images, "_encode", _preview_encoder(images._encode, "WEBP")
            ),
        ),
        "progressive_preview": (
            "as now, but the preview in progressive JPEG q85",
            lambda: mock.patch.object(
                images,
                "_encode",
                _preview_encoder(
                    images._encode,
                    "JPEG",
                    quality=images.JPEG_QUALITY,
                    optimize=True,
                    progressive=True,
                ),
            ),
        ),
        "lanczos_thumb": (
            "as now, but the thumbnail made from the preview by Lanczos all the way "
            "(reducing_gap 3.0, no box reduction first)",
            lambda: mock.patch.object(
                images.Image.Image,
                "thumbnail",
                _thumbnail_with_gap(images.Image.Image.thumbnail, 3.0),
            ),
        ),
    }


@contextlib.contextmanager
def _both(first, second):
    with first, second:
        yield


def compare(image, reference):
    """PSNR (dB) and mean absolute error (0–255) of ``image`` against
    ``reference``, over the three channels."""
    from PIL import ImageChops, ImageStat

    stat = ImageStat.Stat(ImageChops.difference(image, reference))
    mse = sum(rms * rms for rms in stat.rms) / len(stat.rms)
    psnr = 10 * math.log10(255**2 / mse) if mse else math.inf
    return psnr, sum(stat.mean) / len(stat.mean)


def image_throughput(paths):
    """Each variant over all ``paths``, one after the other in this process (one
    core), then the quality of each preview against a reference: the original
    fully decoded and resized in one LANCZOS step to the preview's size."""
    import io

    from PIL import Image

    from submissions.media import images

    results = {}
    previews = {}
    for name, (description, context) in variants().items():
        with context():
            images.make_derivatives(paths[0])  # warm-up, not counted
            times, preview_bytes, thumb_bytes, outputs = [], [], [], []
            cpu = time.process_time()
            started = time.perf_counter()
            for path in paths:
                begun = time.perf_counter()
                processed = images.make_derivatives(path)
                times.append(time.perf_counter() - begun)
                preview, thumb = processed.derivatives
                preview_bytes.append(len(preview.data))
                thumb_bytes.append(len(thumb.data))
                outputs.append(preview.data)
            wall = time.perf_counter() - started
            cpu = time.process_time() - cpu
        previews[name] = outputs
        results[name] = {
            "description": description,
            "images": len(paths),
            "images_per_second": len(paths) / wall,
            "cpu_seconds_per_wall_second": cpu / wall,
            "p50_ms": 1000 * percentile(times, 0.50),
            "p95_ms": 1000 * percentile(times, 0.95),
            "preview_bytes_mean": statistics.mean(preview_bytes),
            "thumb_bytes_mean": statistics.mean(thumb_bytes),
            "preview_format": Image.open(io.BytesIO(outputs[0])).format,
            "preview_size": Image.open(io.BytesIO(outputs[0])).size,
        }
    scores = {name: [] for name in previews}
    for number, path in enumerate(paths):
        with Image.open(path) as original:
            full = original.convert("RGB")
        references = {}
        for name, outputs in previews.items():
            with Image.open(io.BytesIO(outputs[number])) as preview:
                preview = preview.convert("RGB")
            if preview.size not in references:
                references[preview.size] = full.resize(
                    preview.size, Image.Resampling.LANCZOS
                )
            scores[name].append(compare(preview, references[preview.size]))
    for name, pairs in scores.items():
        results[name]["psnr_db"] = statistics.mean(psnr for psnr, _ in pairs)
        results[name]["mean_abs_error"] = statistics.mean(mae for _, mae in pairs)
    return results


# --- video: a counting proxy in front of the store ------------------------------------


class CountingProxy:
    """A loopback HTTP proxy in front of the S3 server that counts the bytes it
    hands to its client (ffmpeg), request by request.

    A presigned URL is signed for the store's host, so the proxy forwards each
    request with that ``Host``; the client is given the same URL with the
    proxy's port. A byte counts once ``sendall`` has put it in the socket; the
    socket's send buffer is kept small (64 KiB) so that little is counted that
    the client never read when it closes early, as ffmpeg does after an
    open-ended ``Range: bytes=X-``.
    """

    HOP_HEADERS = {"connection", "keep-alive", "transfer-encoding", "proxy-connection"}

    def __init__(self, upstream_port):
        self.upstream = ("127.0.0.1", upstream_port)
        self.lock = threading.Lock()
        self.reset()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()

    def reset(self):
        """The counts so far, and start again from zero."""
        with self.lock:
            counts = getattr(self, "counts", None)
            self.counts = {"bytes": 0, "requests": []}
        return counts

    def url(self, presigned):
        parts = urlsplit(presigned)
        port = self.server.server_address[1]
        return urlunsplit(parts._replace(netloc=f"127.0.0.1:{port}"))

    def _handler(self):
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def handle(self):
                # ffmpeg drops kept-alive connections between requests.
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    super().handle()

            def setup(self):
                super().setup()
                self.connection.setsockopt(
                    socket.SOL_SOCKET, socket.SO_SNDBUF, PROXY_SNDBUF
                )

            def do_HEAD(self):
                self._forward()

            def do_GET(self):
                self._forward()

            def _forward(self):
                record = {
                    "method": self.command,
                    "range": self.headers.get("Range"),
                    "bytes": 0,
                }
                with proxy.lock:
                    proxy.counts["requests"].append(record)
                headers = {
                    key: value
                    for key, value in self.headers.items()
                    if key.lower() not in CountingProxy.HOP_HEADERS
                }
                headers["Host"] = "{}:{}".format(*proxy.upstream)
                upstream = http.client.HTTPConnection(*proxy.upstream, timeout=60)
                try:
                    upstream.request(self.command, self.path, headers=headers)
                    answer = upstream.getresponse()
                    self.send_response_only(answer.status, answer.reason)
                    for key, value in answer.getheaders():
                        if key.lower() not in CountingProxy.HOP_HEADERS:
                            self.send_header(key, value)
                    self.end_headers()
                    if self.command == "HEAD":
                        return
                    while chunk := answer.read(65536):
                        self.wfile.write(chunk)
                        with proxy.lock:
                            record["bytes"] += len(chunk)
                            proxy.counts["bytes"] += len(chunk)
                except (BrokenPipeError, ConnectionResetError):
                    # The client had read enough and closed the connection.
                    self.close_connection = True
                finally:
                    upstream.close()

            def log_message(self, *args):
                pass

        return Handler


def video_cases(tmp, proxy, video_path, poster_runs):
    from submissions import storage

    size = video_path.stat().st_size
    started = time.perf_counter()
    storage.put_file(VIDEO_KEY, video_path, content_type="video/mp4")
    upload_seconds = time.perf_counter() - started
    video_path.unlink()
    url = proxy.url(storage.presign_worker_read(VIDEO_KEY, seconds=3600))
    posters = []
    for _ in range(poster_runs):
        proxy.reset()
        case = run_child("poster", url)
        counts = proxy.reset()
        case["bytes_read"] = counts["bytes"]
        case["requests"] = counts["requests"]
        posters.append(case)
    proxy.reset()
    pipeline = run_child("pipeline", url, VIDEO_KEY)
    pipeline["bytes_read_by_ffmpeg"] = proxy.reset()["bytes"]
    return {
        "bytes": size,
        "upload_seconds": upload_seconds,
        "posters": posters,
        "pipeline": pipeline,
    }


# --- the run --------------------------------------------------------------------------


def make_inputs(tmp, args):
    from bench import media

    maker = media.PhotoMaker()
    photos = [
        maker.jpeg(tmp / f"photo-{number:02}.jpg", PHOTO_SIZE, number)
        for number in range(args.images)
    ]
    largest_jpeg = maker.jpeg(tmp / "largest.jpg", LARGEST_JPEG_SIZE, 1)
    largest_png = maker.png(tmp / "largest.png", LARGEST_PNG_SIZE, 2)
    return photos, largest_jpeg, largest_png


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small counts")
    parser.add_argument("--images", type=int, help="12 MP photos (40; quick 8)")
    parser.add_argument("--video-mib", type=int, help="video size (1024; quick 200)")
    parser.add_argument(
        "--transcode-seconds", type=int, help="transcoded clip (60; quick 10)"
    )
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child_main(*args.child)
        return
    defaults = (8, 200, 10, 2) if args.quick else (40, 1024, 60, 3)
    args.images = args.images or defaults[0]
    args.video_mib = args.video_mib or defaults[1]
    args.transcode_seconds = args.transcode_seconds or defaults[2]
    poster_runs = defaults[3]

    tmp = Path(tempfile.mkdtemp(prefix="artsprize-bench-processing-"))
    summary = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": machine(),
        "load_average": os.getloadavg(),
    }
    try:
        with object_store(tmp) as s3_port:
            setup_django()
            from bench import media

            print(f"inputs in {tmp} …", flush=True)
            started = time.perf_counter()
            photos, largest_jpeg, largest_png = make_inputs(tmp, args)
            summary["photo_bytes_mean"] = statistics.mean(
                path.stat().st_size for path in photos
            )
            print(f"  photos made in {time.perf_counter() - started:.0f} s", flush=True)

            print("images: throughput and formats …", flush=True)
            summary["images"] = image_throughput(photos)

            print("images: peak memory …", flush=True)
            summary["image_memory"] = {
                "12 MP JPEG (4000×3000)": run_child("image", photos[0]),
                "12 MP JPEG, square draft box": run_child(
                    "image", photos[0], "square_draft"
                ),
                "100 MP JPEG (12000×8333)": run_child("image", largest_jpeg),
                "50 MP PNG (8660×5773)": run_child("image", largest_png),
            }
            summary["largest_bytes"] = {
                "jpeg": largest_jpeg.stat().st_size,
                "png": largest_png.stat().st_size,
            }
            for path in [*photos, largest_jpeg, largest_png]:
                path.unlink()

            print(f"video: {args.video_mib} MiB in the store …", flush=True)
            video_path = media.phone_video(
                tmp / "phone.mp4", target_bytes=args.video_mib * MiB
            )
            proxy = CountingProxy(s3_port)
            try:
                summary["video"] = video_cases(tmp, proxy, video_path, poster_runs)
            finally:
                proxy.close()

            print(
                f"video: transcode of a {args.transcode_seconds} s clip …", flush=True
            )
            clip = media.transcode_clip(
                tmp / "clip.mp4", seconds=args.transcode_seconds
            )
            summary["transcode"] = run_child("transcode", clip)
            summary["transcode"]["source_bytes"] = clip.stat().st_size
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    report(summary)
    if args.json:
        Path(args.json).write_text(json.dumps(summary, indent=2))


def report(summary):
    print()
    print(f"## Processing — {summary['date']}")
    print(f"- machine: {summary['machine']}; load average {summary['load_average']}")
    print(f"- 12 MP photos: {summary['photo_bytes_mean'] / MiB:.2f} MiB mean")
    print()
    print(
        "| variant | images/s (1 core) | p50 / p95 ms | CPU/wall | preview KiB | "
        "thumb KiB | preview PSNR dB | mean abs error |"
    )
    print("|---|---:|---|---:|---:|---:|---:|---:|")
    for name, case in summary["images"].items():
        print(
            f"| {name} | {case['images_per_second']:.2f} | {case['p50_ms']:.0f} / "
            f"{case['p95_ms']:.0f} | {case['cpu_seconds_per_wall_second']:.2f} | "
            f"{case['preview_bytes_mean'] / 1024:.0f} ({case['preview_format']}) | "
            f"{case['thumb_bytes_mean'] / 1024:.1f} | {case['psnr_db']:.2f} | "
            f"{case['mean_abs_error']:.2f} |"
        )
    current = summary["images"]["current"]["images_per_second"]
    print(
        f"goal ≥ {GOAL_IMAGES_PER_SECOND} images/s/core: "
        f"{'met' if current >= GOAL_IMAGES_PER_SECOND else 'NOT met'} ({current:.2f})"
    )
    print()
    print("| image | seconds | baseline RSS MiB | peak MiB (VmHWM) | goal |")
    print("|---|---:|---:|---:|---|")
    for name, case in summary["image_memory"].items():
        met = "met" if case["peak_mib"] < GOAL_PEAK_MIB else "NOT met"
        print(
            f"| {name} | {case['seconds']:.2f} | {case['baseline_rss_mib']:.0f} | "
            f"{case['peak_mib']:.0f} | {met} |"
        )
    video = summary["video"]
    print()
    print(
        f"video: {video['bytes'] / MiB:.0f} MiB, stored in {video['upload_seconds']:.1f} s"
    )
    for case in video["posters"]:
        tools = ", ".join(
            f"{read['tool']} {read['bytes']:,} B / {read['seeks']} seeks"
            for read in case["ffmpeg_reads"]
        )
        ranges = ", ".join(
            f"{request['method']} {request['range'] or 'whole'} → {request['bytes']:,}"
            for request in case["requests"]
        )
        own = sum(read["bytes"] for read in case["ffmpeg_reads"])
        print(
            f"  probe + poster {case['seconds']:.2f} s (probe {case['probe_seconds']:.2f}); "
            f"ffmpeg read {own / MiB:.2f} MiB by its own count, the proxy delivered "
            f"{case['bytes_read'] / MiB:.2f} MiB; python peak {case['peak_mib']:.0f} "
            f"MiB, largest ffmpeg {case['largest_child_peak_mib']:.0f} MiB; {tools}; "
            f"proxy: {ranges}"
        )
    pipeline = video["pipeline"]
    print(
        f"  full pipeline {pipeline['seconds']:.1f} s (derivatives "
        f"{pipeline['derivatives_seconds']:.1f} s, {pipeline['copy']}; hash "
        f"{pipeline['hash_seconds']:.1f} s); ffmpeg read "
        f"{sum(read['bytes'] for read in pipeline['ffmpeg_reads']) / MiB:.0f} MiB "
        f"by its own count, the proxy delivered "
        f"{pipeline['bytes_read_by_ffmpeg'] / MiB:.0f} MiB; python peak "
        f"{pipeline['peak_mib']:.0f} MiB, largest ffmpeg "
        f"{pipeline['largest_child_peak_mib']:.0f} MiB"
    )
    transcode = summary["transcode"]
    per_minute = transcode["seconds"] / transcode["duration"] * 60
    print(
        f"transcode: {transcode['duration']:.0f} s of 1080p → {transcode['copy_size']} "
        f"in {transcode['seconds']:.1f} s ({per_minute:.0f} s per minute of video); "
        f"largest ffmpeg {transcode['largest_child_peak_mib']:.0f} MiB"
    )
    print()
    print(json.dumps(summary, default=str))


if __name__ == "__main__":
    main()
