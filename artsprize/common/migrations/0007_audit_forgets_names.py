"""Let the append-only trigger of the audit log through one more change: erasing
the names an event keeps of a person whose account was deleted (the actor's
address, which becomes "(erased)", and the object's name, which becomes "#" and its
ID). Every other column
stays as it is; any other change is still refused."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION common_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE'
        AND (NEW.actor_id IS NULL OR NEW.actor_id = OLD.actor_id)
        AND (NEW.actor_repr = OLD.actor_repr OR NEW.actor_repr = '(erased)')
        AND (NEW.object_repr = OLD.object_repr OR NEW.object_repr = '#' || OLD.object_id)
        AND (to_jsonb(NEW) - 'actor_id' - 'actor_repr' - 'object_repr')
            = (to_jsonb(OLD) - 'actor_id' - 'actor_repr' - 'object_repr')
    THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'The audit log is append-only: % refused on common_auditevent', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""

PREVIOUS = """
CREATE OR REPLACE FUNCTION common_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE'
        AND OLD.actor_id IS NOT NULL
        AND NEW.actor_id IS NULL
        AND (to_jsonb(NEW) - 'actor_id') = (to_jsonb(OLD) - 'actor_id')
    THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'The audit log is append-only: % refused on common_auditevent', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def restore(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PREVIOUS, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("common", "0006_audit_verbs_of_screening"),
    ]

    operations = [
        migrations.RunPython(create, restore, elidable=False),
    ]
