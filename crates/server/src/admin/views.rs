//! How operators see each entity: ids and keys, UTC and branch-local times.
//!
//! Each entity has one view type here: it is what the API answers (the `*_json` functions
//! serialise it) and what the OpenAPI document describes (`ToSchema`), so the two cannot differ.

use frontdesk_domain::availability::Slot;
use frontdesk_domain::call::CallRecord;
use frontdesk_domain::directory::{CompanyEntry, Directory};
use frontdesk_domain::notification::Notification;
use frontdesk_domain::records::{Appointment, CallbackRequest, Customer, FunctionTrace, OutboxJob, WebhookEvent};
use frontdesk_store::model::{ApiToken, AuditEntry, User};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::Serialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

fn value<T: Serialize>(view: &T) -> Value {
    // Serialising a view (strings, numbers, timestamps, JSON values) cannot fail.
    serde_json::to_value(view).unwrap_or(Value::Null)
}

/// A branch of a company.
#[derive(Serialize, ToSchema)]
pub struct BranchView {
    id: i64,
    key: String,
    name: String,
    address: Option<String>,
    time_zone: Option<String>,
    phone_numbers: Vec<String>,
    /// `{"mon": ["09:00-18:00"], …}`; absent days are closed.
    #[schema(value_type = Object)]
    hours: Value,
    #[schema(value_type = Vec<String>, format = Date)]
    closures: Value,
}

/// A bookable service.
#[derive(Serialize, ToSchema)]
pub struct ServiceView {
    id: i64,
    key: String,
    name: String,
    category: Option<String>,
    synonyms: Vec<String>,
    duration_minutes: u32,
    price_cents: Option<i64>,
    buffer_before: u32,
    buffer_after: u32,
    minimum_notice_minutes: u32,
    booking_window_days: u32,
    slot_interval_minutes: u32,
    /// `[{"name", "duration", "staff_busy"}]`.
    #[schema(value_type = Vec<Object>)]
    segments: Value,
}

/// A staff member.
#[derive(Serialize, ToSchema)]
pub struct StaffView {
    id: i64,
    key: String,
    name: String,
    branch: Option<String>,
    services: Vec<String>,
    /// Own hours within the branch's, if any.
    #[schema(value_type = Option<Object>)]
    hours: Value,
    /// `[{"from", "to"}]` from the tenant file.
    #[schema(value_type = Vec<Object>)]
    absences: Value,
}

/// A company's Cal.com connection, without secrets.
#[derive(Serialize, ToSchema)]
pub struct CalcomView {
    connected: bool,
    #[schema(value_type = Object)]
    event_types: Value,
    #[schema(value_type = Object)]
    users: Value,
}

/// A company with its branches, services and staff; never its secrets.
#[derive(Serialize, ToSchema)]
pub struct CompanyView {
    id: i64,
    key: String,
    name: String,
    locale: String,
    time_zone: Option<String>,
    currency: String,
    branches: Vec<BranchView>,
    services: Vec<ServiceView>,
    calcom: Option<CalcomView>,
    staff: Vec<StaffView>,
}

