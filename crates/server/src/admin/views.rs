//! How operators see each entity: ids and keys, UTC and branch-local times, JSON.

use frontdesk_domain::availability::Slot;
use frontdesk_domain::call::CallRecord;
use frontdesk_domain::directory::{CompanyEntry, Directory};
use frontdesk_domain::records::{Appointment, CallbackRequest, Customer, FunctionTrace, OutboxJob, WebhookEvent};
use frontdesk_store::model::{ApiToken, AuditEntry, User};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde_json::{Value, json};

/// A company with its branches, services and staff; never its secrets.
pub fn company_json(e: &CompanyEntry) -> Value {
    let c = &e.company.def;
    json!({
        "id": e.company.id,
        "key": c.key,
        "name": c.name,
        "locale": c.locale.tag(),
        "time_zone": c.time_zone.iana_name(),
        "currency": c.currency.code(),
        "branches": e.branches.iter().map(|b| json!({
            "id": b.id,
            "key": b.def.key,
            "name": b.def.name,
            "address": b.def.address,
            "time_zone": b.def.time_zone.iana_name(),
            "phone_numbers": b.def.phone_numbers,
            "hours": b.def.hours,
            "closures": b.def.closures,
        })).collect::<Vec<_>>(),
        "services": e.services.iter().map(|s| json!({
            "id": s.id,
            "key": s.def.key,
            "name": s.def.name,
            "category": s.def.category,
            "synonyms": s.def.synonyms,
            "duration_minutes": s.def.duration(),
            "price_cents": s.def.price.map(|p| p.0),
            "buffer_before": s.def.buffer_before,
            "buffer_after": s.def.buffer_after,
            "minimum_notice_minutes": s.def.minimum_notice,
            "booking_window_days": s.def.booking_window_days,
            "slot_interval_minutes": s.def.slot_interval,
            "segments": s.def.segments,
        })).collect::<Vec<_>>(),
        "calcom": e.calcom.as_ref().map(|link| json!({
            "connected": true,
            "event_types": link.event_types.iter()
                .map(|(service, id)| (e.service(*service).map_or_else(|| service.to_string(), |s| s.def.key.to_string()), json!(id)))
                .collect::<serde_json::Map<_, _>>(),
            "users": link.users.iter()
                .map(|(staff, id)| (e.staff_member(*staff).map_or_else(|| staff.to_string(), |s| s.def.key.to_string()), json!(id)))
                .collect::<serde_json::Map<_, _>>(),
        })),
        "staff": e.staff.iter().map(|s| json!({
            "id": s.id,
            "key": s.def.key,
            "name": s.def.name,
            "branch": e.branch(s.branch_id).map(|b| b.def.key.as_str()),
            "services": s.def.services,
            "hours": s.def.hours,
            "absences": s.def.absences,
        })).collect::<Vec<_>>(),
    })
}

/// An appointment for operators: ids and keys, UTC and branch-local times.
pub fn appointment_json(dir: &Directory, a: &Appointment) -> Value {
    let entry = dir.company(a.company_id);
    let tz = entry.and_then(|e| e.branch(a.branch_id)).map_or(TimeZone::UTC, |b| b.def.time_zone.clone());
    let key = |k: Option<&str>| k.map(str::to_owned);
    json!({
        "id": a.id,
        "company": key(entry.map(|e| e.company.def.key.as_str())),
        "branch": key(entry.and_then(|e| e.branch(a.branch_id)).map(|b| b.def.key.as_str())),
        "service": key(entry.and_then(|e| e.service(a.service_id)).map(|s| s.def.key.as_str())),
        "staff": key(entry.and_then(|e| e.staff_member(a.staff_id)).map(|s| s.def.key.as_str())),
        "company_id": a.company_id,
        "customer_id": a.customer_id,
        "start": a.range.start(),
        "end": a.range.end(),
        "local_start": local(a.range.start(), &tz),
        "status": a.status,
        "source": a.source,
        "call_id": a.call_id,
        "reschedule_count": a.reschedule_count,
        "notes": a.notes,
        "cancelled_at": a.cancelled_at,
        "cancellation_fee_cents": a.cancellation_fee.map(|f| f.0),
        "calcom_uid": a.calcom_uid,
        "created_at": a.created_at,
        "segments": a.segments.iter().map(|s| json!({
            "name": s.name,
            "start": s.range.start(),
            "end": s.range.end(),
            "staff_busy": s.staff_busy,
            "blocks_from": s.block.map(|b| b.start()),
            "blocks_until": s.block.map(|b| b.end()),
        })).collect::<Vec<_>>(),
    })
}

pub(crate) fn local(t: Timestamp, tz: &TimeZone) -> String {
    t.to_zoned(tz.clone()).strftime("%Y-%m-%dT%H:%M:%S%:z").to_string()
}

/// A slot offered as an alternative.
pub fn slot_json(entry: &CompanyEntry, tz: &TimeZone, slot: &Slot) -> Value {
    json!({
        "start": slot.start,
        "end": slot.end,
        "local_start": local(slot.start, tz),
        "staff": entry.staff_member(slot.staff_id).map(|s| s.def.key.as_str()),
    })
}

