"""The one shape of a state change, shared by every state machine of the project.

A state machine is declared once, beside its transition function::

    FILES = StateMachine(
        model=ArtworkFile,
        states=FileState,
        transitions=FILE_TRANSITIONS,
        refuse=lambda old, new: FileStateError(old, new),
    )

    def set_file_state(file, new_state, *, by, reason=""):
        return FILES.move(file, new_state, by=by, reason=reason)

``move`` returns early when nothing changes, refuses a move the table does not
allow with the caller's domain error, locks the row, sets the state and the fields
that go with it, saves only those fields, writes the audit event and queues the
side effects for the commit. It knows no app: the model, the table, the error and
the side effects are the caller's.
"""

from collections.abc import Callable, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from artsprize.common.audit import record_event
from artsprize.common.enums import AuditVerb


@dataclass(frozen=True)
class Move:
    """One allowed move, as the hooks of ``StateMachine.move`` see it: ``obj`` is
    the locked row, not yet changed."""

    obj: Any
    old: Any
    new: Any
    by: Any
    reason: str


def copy_row(target, source):
    """Give ``target`` what ``source`` (the same row, read under the lock) holds."""
    if target is source:
        return
    for field in source._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))


def refusal(error, message, **kwargs):
    """A ``refuse`` for ``StateMachine``: ``error`` raised with ``message``, whose
    ``%(old)s`` and ``%(new)s`` become the states' labels in the reader's
    language, and ``kwargs``."""

    def refuse(old, new):
        return error(message % {"old": old.label, "new": new.label}, **kwargs)

    return refuse


@dataclass(frozen=True)
class StateMachine:
    """The states of one field of one model and the moves allowed between them.

    ``transitions`` maps each state to the states it may move to. ``refuse(old,
    new)`` builds the domain error for a move the table does not allow. ``lock``
    reads the row under ``select_for_update`` (by default by primary key alone);
    ``refresh(obj, locked)`` gives the caller's instance what the locked row holds.
    ``verb`` is the audit verb of a move; ``touch`` the fields every save updates.
    """

    model: type
    states: type
    transitions: Mapping
    refuse: Callable[[Any, Any], Exception]
    field: str = "state"
    verb: str = AuditVerb.STATE_CHANGED
    lock: Callable[[Any], Any] | None = None
    refresh: Callable[[Any, Any], None] = copy_row
    touch: tuple = ("updated_at",)

    def may_move(self, old, new):
        return self.states(new) in self.transitions[self.states(old)]

    def locked(self, obj):
        if self.lock is not None:
            return self.lock(obj)
        return self.model._default_manager.select_for_update().get(pk=obj.pk)

    @contextmanager
    def holding(self, obj):
        """For the block, in a transaction, the row of ``obj`` read under its lock;
        after the block ``obj`` holds what the row holds (also after an early
        return from within, not after an error)."""
        with transaction.atomic():
            locked = self.locked(obj)
            yield locked
        self.refresh(obj, locked)

    def move(
        self,
        obj,
        new_state,
        *,
        by,
        reason="",
        only_if=None,
        changes=None,
        data=None,
        queue=(),
        on_commit=(),
        verb=None,
        held=False,
    ):
        """Move ``obj`` to ``new_state``; returns the locked row as it is afterwards.

        ``only_if(locked)``: when false, the row is left as another request or run
        made it and returned unchanged, without an error. ``changes(move)``: the
        other fields that change with the state, as a dict; it may raise the
        caller's error. ``data``: the audit event's data, a dict or ``data(move)``.
        ``queue``: callables given the move once it is saved and audited, inside
        the transaction, each queueing work for the commit through the project's
        queue functions. ``on_commit``: callables without arguments run once the
        transaction commits. ``held``: ``obj`` is already the row locked in the
        caller's transaction.
        """
        new_state = self.states(new_state)
        # A row the caller holds is changed within the caller's transaction: an
        # error here undoes the caller's whole change, so no savepoint is needed.
        with transaction.atomic(savepoint=not held):
            locked = obj if held else self.locked(obj)
            old_state = self.states(getattr(locked, self.field))
            if (only_if is not None and not only_if(locked)) or old_state == new_state:
                self.refresh(obj, locked)
                return locked
            if new_state not in self.transitions[old_state]:
                raise self.refuse(old_state, new_state)
            move = Move(obj=locked, old=old_state, new=new_state, by=by, reason=reason)
            fields = dict((changes(move) if callable(changes) else changes) or {})
            setattr(locked, self.field, new_state)
            for name, value in fields.items():
                setattr(locked, name, value)
            locked.save(update_fields=[self.field, *fields, *self.touch])
            record_event(
                actor=by,
                verb=verb or self.verb,
                obj=locked,
                from_state=old_state,
                to_state=new_state,
                reason=reason,
                data=data(move) if callable(data) else data,
            )
            for queue_effect in queue:
                queue_effect(move)
            for effect in on_commit:
                transaction.on_commit(effect, robust=True)
        self.refresh(obj, locked)
        return locked