/// A company with its branches, services and staff; never its secrets.
pub fn company_json(e: &CompanyEntry) -> Value {
    let c = &e.company.def;
    let view = CompanyView {
        id: e.company.id.0,
        key: c.key.to_string(),
        name: c.name.clone(),
        locale: c.locale.tag().to_owned(),
        time_zone: c.time_zone.iana_name().map(str::to_owned),
        currency: c.currency.code().to_owned(),
        branches: e
            .branches
            .iter()
            .map(|b| BranchView {
                id: b.id.0,
                key: b.def.key.to_string(),
                name: b.def.name.clone(),
                address: b.def.address.clone(),
                time_zone: b.def.time_zone.iana_name().map(str::to_owned),
                phone_numbers: b.def.phone_numbers.iter().map(|n| n.as_str().to_owned()).collect(),
                hours: value(&b.def.hours),
                closures: value(&b.def.closures),
            })
            .collect(),
        services: e
            .services
            .iter()
            .map(|s| ServiceView {
                id: s.id.0,
                key: s.def.key.to_string(),
                name: s.def.name.clone(),
                category: s.def.category.clone(),
                synonyms: s.def.synonyms.clone(),
                duration_minutes: s.def.duration(),
                price_cents: s.def.price.map(|p| p.0),
                buffer_before: s.def.buffer_before,
                buffer_after: s.def.buffer_after,
                minimum_notice_minutes: s.def.minimum_notice,
                booking_window_days: s.def.booking_window_days,
                slot_interval_minutes: s.def.slot_interval,
                segments: value(&s.def.segments),
            })
            .collect(),
        calcom: e.calcom.as_ref().map(|link| CalcomView {
            connected: true,
            event_types: link
                .event_types
                .iter()
                .map(|(service, id)| {
                    (e.service(*service).map_or_else(|| service.to_string(), |s| s.def.key.to_string()), json!(id))
                })
                .collect::<serde_json::Map<_, _>>()
                .into(),
            users: link
                .users
                .iter()
                .map(|(staff, id)| {
                    (e.staff_member(*staff).map_or_else(|| staff.to_string(), |s| s.def.key.to_string()), json!(id))
                })
                .collect::<serde_json::Map<_, _>>()
                .into(),
        }),
        staff: e
            .staff
            .iter()
            .map(|s| StaffView {
                id: s.id.0,
                key: s.def.key.to_string(),
                name: s.def.name.clone(),
                branch: e.branch(s.branch_id).map(|b| b.def.key.to_string()),
                services: s.def.services.iter().map(ToString::to_string).collect(),
                hours: value(&s.def.hours),
                absences: value(&s.def.absences),
            })
            .collect(),
    };
    value(&view)
}

/// One part of an appointment.
#[derive(Serialize, ToSchema)]
pub struct SegmentView {
    name: String,
    #[schema(value_type = String, format = DateTime)]
    start: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    end: Timestamp,
    staff_busy: bool,
    /// The staff member's blocked time (buffers included), for staff-busy parts.
    #[schema(value_type = Option<String>, format = DateTime)]
    blocks_from: Option<Timestamp>,
    #[schema(value_type = Option<String>, format = DateTime)]
    blocks_until: Option<Timestamp>,
}

/// An appointment for operators: ids and keys, UTC and branch-local times.
#[derive(Serialize, ToSchema)]
pub struct AppointmentView {
    id: i64,
    company: Option<String>,
    branch: Option<String>,
    service: Option<String>,
    staff: Option<String>,
    company_id: i64,
    customer_id: i64,
    #[schema(value_type = String, format = DateTime)]
    start: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    end: Timestamp,
    /// The start in the branch's time zone, with its offset.
    local_start: String,
    /// `booked`, `cancelled`, `completed` or `no_show`.
    status: String,
    /// `phone`, `admin` or `calcom`.
    source: String,
    call_id: Option<i64>,
    reschedule_count: u32,
    notes: Option<String>,
    #[schema(value_type = Option<String>, format = DateTime)]
    cancelled_at: Option<Timestamp>,
    cancellation_fee_cents: Option<i64>,
    calcom_uid: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    created_at: Timestamp,
    segments: Vec<SegmentView>,
}

