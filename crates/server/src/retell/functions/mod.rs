//! `POST /retell/functions` and `POST /retell/functions/{name}`: the functions the voice agent
//! calls during a live call.
//!
//! Every request: verify the signature, read the call snapshot, route the dialled number to its
//! tenant, answer, and record the call and a trace. The call record is created or updated from the
//! snapshot itself, so a function call that arrives before any webhook works at once (I6).
//! Functions with side effects run in one write transaction (`store.write`) with their idempotency
//! record (I4): a retried request gets the first answer, byte for byte, and the trace says it was
//! replayed. Calls and traces are written through the store's one write path, [`StoreRecord`]: in
//! the group commit, or in the side effect's transaction.

use std::sync::Arc;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use frontdesk_domain::call::{CallFacts, CallLinks};
use frontdesk_domain::directory::Directory;
use frontdesk_domain::ids::{BranchId, CompanyId, ExternalCallId};
use frontdesk_domain::language::catalogue::Msg;
use frontdesk_domain::locale::Language;
use frontdesk_domain::phone::{Caller, E164};
use frontdesk_domain::records::{Customer, Trace};
use frontdesk_retell::functions::Function;
use frontdesk_retell::status::Status;
use frontdesk_retell::wire::FunctionCall;
use frontdesk_store::model::{CallUpdate, Record as StoreRecord, Recorded};
use frontdesk_store::{StoreError, StoreTx};
use jiff::Timestamp;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::error::ApiError;
use crate::state::AppState;

mod answer;
mod appointments;
mod args;
mod availability;
mod context;
mod info;
mod limits;

pub use answer::Answer;
use args::Args;
use context::Ctx;

/// The function named in the body.
pub async fn by_body(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    handle(state, None, headers, body).await
}

/// The function named in the path.
pub async fn by_path(
    State(state): State<AppState>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    handle(state, Some(name), headers, body).await
}

async fn handle(state: AppState, name_in_path: Option<String>, headers: HeaderMap, body: Bytes) -> Response {
    let started = Instant::now();
    if let Err(refused) = super::verify(&state, &headers, &body) {
        return refused.into_response();
    }
    let request = match FunctionCall::parse(&body, name_in_path.as_deref()) {
        Ok(r) => r,
        Err(e) => return ApiError::bad_request(e.to_string()).into_response(),
    };
    let Some(external) = request.call.call_id.as_deref().and_then(|id| ExternalCallId::parse(id.trim())) else {
        return ApiError::bad_request("`call.call_id` is not a usable call id").into_response();
    };
    let function = Function::resolve(&request.name);
    let label = function.map_or("unknown", Function::name);
    let (text, status) = match run(&state, &request, function, &external, started).await {
        Ok(done) => done,
        Err(error) => failed(&state, &request, function, &external, started, error).await,
    };
    let elapsed = started.elapsed().as_secs_f64();
    metrics::counter!("frontdesk_function_calls_total", "function" => label, "status" => status.as_str()).increment(1);
    metrics::histogram!("frontdesk_function_call_duration_seconds", "function" => label).record(elapsed);
    (StatusCode::OK, [(header::CONTENT_TYPE, "application/json")], text).into_response()
}