/// A customer for operators.
pub fn customer_json(c: &Customer) -> Value {
    json!({
        "id": c.id,
        "company_id": c.company_id,
        "name": c.name,
        "salutation": c.salutation,
        "phone": c.phone,
        "email": c.email,
        "created_at": c.created_at,
    })
}

/// A callback request for operators.
pub fn callback_json(c: &CallbackRequest) -> Value {
    json!({
        "id": c.id,
        "company_id": c.company_id,
        "branch_id": c.branch_id,
        "call_id": c.call_id,
        "customer_id": c.customer_id,
        "name": c.name,
        "phone": c.phone,
        "reason": c.reason,
        "preferred_time": c.preferred_time,
        "status": c.status,
        "created_at": c.created_at,
        "assigned_user_id": c.assigned_user_id,
        "done_at": c.done_at,
        "done_note": c.done_note,
    })
}

/// A user for operators: never the password hash.
pub fn user_json(u: &User) -> Value {
    json!({
        "id": u.id,
        "company_id": u.company_id,
        "email": u.email,
        "name": u.name,
        "role": u.role,
        "disabled": u.disabled_at.is_some(),
        "disabled_at": u.disabled_at,
        "created_at": u.created_at,
    })
}

/// An API token for operators: never its secret, only the prefix that recognises it.
pub fn token_json(t: &ApiToken) -> Value {
    json!({
        "id": t.id,
        "company_id": t.company_id,
        "role": t.role,
        "name": t.name,
        "prefix": t.prefix,
        "created_by": t.created_by,
        "expires_at": t.expires_at,
        "last_used_at": t.last_used_at,
        "revoked_at": t.revoked_at,
        "created_at": t.created_at,
    })
}

/// An audit log entry.
pub fn audit_json(e: &AuditEntry) -> Value {
    json!({
        "id": e.id,
        "company_id": e.company_id,
        "actor": {"kind": e.actor_kind, "id": e.actor_id, "label": e.actor_label},
        "action": e.action,
        "entity": e.entity,
        "entity_id": e.entity_id,
        "before": e.before,
        "after": e.after,
        "overridden": e.overridden,
        "at": e.at,
    })
}

/// A call for operators.
pub fn call_json(dir: &Directory, c: &CallRecord) -> Value {
    let company = c.links.company_id.and_then(|id| dir.company(id));
    // Operators see numbers in full (the admin API is authenticated); logs never do.
    let number = |n: &Option<String>| n.clone();
    json!({
        "id": c.id,
        "call_id": c.external_id,
        "company": company.map(|e| e.company.def.key.as_str()),
        "branch": company.zip(c.links.branch_id).and_then(|(e, b)| e.branch(b)).map(|b| b.def.key.as_str()),
        "customer_id": c.links.customer_id,
        "status": c.status,
        "from_number": number(&c.facts.from_number),
        "to_number": number(&c.facts.to_number),
        "agent_id": c.facts.agent_id,
        "direction": c.facts.direction,
        "started_at": c.facts.started_at,
        "ended_at": c.facts.ended_at,
        "duration_ms": c.facts.duration_ms,
        "disconnection_reason": c.facts.disconnection_reason,
        "transcript": c.facts.transcript,
        "recording_url": c.facts.recording_url,
        "public_log_url": c.facts.public_log_url,
        "analysis": c.facts.analysis.as_deref().and_then(|a| serde_json::from_str::<Value>(a).ok()),
        "cost_cents": c.facts.cost.map(|c| c.0),
        "first_seen_at": c.first_seen_at,
        "last_event_at": c.last_event_at,
    })
}

/// A function trace for operators.
pub fn trace_json(t: &FunctionTrace) -> Value {
    json!({
        "id": t.id,
        "name_sent": t.trace.name_sent,
        "function": t.trace.function,
        "arguments": t.trace.arguments,
        "response": t.trace.response,
        "status": t.trace.status,
        "success": t.trace.success,
        "replayed": t.trace.replayed,
        "duration_us": t.trace.duration_us,
        "created_at": t.trace.at,
    })
}

/// A webhook delivery for operators.
pub fn event_json(e: &WebhookEvent) -> Value {
    json!({
        "id": e.id,
        "provider": e.provider,
        "event": e.event_type,
        "dedupe_key": e.dedupe_key,
        "call_id": e.external_call_id,
        "company_id": e.company_id,
        "status": e.status,
        "error": e.error,
        "attempts": e.attempts,
        "received_at": e.received_at,
        "processed_at": e.processed_at,
        "payload": serde_json::from_str::<Value>(&e.payload).unwrap_or(Value::String(e.payload.clone())),
    })
}

/// An outbox job for operators.
pub fn job_json(j: &OutboxJob) -> Value {
    json!({
        "id": j.id,
        "company_id": j.company_id,
        "appointment_id": j.appointment_id,
        "kind": j.kind,
        "status": j.status,
        "attempts": j.attempts,
        "run_after": j.run_after,
        "last_error": j.last_error,
        "payload": j.payload,
        "created_at": j.created_at,
        "updated_at": j.updated_at,
    })
}