/// An appointment for operators: ids and keys, UTC and branch-local times.
pub fn appointment_json(dir: &Directory, a: &Appointment) -> Value {
    let entry = dir.company(a.company_id);
    let tz = entry.and_then(|e| e.branch(a.branch_id)).map_or(TimeZone::UTC, |b| b.def.time_zone.clone());
    let view = AppointmentView {
        id: a.id.0,
        company: entry.map(|e| e.company.def.key.to_string()),
        branch: entry.and_then(|e| e.branch(a.branch_id)).map(|b| b.def.key.to_string()),
        service: entry.and_then(|e| e.service(a.service_id)).map(|s| s.def.key.to_string()),
        staff: entry.and_then(|e| e.staff_member(a.staff_id)).map(|s| s.def.key.to_string()),
        company_id: a.company_id.0,
        customer_id: a.customer_id.0,
        start: a.range.start(),
        end: a.range.end(),
        local_start: local(a.range.start(), &tz),
        status: a.status.as_str().to_owned(),
        source: a.source.as_str().to_owned(),
        call_id: a.call_id.map(|c| c.0),
        reschedule_count: a.reschedule_count,
        notes: a.notes.clone(),
        cancelled_at: a.cancelled_at,
        cancellation_fee_cents: a.cancellation_fee.map(|f| f.0),
        calcom_uid: a.calcom_uid.clone(),
        created_at: a.created_at,
        segments: a
            .segments
            .iter()
            .map(|s| SegmentView {
                name: s.name.clone(),
                start: s.range.start(),
                end: s.range.end(),
                staff_busy: s.staff_busy,
                blocks_from: s.block.map(|b| b.start()),
                blocks_until: s.block.map(|b| b.end()),
            })
            .collect(),
    };
    value(&view)
}

pub(crate) fn local(t: Timestamp, tz: &TimeZone) -> String {
    t.to_zoned(tz.clone()).strftime("%Y-%m-%dT%H:%M:%S%:z").to_string()
}

/// A time that can be booked, offered as an alternative.
#[derive(Serialize, ToSchema)]
pub struct SlotView {
    #[schema(value_type = String, format = DateTime)]
    start: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    end: Timestamp,
    local_start: String,
    staff: Option<String>,
}

/// A slot offered as an alternative.
pub fn slot_json(entry: &CompanyEntry, tz: &TimeZone, slot: &Slot) -> Value {
    value(&SlotView {
        start: slot.start,
        end: slot.end,
        local_start: local(slot.start, tz),
        staff: entry.staff_member(slot.staff_id).map(|s| s.def.key.to_string()),
    })
}

/// A customer of one company.
#[derive(Serialize, ToSchema)]
pub struct CustomerView {
    id: i64,
    company_id: i64,
    name: Option<String>,
    salutation: Option<String>,
    phone: Option<String>,
    email: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    created_at: Timestamp,
}

/// A customer for operators.
pub fn customer_json(c: &Customer) -> Value {
    value(&CustomerView {
        id: c.id.0,
        company_id: c.company_id.0,
        name: c.name.clone(),
        salutation: c.salutation.clone(),
        phone: c.phone.as_ref().map(|p| p.as_str().to_owned()),
        email: c.email.as_ref().map(|e| e.as_str().to_owned()),
        created_at: c.created_at,
    })
}

/// A callback request.
#[derive(Serialize, ToSchema)]
pub struct CallbackView {
    id: i64,
    company_id: i64,
    branch_id: Option<i64>,
    call_id: Option<i64>,
    customer_id: Option<i64>,
    name: Option<String>,
    phone: Option<String>,
    reason: Option<String>,
    preferred_time: Option<String>,
    /// `open` or `done`.
    status: String,
    #[schema(value_type = String, format = DateTime)]
    created_at: Timestamp,
    assigned_user_id: Option<i64>,
    #[schema(value_type = Option<String>, format = DateTime)]
    done_at: Option<Timestamp>,
    done_note: Option<String>,
}

/// A callback request for operators.
pub fn callback_json(c: &CallbackRequest) -> Value {
    value(&CallbackView {
        id: c.id.0,
        company_id: c.company_id.0,
        branch_id: c.branch_id.map(|b| b.0),
        call_id: c.call_id.map(|b| b.0),
        customer_id: c.customer_id.map(|b| b.0),
        name: c.name.clone(),
        phone: c.phone.as_ref().map(|p| p.as_str().to_owned()),
        reason: c.reason.clone(),
        preferred_time: c.preferred_time.clone(),
        status: c.status.as_str().to_owned(),
        created_at: c.created_at,
        assigned_user_id: c.assigned_user_id.map(|u| u.0),
        done_at: c.done_at,
        done_note: c.done_note.clone(),
    })
}