/// The answer to a function call that failed, and what is left of it. A passing fault asks the
/// agent to try again. A call id of another tenant is refused like an unknown number (revealing
/// neither tenant) and traced on the call it belongs to. Any other failure is permanent: it
/// answers `failed` and is traced with its reason, so that no request vanishes.
async fn failed(
    state: &AppState,
    request: &FunctionCall,
    function: Option<Function>,
    external: &ExternalCallId,
    started: Instant,
    error: StoreError,
) -> (String, Status) {
    let label = function.map_or("unknown", Function::name);
    let directory = state.directory();
    let dialled = request.call.to_number.as_deref().and_then(|n| E164::parse_strict(n.trim()).ok());
    let route = dialled.as_ref().and_then(|n| directory.route(n));
    let lang = route.map_or(Language::En, |(c, _)| c.company.def.locale.language());
    // The trace goes on the call without the snapshot's facts: they may be what failed.
    let facts = CallFacts::default();
    let mut trail = Trail {
        external,
        facts: &facts,
        links: CallLinks {
            company_id: route.map(|(c, _)| c.company.id),
            branch_id: route.map(|(_, b)| b.id),
            customer_id: None,
        },
        caller: None,
        request,
        function,
        received: Timestamp::now(),
    };
    let (answer, reason, on) = match error {
        error if error.is_transient() => {
            tracing::warn!(function = label, %error, "function call failed: database unavailable");
            let answer = Answer::fail(Status::TemporarilyUnavailable, lang, &Msg::TemporarilyUnavailable);
            return (answer.to_json().to_string(), answer.status);
        }
        StoreError::CallOfAnotherTenant { call: Some(call), company } => {
            tracing::warn!(function = label, call = %external, "refused: the call id belongs to another company");
            trail.links = CallLinks { company_id: company, branch_id: None, customer_id: None };
            let answer = Answer::fail(Status::UnknownNumber, Language::En, &Msg::UnknownNumber);
            let dialled = request.call.to_number.as_deref().unwrap_or("(none)");
            (
                answer,
                format!("refused: this call belongs to another company; the request named number {dialled}"),
                Some(call),
            )
        }
        error => {
            tracing::error!(function = label, %error, "function call failed");
            (Answer::fail(Status::Failed, lang, &Msg::CouldNotComplete), format!("failed: {error}"), None)
        }
    };
    let body = answer.to_json();
    let mut traced = body.clone();
    traced["error"] = Value::String(reason);
    let trace = trail.trace(traced, false, started);
    let record = match on {
        Some(call) => StoreRecord::Trace { call, trace },
        None => StoreRecord::Function { call: trail.update(trail.links), trace },
    };
    if let Err(again) = state.store().record(record).await {
        tracing::error!(function = label, error = %again, "the trace of a failed function call could not be stored");
    }
    (body.to_string(), answer.status)
}

/// Answers and records one function call; returns the body and its status. A side effect is
/// handed, with everything it needs, to one write transaction where the store runs writes.
async fn run(
    state: &AppState,
    request: &FunctionCall,
    function: Option<Function>,
    external: &ExternalCallId,
    started: Instant,
) -> Result<(String, Status), StoreError> {
    let received = Timestamp::now();
    let facts = request.call.facts();
    let directory = state.directory();
    let caller = Caller::from_platform(request.call.from_number.as_deref());
    let dialled = request.call.to_number.as_deref().and_then(|n| E164::parse_strict(n.trim()).ok());
    let Some((company, branch)) = dialled.as_ref().and_then(|n| directory.route(n)) else {
        // Nothing about any tenant is revealed: the same answer for every unknown number.
        let answer = Answer::fail(Status::UnknownNumber, Language::En, &Msg::UnknownNumber);
        let trail =
            Trail { external, facts: &facts, links: CallLinks::default(), caller: None, request, function, received };
        return trail.answer(state, answer, started).await;
    };
    // Only functions whose answer depends on the caller read their customer record here; for the
    // rest the group commit links the call to the customer, one lookup for the whole batch.
    let knows_the_caller = function.is_some_and(Function::knows_the_caller);
    let customer = match caller.number() {
        Some(number) if knows_the_caller => state.store().customer_by_phone(company.company.id, number).await?,
        _ => None,
    };
    let unlinked_caller = if knows_the_caller { None } else { caller.number().cloned() };
    let links = CallLinks {
        company_id: Some(company.company.id),
        branch_id: Some(branch.id),
        customer_id: customer.as_ref().map(|c| c.id),
    };
    let now = state.settings().clock.now();
    if let Some(too_long) = limits::oversized_argument(&request.args) {
        // Nothing a caller says is this long: refuse before doing anything with it.
        tracing::info!(function = function.map_or("unknown", Function::name), argument = %too_long, "argument too long");
        let trail = Trail { external, facts: &facts, links, caller: unlinked_caller, request, function, received };
        let lang = company.company.def.locale.language();
        let answer = Answer::fail(Status::ArgumentTooLong, lang, &Msg::ArgumentTooLong).with("argument", too_long);
        return trail.answer(state, answer, started).await;
    }
    if let Some(effect) = function.and_then(Effect::of) {
        // One write transaction from the call merge to the trace: it runs where the store runs
        // writes, and commits with its idempotency record. Routing and the customer lookup above
        // stay outside it, so the transaction holds the writer only for the work.
        let effect = SideEffect {
            state: state.clone(),
            directory: directory.clone(),
            company: company.company.id,
            branch: branch.id,
            caller,
            customer,
            now,
            request: request.clone(),
            external: external.clone(),
            facts,
            links,
            effect,
            received,
            started,
        };
        return state.store().write(move |tx| Box::pin(effect.run(tx))).await;
    }
    let ctx = Ctx::new(state, company, branch, now, caller, customer, external.clone());
    let args = Args::new(&request.args);
    let trail = Trail { external, facts: &facts, links, caller: unlinked_caller, request, function, received };
    let Some(function) = function else {
        let answer = Answer::fail(Status::UnknownFunction, ctx.lang, &Msg::UnknownFunction);
        return trail.answer(state, answer, started).await;
    };
    let answer = match function {
        Function::InitializeCall => info::initialize_call(&ctx).await?,
        Function::CheckCustomer => info::check_customer(&ctx).await?,
        Function::ListServices => info::list_services(&ctx, &args),
        Function::GetServiceInfo => info::get_service_info(&ctx, &args),
        Function::GetOpeningHours => info::get_opening_hours(&ctx, &args),
        Function::CheckAvailability => availability::check_availability(&ctx, &args).await?,
        Function::FindNextAvailable => availability::find_next_available(&ctx, &args).await?,
        Function::GetCustomerAppointments => appointments::list(&ctx, &args).await?,
        // Side effects were handed to their transaction above.
        Function::BookAppointment
        | Function::CancelAppointment
        | Function::RescheduleAppointment
        | Function::RequestCallback => unreachable!("side effects run in their own transaction"),
    };
    trail.answer(state, answer, started).await
}

