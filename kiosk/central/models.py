"""Tables of the central service (SQLAlchemy 2 Core). The schema is created and changed only by the
Alembic migrations in kiosk/central/migrations; a test checks that they produce exactly these tables.

Personal data is never stored in clear: `visits.record_enc` (the pushed record without the photo),
`visits.photo_enc` and `feed.item_enc` are AES-GCM ciphertexts (kiosk/central/keys.py). Times are UTC
text of fixed width (`2026-11-23T01:30:00.000000Z`), so they sort as times on every database.
"""
from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
)

SeqType = BigInteger().with_variant(Integer, "sqlite")  # SQLite autoincrements only INTEGER PRIMARY KEY

meta = MetaData()

visits = Table(
    "visits", meta,
    Column("visit_id", String(36), primary_key=True),
    Column("office", String(32), nullable=False),
    Column("device_id", String(64), nullable=False),
    Column("state", String(16), nullable=False),
    Column("state_key", String(80), nullable=False),  # precedence of the current state (kiosk.domain.convergence)
    Column("created_at", String(32), nullable=False),
    Column("updated_at", String(32), nullable=False),
    Column("record_enc", Text, nullable=False),
    Column("body_hash", String(64), nullable=False),  # of the pushed body, to tell a true repeat from a conflict
    Column("photo_enc", LargeBinary, nullable=True),
    Column("subject_hash", String(64), nullable=True),  # keyed hash of the NIK (erasure by data subject)
    Column("loker", Integer, nullable=True),
    Index("ix_visits_office_created", "office", "created_at"),
    Index("ix_visits_subject", "office", "subject_hash"),
)
events = Table(
    "events", meta,
    Column("seq", SeqType, primary_key=True, autoincrement=True),
    Column("event_id", String(36), nullable=False, unique=True),
    Column("visit_id", String(36), nullable=False, index=True),
    Column("office", String(32), nullable=False),
    Column("body_hash", String(64), nullable=False),
    Column("body", Text, nullable=False),  # the event as pushed (JSON); events carry no personal data
)
feed = Table(
    "feed", meta,
    Column("seq", SeqType, primary_key=True, autoincrement=True),
    Column("office", String(32), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("visit_id", String(36), nullable=False, index=True),
    Column("item_enc", Text, nullable=False),
    Column("created_at", String(32), nullable=False),
    Index("ix_feed_office_seq", "office", "seq"),
)
idempotency = Table(
    "idempotency", meta,
    Column("office", String(32), primary_key=True),
    Column("key", String(200), primary_key=True),
    Column("request_hash", String(64), nullable=False),
    Column("status", Integer, nullable=False),
    Column("response", Text, nullable=False),
    Column("replays", Integer, nullable=False, default=0),
    Column("created_at", String(32), nullable=False),
)
hosts = Table(
    "hosts", meta,
    Column("office", String(32), primary_key=True),
    Column("id", String(64), primary_key=True),
    Column("nama", String(200), nullable=False),
    Column("bidang", String(200), nullable=False, default=""),
    Column("jabatan", String(200), nullable=False, default=""),
    Column("no_hp", String(20), nullable=False, default=""),
    Column("active", Boolean, nullable=False, default=True),
    Column("photo_enc", LargeBinary, nullable=True),  # optional, edited on the desk (kiosk/central/desk_office.py)
    Column("updated_at", String(32), nullable=True),
)
notices = Table(
    "notices", meta,
    Column("message_id", String(200), primary_key=True),
    Column("office", String(32), nullable=False),
    Column("visit_id", String(36), nullable=False, index=True),
    Column("host_id", String(64), nullable=False, default=""),
    Column("channel", String(32), nullable=False, default=""),
    Column("status", String(16), nullable=False),
)
credentials = Table(
    "credentials", meta,
    Column("id", String(36), primary_key=True),
    Column("office", String(32), nullable=False),
    Column("device_id", String(64), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),  # SHA-256 of a 256-bit random token
    Column("created_at", String(32), nullable=False),
    Column("revoked_at", String(32), nullable=True),
)
erasures = Table(
    "erasures", meta,
    Column("office", String(32), primary_key=True),
    Column("request_id", String(36), primary_key=True),
    Column("received_at", String(32), nullable=False),
    Column("visits_deleted", Integer, nullable=False),
)

# SKM answers pushed by the kiosks (survey.response): one row per respondent, the nine answers as columns so
# the report sums them in SQL; no name or NIK, the free-text comment encrypted.
survey_responses = Table(
    "survey_responses", meta,
    Column("response_id", String(36), primary_key=True),
    Column("office", String(32), nullable=False),
    Column("device_id", String(64), nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("visit_id", String(36), nullable=True),
    Column("source", String(16), nullable=False),
    *(Column(f"u{i}", SmallInteger, nullable=False) for i in range(1, 10)),
    Column("age_group", String(64), nullable=False, default=""),
    Column("sex", String(64), nullable=False, default=""),
    Column("education", String(64), nullable=False, default=""),
    Column("occupation", String(64), nullable=False, default=""),
    Column("comment_enc", Text, nullable=True),
    Column("body_hash", String(64), nullable=False),
    Index("ix_survey_responses_office_created", "office", "created_at"),
)

# --- the office web desk (kiosk/central/desk.py) ---
desk_users = Table(
    "desk_users", meta,
    Column("id", String(36), primary_key=True),
    Column("office", String(32), nullable=False),
    Column("name", String(64), nullable=False),  # the log-in name, unique per office
    Column("role", String(16), nullable=False),  # ptsp, host, intel, head, admin; kejati, national (read-only)
    Column("scope", Text, nullable=True),  # kejati: the offices it reads, space-separated; national: "*"
    Column("host_id", String(64), nullable=True),  # role host: its host-directory entry (sees only its own guests)
    Column("password_hash", String(200), nullable=False),  # argon2id
    Column("failed", Integer, nullable=False, default=0),  # wrong passwords in a row
    Column("locked_until", String(32), nullable=True),
    Column("created_at", String(32), nullable=False),
    Index("ux_desk_users_office_name", "office", "name", unique=True),
)
desk_audit = Table(
    "desk_audit", meta,
    Column("seq", SeqType, primary_key=True, autoincrement=True),
    Column("office", String(32), nullable=False),
    Column("actor", String(100), nullable=False),  # user:<office>/<name> or host-link:<host id>
    Column("at", String(32), nullable=False),
    Column("visit_id", String(36), nullable=True),
    Column("action", String(32), nullable=False),  # viewed_list, viewed, answered, checked_out, login...
    Column("detail", String(200), nullable=False, default=""),
    Index("ix_desk_audit_office_at", "office", "at"),
)

# --- complaints and reports by WhatsApp (kiosk/central/complaints.py) ---
complaint_cases = Table(
    "complaint_cases", meta,
    Column("id", String(36), primary_key=True),
    Column("office", String(32), nullable=False),
    Column("number", String(32), nullable=False),  # ADU-<YYYY>-<NNNN>, per office and year; told to the reporter
    Column("channel", String(16), nullable=False),  # whatsapp | kiosk
    Column("phone_number_id", String(64), nullable=False, default=""),  # the office number that received it
    Column("reporter_hash", String(64), nullable=False),  # keyed hash of the WhatsApp number (find the open case)
    Column("reporter_enc", Text, nullable=False),  # {"wa_id", "name"} encrypted
    Column("visit_id", String(36), nullable=True, unique=True),  # a complaint made at the kiosk
    Column("status", String(16), nullable=False),  # open | answered | closed
    Column("assignee", String(64), nullable=False, default=""),
    Column("received_at", String(32), nullable=False),  # the clock starts here (working hours)
    Column("last_inbound_at", String(32), nullable=False),  # the reporter's last message (24-hour window)
    Column("answered_at", String(32), nullable=True),  # the first answer sent from the desk: the clock stops
    Column("closed_at", String(32), nullable=True),
    Column("outcome", String(8), nullable=True),  # met | late, recorded on closing
    Column("working_s", Integer, nullable=True),  # working seconds from received to answered (or closed)
    Column("alerted_at", String(32), nullable=True),  # the intel head was alerted (the clock passed the alert mark)
    Index("ux_complaint_cases_number", "office", "number", unique=True),
    Index("ix_complaint_cases_office_status", "office", "status"),
    Index("ix_complaint_cases_reporter", "office", "reporter_hash"),
)
complaint_items = Table(
    "complaint_items", meta,
    Column("id", String(36), primary_key=True),
    Column("case_id", String(36), nullable=False, index=True),
    Column("office", String(32), nullable=False),
    Column("message_id", String(200), nullable=True, unique=True),  # the inbound wamid: a repeated delivery is a no-op
    Column("direction", String(8), nullable=False),  # in | out
    Column("kind", String(16), nullable=False),  # text | image | document | kiosk | ack | answer
    Column("at", String(32), nullable=False),
    Column("actor", String(100), nullable=False, default=""),
    Column("body_enc", Text, nullable=False),  # the text or caption, encrypted
    Column("media_id", String(200), nullable=True),  # Cloud API media id, until the evidence is fetched
    Column("evidence_state", String(16), nullable=False, default=""),  # "" | pending | stored | refused
    Column("evidence_type", String(64), nullable=False, default=""),  # image/jpeg | application/pdf
    Column("evidence_size", Integer, nullable=False, default=0),
    Column("evidence_enc", LargeBinary, nullable=True),
    Column("evidence_note", String(200), nullable=False, default=""),  # why refused, the file name
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_at", String(32), nullable=True),  # the next fetch try (also the lease of a fetch in progress)
)
wa_outbox = Table(
    "wa_outbox", meta,
    Column("id", String(36), primary_key=True),
    Column("office", String(32), nullable=False),
    Column("idem_key", String(200), nullable=False, unique=True),  # one message per key, ever
    Column("case_id", String(36), nullable=True, index=True),
    Column("phone_number_id", String(64), nullable=False),
    Column("to_enc", Text, nullable=False),
    Column("payload_enc", Text, nullable=False),  # the Cloud API message body (JSON) without "to", encrypted
    Column("status", String(16), nullable=False),  # queued | sending | sent | failed | unknown
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_at", String(32), nullable=False),
    Column("lease_until", String(32), nullable=True),
    Column("wamid", String(200), nullable=True, index=True),
    Column("delivery", String(16), nullable=False, default=""),  # the status webhooks: sent, delivered, read, failed
    Column("last_error", String(200), nullable=False, default=""),
    Column("created_at", String(32), nullable=False),
    Column("sent_at", String(32), nullable=True),
    Index("ix_wa_outbox_status_next", "status", "next_at"),
)

# --- the desk's office parts (kiosk/central/desk_office.py): invitations (their messages go by wa_outbox) ---
invitations = Table(
    "invitations", meta,
    Column("invitation_id", String(16), primary_key=True),  # the signed token's id (kiosk/domain/invitation.py)
    Column("office", String(32), nullable=False),
    Column("purpose", String(32), nullable=False),
    Column("host_id", String(64), nullable=False),
    Column("host_name", String(200), nullable=False),
    Column("record_enc", Text, nullable=False),  # {nama, no_hp, nik}: the guest, encrypted
    Column("subject_hash", String(64), nullable=True),  # keyed hash of the NIK named (erasure by data subject)
    Column("key_id", String(8), nullable=False),
    Column("valid_from", String(32), nullable=False),
    Column("valid_until", String(32), nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("created_by", String(100), nullable=False),
    Column("revoked_at", String(32), nullable=True),
    Column("used_at", String(32), nullable=True),
    Column("used_visit_id", String(36), nullable=True),
    Index("ix_invitations_office_created", "office", "created_at"),
)