/// An operator's user account; never the password hash.
#[derive(Serialize, ToSchema)]
pub struct UserView {
    id: i64,
    company_id: Option<i64>,
    email: String,
    name: Option<String>,
    /// `platform_admin`, `owner` or `staff`.
    role: String,
    disabled: bool,
    #[schema(value_type = Option<String>, format = DateTime)]
    disabled_at: Option<Timestamp>,
    /// The dashboard's language (`de`, `en`); unset follows the company's.
    language: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    created_at: Timestamp,
}

/// A user for operators: never the password hash.
pub fn user_json(u: &User) -> Value {
    value(&UserView {
        id: u.id.0,
        company_id: u.company_id.map(|c| c.0),
        email: u.email.clone(),
        name: u.name.clone(),
        role: u.role.as_str().to_owned(),
        disabled: u.disabled_at.is_some(),
        disabled_at: u.disabled_at,
        language: u.language.map(|l| l.code().to_owned()),
        created_at: u.created_at,
    })
}

/// An API token; never its secret, only the prefix that recognises it.
#[derive(Serialize, ToSchema)]
pub struct TokenView {
    id: i64,
    company_id: Option<i64>,
    role: String,
    name: String,
    prefix: String,
    created_by: Option<i64>,
    #[schema(value_type = Option<String>, format = DateTime)]
    expires_at: Option<Timestamp>,
    #[schema(value_type = Option<String>, format = DateTime)]
    last_used_at: Option<Timestamp>,
    #[schema(value_type = Option<String>, format = DateTime)]
    revoked_at: Option<Timestamp>,
    #[schema(value_type = String, format = DateTime)]
    created_at: Timestamp,
}

/// An API token for operators: never its secret, only the prefix that recognises it.
pub fn token_json(t: &ApiToken) -> Value {
    value(&TokenView {
        id: t.id.0,
        company_id: t.company_id.map(|c| c.0),
        role: t.role.as_str().to_owned(),
        name: t.name.clone(),
        prefix: t.prefix.clone(),
        created_by: t.created_by.map(|u| u.0),
        expires_at: t.expires_at,
        last_used_at: t.last_used_at,
        revoked_at: t.revoked_at,
        created_at: t.created_at,
    })
}

/// Who made a change.
#[derive(Serialize, ToSchema)]
pub struct ActorView {
    /// `user`, `token`, `admin_token` or `cli`.
    kind: String,
    id: Option<i64>,
    label: String,
}

/// An entry of the audit log.
#[derive(Serialize, ToSchema)]
pub struct AuditView {
    id: i64,
    company_id: Option<i64>,
    actor: ActorView,
    action: String,
    entity: String,
    entity_id: Option<String>,
    #[schema(value_type = Option<Object>)]
    before: Option<Value>,
    #[schema(value_type = Option<Object>)]
    after: Option<Value>,
    overridden: Vec<String>,
    #[schema(value_type = String, format = DateTime)]
    at: Timestamp,
}

/// An audit log entry.
pub fn audit_json(e: &AuditEntry) -> Value {
    value(&AuditView {
        id: e.id.0,
        company_id: e.company_id.map(|c| c.0),
        actor: ActorView { kind: e.actor_kind.clone(), id: e.actor_id, label: e.actor_label.clone() },
        action: e.action.clone(),
        entity: e.entity.clone(),
        entity_id: e.entity_id.clone(),
        before: e.before.clone(),
        after: e.after.clone(),
        overridden: e.overridden.clone(),
        at: e.at,
    })
}