/// A side effect with everything it needs, owned, so that it can run where the store runs
/// writes (on SQLite, another thread).
struct SideEffect {
    state: AppState,
    directory: Arc<Directory>,
    company: CompanyId,
    branch: BranchId,
    caller: Caller,
    customer: Option<Customer>,
    now: Timestamp,
    request: FunctionCall,
    external: ExternalCallId,
    facts: CallFacts,
    links: CallLinks,
    effect: Effect,
    received: Timestamp,
    started: Instant,
}

impl SideEffect {
    async fn run(self, tx: &mut dyn StoreTx) -> Result<(String, Status), StoreError> {
        // The same directory snapshot the request was routed with: these cannot miss.
        let company = self.directory.company(self.company).ok_or(StoreError::NotFound("company"))?;
        let branch = company.branch(self.branch).ok_or(StoreError::NotFound("branch"))?;
        let ctx = Ctx::new(&self.state, company, branch, self.now, self.caller, self.customer, self.external.clone());
        let trail = Trail {
            external: &self.external,
            facts: &self.facts,
            links: self.links,
            caller: None,
            request: &self.request,
            function: Some(self.effect.function()),
            received: self.received,
        };
        trail.side_effect(&ctx, tx, self.effect, &Args::new(&self.request.args), self.started).await
    }
}

/// The functions with side effects.
#[derive(Clone, Copy)]
enum Effect {
    Book,
    Cancel,
    Reschedule,
    Callback,
}

impl Effect {
    fn of(function: Function) -> Option<Effect> {
        match function {
            Function::BookAppointment => Some(Effect::Book),
            Function::CancelAppointment => Some(Effect::Cancel),
            Function::RescheduleAppointment => Some(Effect::Reschedule),
            Function::RequestCallback => Some(Effect::Callback),
            _ => None,
        }
    }

    fn function(self) -> Function {
        match self {
            Self::Book => Function::BookAppointment,
            Self::Cancel => Function::CancelAppointment,
            Self::Reschedule => Function::RescheduleAppointment,
            Self::Callback => Function::RequestCallback,
        }
    }
}

/// What one function call leaves behind: the call it belongs to (as its snapshot says) and its
/// trace, written through the store's one write path.
struct Trail<'a> {
    external: &'a ExternalCallId,
    facts: &'a CallFacts,
    links: CallLinks,
    /// The caller's number when their customer was not looked up: the group commit links it.
    caller: Option<E164>,
    request: &'a FunctionCall,
    function: Option<Function>,
    received: Timestamp,
}

