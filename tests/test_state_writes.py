"""A state field is written only by the state machines' own code: every other
module changes a state through its transition function (set_round_state,
set_entry_state, set_file_state, set_guardian_state, set_screening)."""

import ast
import pathlib
import textwrap

ROOT = pathlib.Path(__file__).resolve().parent.parent
PACKAGES = ("artsprize", "submissions", "judging")
# The modules that may write a state field. The shared skeleton sets the field
# it is given by name, so no other module needs to be here.
ALLOWED = {"artsprize/common/transitions.py"}


# State fields whose names do not end in "state".
OTHER_STATE_FIELDS = {"screening"}


def _is_state_field(name):
    # ``_state`` is Django's own bookkeeping of an instance, not a field.
    return (
        name == "state"
        or name in OTHER_STATE_FIELDS
        or (name.endswith("_state") and not name.startswith("_"))
    )


def _strings(node):
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        return [s for element in node.elts for s in _strings(element)]
    return []


def state_writes(source):
    """The line numbers of ``source`` that write a state field, and how."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for part in ast.walk(target):
                    if isinstance(part, ast.Attribute) and _is_state_field(part.attr):
                        found.append((node.lineno, f".{part.attr} ="))
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else None
            if name == "update":
                for keyword in node.keywords:
                    if keyword.arg and _is_state_field(keyword.arg):
                        found.append((node.lineno, f"update({keyword.arg}=)"))
            if name == "bulk_update" and len(node.args) > 1:
                for field in _strings(node.args[1]):
                    if _is_state_field(field):
                        found.append((node.lineno, f"bulk_update({field!r})"))
            if isinstance(func, ast.Name) and func.id == "setattr" and node.args:
                for field in _strings(node.args[1]) if len(node.args) > 1 else []:
                    if _is_state_field(field):
                        found.append((node.lineno, f"setattr({field!r})"))
    return found


def _project_modules():
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if "/migrations/" in relative or "/tests/" in relative:
                continue
            yield relative, path


def test_no_module_writes_a_state_field_outside_the_state_machines():
    writes = [
        f"{relative}:{line}: {how}"
        for relative, path in _project_modules()
        if relative not in ALLOWED
        for line, how in state_writes(path.read_text(encoding="utf-8"))
    ]

    assert writes == []


def test_the_allowed_modules_exist():
    modules = {relative for relative, _ in _project_modules()}

    assert modules >= ALLOWED


def test_every_kind_of_state_write_is_found():
    source = textwrap.dedent(
        """
        file.state = "ready"
        entry.guardian_state = "confirmed"
        round_.state, other = "open", 1
        Entry.objects.filter(pk=1).update(state="withdrawn", reason="")
        Entry.objects.update(guardian_state="pending")
        setattr(file, "state", "failed")
        ArtworkFile.objects.bulk_update(files, ["state", "reason"])
        """
    )

    assert [how for _, how in state_writes(source)] == [
        ".state =",
        ".guardian_state =",
        ".state =",
        "update(state=)",
        "update(guardian_state=)",
        "setattr('state')",
        "bulk_update('state')",
    ]


def test_reads_and_creations_are_not_state_writes():
    source = textwrap.dedent(
        """
        if file.state == "ready":
            pass
        old = entry.guardian_state
        entry._state.adding = False
        ArtworkFile.objects.create(state="awaiting_upload")
        Entry.objects.filter(state="draft").update(reminded_at=now)
        setattr(entry, "title_en", "Dusk")
        """
    )

    assert state_writes(source) == []
