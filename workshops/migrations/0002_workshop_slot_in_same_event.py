"""A database guard: a workshop's pass must belong to the workshop's own event.

A check constraint cannot look into another table, so this is a trigger, written for each
database reglab runs on.
"""

from django.db import migrations

MESSAGE = "workshop slot belongs to another event"

SQLITE_CREATE = [
    f"""
    CREATE TRIGGER workshops_workshop_slot_event_{op.lower()}
    BEFORE {op} ON workshops_workshop
    FOR EACH ROW
    WHEN (SELECT event_id FROM workshops_timeslot WHERE id = NEW.slot_id) != NEW.event_id
    BEGIN
        SELECT RAISE(ABORT, '{MESSAGE}');
    END;
    """
    for op in ("INSERT", "UPDATE")
]
SQLITE_DROP = [
    f"DROP TRIGGER IF EXISTS workshops_workshop_slot_event_{op};" for op in ("insert", "update")
]

POSTGRES_CREATE = [
    f"""
    CREATE FUNCTION workshops_workshop_slot_event_check() RETURNS trigger AS $$
    BEGIN
        IF (SELECT event_id FROM workshops_timeslot WHERE id = NEW.slot_id) <> NEW.event_id THEN
            RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NEW;
    END;
    $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER workshops_workshop_slot_event
    BEFORE INSERT OR UPDATE ON workshops_workshop
    FOR EACH ROW EXECUTE FUNCTION workshops_workshop_slot_event_check();
    """,
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS workshops_workshop_slot_event ON workshops_workshop;",
    "DROP FUNCTION IF EXISTS workshops_workshop_slot_event_check();",
]


def run(statements_by_vendor):
    def apply(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("workshops", "0001_initial")]

    operations = [
        migrations.RunPython(
            run({"sqlite": SQLITE_CREATE, "postgresql": POSTGRES_CREATE}),
            run({"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}),
        )
    ]