impl Trail<'_> {
    /// What the call snapshot says about the call, with `links`.
    fn update(&self, links: CallLinks) -> CallUpdate {
        CallUpdate {
            external: self.external.clone(),
            facts: self.facts.clone(),
            links,
            caller: self.caller.clone(),
            at: self.received,
        }
    }

    fn trace(&self, response: Value, replayed: bool, started: Instant) -> Trace {
        Trace {
            company_id: self.links.company_id,
            name_sent: limits::capped_text(&self.request.name),
            function: self.function.map(|f| f.name().to_owned()),
            arguments: limits::capped(Value::Object(self.request.args.clone())),
            status: response.get("status").and_then(Value::as_str).unwrap_or_default().to_owned(),
            success: response.get("success").and_then(Value::as_bool).unwrap_or(false),
            response: limits::capped(response),
            replayed,
            duration_us: i64::try_from(started.elapsed().as_micros()).unwrap_or(i64::MAX),
            at: Timestamp::now(),
        }
    }

    /// Records the call and the trace of an answer without side effects, in a group commit.
    async fn answer(&self, state: &AppState, answer: Answer, started: Instant) -> Result<(String, Status), StoreError> {
        let body = answer.to_json();
        let text = body.to_string();
        let record = StoreRecord::Function { call: self.update(self.links), trace: self.trace(body, false, started) };
        state.store().record(record).await?;
        Ok((text, answer.status))
    }

    /// Runs a function with side effects once per identical request (I4), in `tx`.
    async fn side_effect(
        &self,
        ctx: &Ctx<'_>,
        tx: &mut dyn StoreTx,
        effect: Effect,
        args: &Args,
        started: Instant,
    ) -> Result<(String, Status), StoreError> {
        let function = effect.function();
        let key = idempotency_key(self.external, function, &Value::Object(self.request.args.clone()));
        // The call first: the idempotency record and whatever the effect writes refer to it.
        let call = match tx.record(&[StoreRecord::Call(self.update(self.links))]).await?.first() {
            Some(Recorded::Call(id)) => *id,
            _ => return Err(StoreError::Corrupt("a recorded call has no id".into())),
        };
        if let Some(first) = tx.claim_idempotency(&key, call, function.name(), self.received).await? {
            let response: Value = serde_json::from_str(&first).unwrap_or(Value::Null);
            let status = response.get("status").and_then(Value::as_str).and_then(Status::parse);
            let status = status.ok_or_else(|| StoreError::Corrupt("a stored answer without a status".into()))?;
            let trace = self.trace(response, true, started);
            tx.record(&[StoreRecord::Trace { call, trace }]).await?;
            return Ok((first, status));
        }
        let effected = match effect {
            Effect::Book => appointments::book(ctx, tx, call, args).await?,
            Effect::Cancel => appointments::cancel(ctx, tx, call, args).await?.into(),
            Effect::Reschedule => appointments::reschedule(ctx, tx, call, args).await?.into(),
            Effect::Callback => appointments::request_callback(ctx, tx, call, args).await?.into(),
        };
        let body = effected.answer.to_json();
        let text = body.to_string();
        tx.store_idempotent_response(&key, &text).await?;
        // The trace; the call is merged again only if a booking has just made the caller a
        // customer it belongs to.
        let trace = self.trace(body, false, started);
        let record = match effected.customer.filter(|_| self.links.customer_id.is_none()) {
            Some(customer) => {
                let links = CallLinks { customer_id: Some(customer), ..self.links };
                StoreRecord::Function { call: self.update(links), trace }
            }
            None => StoreRecord::Trace { call, trace },
        };
        tx.record(&[record]).await?;
        Ok((text, effected.answer.status))
    }
}

/// The same call, function and arguments give the same key. Arguments are hashed in their
/// canonical form (object keys sorted), so a retry that reorders keys is still the same request.
fn idempotency_key(call: &ExternalCallId, function: Function, arguments: &Value) -> String {
    let mut hash = Sha256::new();
    hash.update(call.as_str().as_bytes());
    hash.update([0]);
    hash.update(function.name().as_bytes());
    hash.update([0]);
    hash.update(canonical(arguments).as_bytes());
    hex(&hash.finalize())
}

fn canonical(value: &Value) -> String {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            let fields: Vec<String> =
                keys.iter().map(|k| format!("{}:{}", Value::String((*k).clone()), canonical(&map[*k]))).collect();
            format!("{{{}}}", fields.join(","))
        }
        Value::Array(items) => format!("[{}]", items.iter().map(canonical).collect::<Vec<_>>().join(",")),
        other => other.to_string(),
    }
}

/// Lowercase hex of a digest (idempotency keys, hashes of what a trace cut).
fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn keys_ignore_argument_order_but_not_values() {
        let call = ExternalCallId::parse("call_1").unwrap();
        let a = idempotency_key(&call, Function::BookAppointment, &json!({"date": "morgen", "time": "14 Uhr"}));
        let b = idempotency_key(&call, Function::BookAppointment, &json!({"time": "14 Uhr", "date": "morgen"}));
        let c = idempotency_key(&call, Function::BookAppointment, &json!({"time": "15 Uhr", "date": "morgen"}));
        let d = idempotency_key(&call, Function::CancelAppointment, &json!({"date": "morgen", "time": "14 Uhr"}));
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_ne!(a, d);
        assert_eq!(a.len(), 64);
    }
}
