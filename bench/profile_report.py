"""Where the server's CPU goes: the profiles bench/wsgi.py wrote, read back and
printed as Markdown — overall and per request type: the usual suspects' time, the
top functions by own and by cumulative time, the portal's own functions, and own
time by package.

On the thread's CPU clock (the default) a wait for the database or the store costs
nothing, as in the CPU per flow, but reading that clock at every call and return
slows Python code about fourfold; on the wall clock the slowdown is about twofold,
and the waits show as time in psycopg's and the socket's functions. Either way the
figures are shares, not the server's real cost: that is the unprofiled run's CPU
per flow.

A profile kept with ``deadline_rush.py --profile --keep-profile DIR`` is printed
again with ``bench/profile_report.py DIR``.
"""

import argparse
import json
import pstats
import re
import sys
import sysconfig
from pathlib import Path

SITE_PACKAGES = "site-packages/"
STDLIB = sysconfig.get_paths()["stdlib"] + "/"
CORE_TYPES = {
    "list",
    "dict",
    "str",
    "set",
    "tuple",
    "object",
    "int",
    "bytes",
    "type",
    "frozenset",
    "builtins",
    "bytearray",
    "float",
}


def slug(step):
    return re.sub(r"[^A-Za-z0-9]+", "-", step).strip("-")


def step_cpu(directory):
    """Per step: (requests, CPU nanoseconds), summed over the workers' files."""
    totals = {}
    for path in Path(directory).glob("*.json"):
        for step, (count, nanoseconds) in json.loads(path.read_text()).items():
            total = totals.setdefault(step, [0, 0])
            total[0] += count
            total[1] += nanoseconds
    return totals


def load(directory, steps):
    """(overall Stats, {step: Stats}) from the workers' .pstats files."""
    per_step = {}
    for step in steps:
        files = sorted(Path(directory).glob(f"*-{slug(step)}.pstats"))
        if files:
            per_step[step] = pstats.Stats(*map(str, files))
    every = [str(path) for path in sorted(Path(directory).glob("*.pstats"))]
    overall = pstats.Stats(*every) if every else None
    return overall, per_step


def where(tree, filename):
    if SITE_PACKAGES in filename:
        return filename.split(SITE_PACKAGES, 1)[1]
    if filename.startswith(STDLIB):
        return filename[len(STDLIB) :]
    if filename.startswith(str(tree) + "/"):
        return filename[len(str(tree)) + 1 :]
    return filename


def is_project(tree, filename):
    return filename.startswith(str(tree) + "/") and SITE_PACKAGES not in filename


def label(tree, key):
    filename, line, name = key
    if filename == "~":
        return name.replace("|", "/")
    return f"{where(tree, filename)}:{line}({name})"


def package(tree, key):
    """The package a function's own time is counted under."""
    filename, _, name = key
    if filename == "~":
        match = re.match(r"<(?:built-in method|method '\w+' of) '?([\w.]+)", name)
        module = match.group(1) if match else "?"
        top = module.split(".")[0]
        return "(C) builtins" if top in CORE_TYPES else f"(C) {top}"
    path = where(tree, filename)
    parts = path.split("/")
    if is_project(tree, filename) or parts[0] == "django":
        return ".".join(part.removesuffix(".py") for part in parts[:2])
    if filename.startswith(STDLIB):
        return f"stdlib {parts[0].removesuffix('.py')}"
    return parts[0].removesuffix(".py")


# The envelope of every request (the WSGI handler, the middleware chain) and the
# template engine's own nodes, which nest as deep as the templates do: the
# cumulative tables leave them out (the suspects' table has the rendering whole).
ENVELOPE = (
    "bench/wsgi.py",
    "django/core/handlers/",
    "django/utils/deprecation.py",
    "whitenoise/middleware.py",
    "allauth/account/middleware.py",
    "artsprize/accounts/middleware.py",
    "django/template/",
    "django/shortcuts.py",
)