/// A phone call.
#[derive(Serialize, ToSchema)]
pub struct CallView {
    id: i64,
    /// The voice platform's call id.
    call_id: String,
    company: Option<String>,
    branch: Option<String>,
    customer_id: Option<i64>,
    status: String,
    from_number: Option<String>,
    to_number: Option<String>,
    agent_id: Option<String>,
    direction: Option<String>,
    #[schema(value_type = Option<String>, format = DateTime)]
    started_at: Option<Timestamp>,
    #[schema(value_type = Option<String>, format = DateTime)]
    ended_at: Option<Timestamp>,
    duration_ms: Option<i64>,
    disconnection_reason: Option<String>,
    transcript: Option<String>,
    recording_url: Option<String>,
    public_log_url: Option<String>,
    #[schema(value_type = Option<Object>)]
    analysis: Option<Value>,
    cost_cents: Option<i64>,
    #[schema(value_type = String, format = DateTime)]
    first_seen_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    last_event_at: Timestamp,
}

/// A call for operators.
pub fn call_json(dir: &Directory, c: &CallRecord) -> Value {
    let company = c.links.company_id.and_then(|id| dir.company(id));
    // Operators see numbers in full (the admin API is authenticated); logs never do.
    value(&CallView {
        id: c.id.0,
        call_id: c.external_id.as_str().to_owned(),
        company: company.map(|e| e.company.def.key.to_string()),
        branch: company.zip(c.links.branch_id).and_then(|(e, b)| e.branch(b)).map(|b| b.def.key.to_string()),
        customer_id: c.links.customer_id.map(|c| c.0),
        status: c.status.as_str().to_owned(),
        from_number: c.facts.from_number.clone(),
        to_number: c.facts.to_number.clone(),
        agent_id: c.facts.agent_id.clone(),
        direction: c.facts.direction.clone(),
        started_at: c.facts.started_at,
        ended_at: c.facts.ended_at,
        duration_ms: c.facts.duration_ms,
        disconnection_reason: c.facts.disconnection_reason.clone(),
        transcript: c.facts.transcript.clone(),
        recording_url: c.facts.recording_url.clone(),
        public_log_url: c.facts.public_log_url.clone(),
        analysis: c.facts.analysis.as_deref().and_then(|a| serde_json::from_str::<Value>(a).ok()),
        cost_cents: c.facts.cost.map(|c| c.0),
        first_seen_at: c.first_seen_at,
        last_event_at: c.last_event_at,
    })
}

/// One function call of a call, as answered.
#[derive(Serialize, ToSchema)]
pub struct TraceView {
    id: i64,
    name_sent: String,
    function: Option<String>,
    #[schema(value_type = Object)]
    arguments: Value,
    #[schema(value_type = Object)]
    response: Value,
    status: String,
    success: bool,
    replayed: bool,
    duration_us: i64,
    #[schema(value_type = String, format = DateTime)]
    created_at: Timestamp,
}

/// A function trace for operators.
pub fn trace_json(t: &FunctionTrace) -> Value {
    value(&TraceView {
        id: t.id.0,
        name_sent: t.trace.name_sent.clone(),
        function: t.trace.function.clone(),
        arguments: t.trace.arguments.clone(),
        response: t.trace.response.clone(),
        status: t.trace.status.clone(),
        success: t.trace.success,
        replayed: t.trace.replayed,
        duration_us: t.trace.duration_us,
        created_at: t.trace.at,
    })
}

/// A stored webhook delivery.
#[derive(Serialize, ToSchema)]
pub struct EventView {
    id: i64,
    /// `retell` or `calcom`.
    provider: String,
    event: String,
    dedupe_key: Option<String>,
    call_id: Option<String>,
    company_id: Option<i64>,
    /// `pending`, `processed`, `failed` or `ignored`.
    status: String,
    error: Option<String>,
    attempts: i32,
    #[schema(value_type = String, format = DateTime)]
    received_at: Timestamp,
    #[schema(value_type = Option<String>, format = DateTime)]
    processed_at: Option<Timestamp>,
    /// The delivery as received (JSON, or the raw text if it was not JSON).
    #[schema(value_type = Object)]
    payload: Value,
}