def rows(tree, stats, *, sort, limit, project=False):
    """The ``limit`` first functions by ``sort`` ("own" or "cumulative");
    ``project``: the portal's own functions only."""
    index = 2 if sort == "own" else 3
    items = sorted(stats.stats.items(), key=lambda item: item[1][index], reverse=True)
    if sort == "cumulative":
        items = [
            item for item in items if not where(tree, item[0][0]).startswith(ENVELOPE)
        ]
    if project:
        items = [
            item
            for item in items
            if is_project(tree, item[0][0])
            and not where(tree, item[0][0]).startswith("bench/")
        ]
    return items[:limit]


def by_package(tree, stats):
    """Own time summed by package; a C function's time goes to the packages of
    the Python functions that called it (``isinstance`` in the ORM counts as the
    ORM's)."""
    totals = {}
    for key, (_, _, own, _, callers) in stats.stats.items():
        shares = {}
        if key[0] == "~" and callers:
            for caller, (_, _, caller_own, _) in callers.items():
                name = package(tree, caller) if caller[0] != "~" else package(tree, key)
                shares[name] = shares.get(name, 0.0) + caller_own
            rest = own - sum(shares.values())
            if rest > 0:
                shares[package(tree, key)] = shares.get(package(tree, key), 0.0) + rest
        else:
            shares[package(tree, key)] = own
        for name, seconds in shares.items():
            totals[name] = totals.get(name, 0.0) + seconds
    return sorted(totals.items(), key=lambda item: item[1], reverse=True)


# Places the time is usually suspected to go, by (path ending, function): their
# cumulative time. They nest (SQL runs inside template rendering when a form
# field reads its choices), so the rows do not add up.
SUSPECTS = [
    ("templates rendered, whole", "django/template/backends/django.py", "render"),
    *(
        (label, "crispy_forms/templatetags/crispy_forms_filters.py", function)
        for label, function in (
            ("crispy fields (as_crispy_field)", "as_crispy_field"),
            ("crispy forms (|crispy)", "as_crispy_form"),
        )
    ),
    ("form fields", "artsprize/common/templatetags/portal_forms.py", "bootstrap_field"),
    ("context processors", "django/template/context.py", "bind_template"),
    ("form validation", "django/forms/forms.py", "full_clean"),
    ("permission checks", "django/contrib/auth/models.py", "has_perm"),
    ("SQL compiled (ORM as_sql)", "django/db/models/sql/compiler.py", "as_sql"),
    (
        "SQL executed (cursor)",
        "django/db/backends/utils.py",
        "_execute_with_wrappers",
    ),
    ("S3 API calls", "botocore/client.py", "_api_call"),
    ("presigned URLs", "botocore/signers.py", "generate_presigned_url"),
    ("Celery messages sent", "celery/app/task.py", "apply_async"),
    ("session read", "django/contrib/sessions/backends/base.py", "_get_session"),
    ("session saved", "django/contrib/sessions/middleware.py", "process_response"),
    ("messages stored", "django/contrib/messages/middleware.py", "process_response"),
]


def suspect_seconds(tree, stats):
    """Cumulative seconds of each suspect in ``stats``."""
    found = dict.fromkeys([label for label, _, _ in SUSPECTS], 0.0)
    for key, (_, _, _, cumulative, _) in stats.stats.items():
        filename, _, name = key
        for label, ending, function in SUSPECTS:
            if name == function and filename.endswith(ending):
                found[label] += cumulative
    return found


def print_suspects(tree, overall, per_step, *, flows, counts):
    steps = list(per_step)
    print("| where | per flow | " + " | ".join(steps) + " |")
    print("|---|---:|" + "---:|" * len(steps))
    whole = suspect_seconds(tree, overall)
    by_step = {step: suspect_seconds(tree, per_step[step]) for step in steps}
    for label, _, _ in SUSPECTS:
        cells = [
            f"{1000 * by_step[step][label] / (counts.get(step) or 1):.1f}"
            if by_step[step][label]
            else "·"
            for step in steps
        ]
        print(
            f"| {label} | {1000 * whole[label] / flows:.1f} | "
            + " | ".join(cells)
            + " |"
        )


def print_table(tree, stats, *, sort, limit, divisor, unit, project=False):
    total = stats.total_tt
    print(f"| # | function | calls | own {unit} | cumulative {unit} | own % |")
    print("|---:|---|---:|---:|---:|---:|")
    for number, (key, (primitive, calls, own, cumulative, _)) in enumerate(
        rows(tree, stats, sort=sort, limit=limit, project=project), start=1
    ):
        shown = f"{calls}" if calls == primitive else f"{calls}/{primitive}"
        print(
            f"| {number} | `{label(tree, key)}` | {shown} | "
            f"{1000 * own / divisor:.2f} | {1000 * cumulative / divisor:.2f} | "
            f"{100 * own / total:.1f} |"
        )


def print_packages(tree, stats, *, limit, divisor, unit):
    total = stats.total_tt
    print(f"| package | own {unit} | share |")
    print("|---|---:|---:|")
    for name, own in by_package(tree, stats)[:limit]:
        print(f"| {name} | {1000 * own / divisor:.2f} | {100 * own / total:.1f} % |")


def print_report(*, tree, directory, steps, top, clock):
    """Print the profile; ``top`` rows overall."""
    overall, per_step = load(directory, steps)
    if overall is None:
        print("\nNo profile was written (did the workers exit cleanly?).")
        return
    cpu = step_cpu(directory)
    # A flow the load generator gave up on may still have reached the server:
    # every flow that was profiled began with the first step.
    flows = cpu.get(steps[0], (0, 0))[0] or 1
    print()
    clock_name = "the thread's CPU clock" if clock == "cpu" else "the wall clock"
    print(f"### Profile: {flows} flows, on {clock_name}")
    print()
    print(
        "CPU per request type, profiled (the profiler slows the server several "
        "times over; compare shares):"
    )
    print()
    print("| request | requests | CPU ms per request | share of the flow |")
    print("|---|---:|---:|---:|")
    whole = sum(nanoseconds for _, nanoseconds in cpu.values()) or 1
    for step in steps:
        if step in cpu:
            count, nanoseconds = cpu[step]
            print(
                f"| {step} | {count} | {nanoseconds / 1e6 / count:.1f} | "
                f"{100 * nanoseconds / whole:.0f} % |"
            )
    print()
    print(
        "#### Where the suspects' time goes (cumulative, profiled ms: per flow, "
        "then per request)"
    )
    print()
    print_suspects(
        tree,
        overall,
        per_step,
        flows=flows,
        counts={step: count for step, (count, _) in cpu.items()},
    )
    print()
    print(f"#### Overall, by own time (ms per flow, {flows} flows)")
    print()
    print_table(tree, overall, sort="own", limit=top, divisor=flows, unit="ms/flow")
    print()
    print(
        "#### Overall, by cumulative time (ms per flow; without the request's "
        "envelope and the template engine's nodes)"
    )
    print()
    print_table(
        tree, overall, sort="cumulative", limit=top + 10, divisor=flows, unit="ms/flow"
    )
    print()
    print("#### The portal's own functions, by cumulative time (ms per flow)")
    print()
    print_table(
        tree,
        overall,
        sort="cumulative",
        limit=top + 10,
        divisor=flows,
        unit="ms/flow",
        project=True,
    )
    print()
    print("#### Overall, own time by package (ms per flow)")
    print()
    print_packages(tree, overall, limit=top, divisor=flows, unit="ms/flow")
    for step in steps:
        if step not in per_step:
            continue
        stats = per_step[step]
        count = cpu.get(step, [flows])[0] or 1
        print()
        print(f"#### {step} ({count} requests; ms per request)")
        print()
        print_packages(tree, stats, limit=8, divisor=count, unit="ms")
        print()
        print_table(tree, stats, sort="own", limit=10, divisor=count, unit="ms")
        print()
        print_table(tree, stats, sort="cumulative", limit=12, divisor=count, unit="ms")
        print()
        print_table(
            tree,
            stats,
            sort="cumulative",
            limit=12,
            divisor=count,
            unit="ms",
            project=True,
        )


def main():
    """Print a kept profile again: ``bench/profile_report.py DIR``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("directory")
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--clock", choices=["cpu", "wall"], default="cpu")
    parser.add_argument("--tree", default=str(Path(__file__).resolve().parent.parent))
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from bench.flow import STEPS

    print_report(
        tree=Path(args.tree),
        directory=args.directory,
        steps=STEPS,
        top=args.top,
        clock=args.clock,
    )


if __name__ == "__main__":
    main()