/// A webhook delivery for operators.
pub fn event_json(e: &WebhookEvent) -> Value {
    value(&EventView {
        id: e.id.0,
        provider: e.provider.as_str().to_owned(),
        event: e.event_type.clone(),
        dedupe_key: e.dedupe_key.clone(),
        call_id: e.external_call_id.clone(),
        company_id: e.company_id.map(|c| c.0),
        status: e.status.as_str().to_owned(),
        error: e.error.clone(),
        attempts: e.attempts,
        received_at: e.received_at,
        processed_at: e.processed_at,
        payload: serde_json::from_str::<Value>(&e.payload).unwrap_or(Value::String(e.payload.clone())),
    })
}

/// A change waiting for (or done in) Cal.com.
#[derive(Serialize, ToSchema)]
pub struct JobView {
    id: i64,
    company_id: i64,
    appointment_id: i64,
    kind: String,
    status: String,
    attempts: i32,
    #[schema(value_type = String, format = DateTime)]
    run_after: Timestamp,
    last_error: Option<String>,
    #[schema(value_type = Object)]
    payload: Value,
    #[schema(value_type = String, format = DateTime)]
    created_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    updated_at: Timestamp,
}

/// A notification: what was (or will be) sent to whom, and how it went.
#[derive(Serialize, ToSchema)]
pub struct NotificationView {
    id: i64,
    company_id: i64,
    /// `confirmation`, `moved`, `cancelled`, `reminder` or `callback_alert`.
    kind: String,
    /// `email` or `sms`.
    channel: String,
    recipient: String,
    appointment_id: Option<i64>,
    customer_id: Option<i64>,
    callback_id: Option<i64>,
    /// The calendar entry's `SEQUENCE`.
    sequence: u32,
    /// The `Message-ID`'s unique part, the same on every attempt.
    message_id: String,
    /// `pending`, `running`, `sent`, `failed`, `skipped` or `withdrawn`.
    status: String,
    attempts: i32,
    /// When it is due (business clock).
    #[schema(value_type = String, format = DateTime)]
    due_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    run_after: Timestamp,
    last_error: Option<String>,
    #[schema(value_type = Option<String>, format = DateTime)]
    sent_at: Option<Timestamp>,
    /// What it says (times, names, a callback's details).
    #[schema(value_type = Object)]
    facts: Value,
    #[schema(value_type = String, format = DateTime)]
    created_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    updated_at: Timestamp,
}

/// A notification for operators.
pub fn notification_json(n: &Notification) -> Value {
    value(&NotificationView {
        id: n.id.0,
        company_id: n.company_id.0,
        kind: n.kind.as_str().to_owned(),
        channel: n.channel.as_str().to_owned(),
        recipient: n.recipient.clone(),
        appointment_id: n.appointment_id.map(|a| a.0),
        customer_id: n.customer_id.map(|c| c.0),
        callback_id: n.callback_id.map(|c| c.0),
        sequence: n.sequence,
        message_id: n.message_id.clone(),
        status: n.status.as_str().to_owned(),
        attempts: n.attempts,
        due_at: n.due_at,
        run_after: n.run_after,
        last_error: n.last_error.clone(),
        sent_at: n.sent_at,
        facts: serde_json::to_value(&n.facts).unwrap_or(Value::Null),
        created_at: n.created_at,
        updated_at: n.updated_at,
    })
}

/// An outbox job for operators.
pub fn job_json(j: &OutboxJob) -> Value {
    value(&JobView {
        id: j.id.0,
        company_id: j.company_id.0,
        appointment_id: j.appointment_id.0,
        kind: j.kind.as_str().to_owned(),
        status: j.status.as_str().to_owned(),
        attempts: j.attempts,
        run_after: j.run_after,
        last_error: j.last_error.clone(),
        payload: j.payload.clone(),
        created_at: j.created_at,
        updated_at: j.updated_at,
    })
}
