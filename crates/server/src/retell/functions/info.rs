//! Functions that inform: the call's context, the customer, services, opening hours.

use frontdesk_domain::language::catalogue::Msg;
use frontdesk_domain::language::spoken;
use frontdesk_domain::language::when;
use frontdesk_domain::locale::Language;
use frontdesk_domain::matching::fold;
use frontdesk_domain::time::{DayHours, WEEKDAY_KEYS};
use frontdesk_retell::status::Status;
use frontdesk_store::StoreError;
use jiff::civil::Weekday;
use serde_json::{Value, json};

use super::answer::Answer;
use super::args::{Args, names};
use super::context::Ctx;

/// `initialize_call`: everything the agent needs to start.
pub async fn initialize_call(ctx: &Ctx<'_>) -> Result<Answer, StoreError> {
    let local = ctx.now.to_zoned(ctx.tz().clone());
    let customer_name = ctx.customer.as_ref().and_then(|c| c.name.clone());
    let address = ctx.address();
    let msg = Msg::Greeting { company: &ctx.company.company.def.name, address: address.as_deref() };
    Ok(Answer::ok(Status::Ready, ctx.lang, &msg)
        .with("company", json!({"name": ctx.company.company.def.name, "key": ctx.company.company.def.key}))
        .with("branch", json!({"name": ctx.branch.def.name, "address": ctx.branch.def.address}))
        .with(
            "customer",
            json!({"known": ctx.customer.is_some(), "name": customer_name, "anonymous": ctx.caller.is_anonymous()}),
        )
        .with(
            "now",
            json!({
                "date": local.date().to_string(),
                "time": local.strftime("%H:%M").to_string(),
                "weekday": spoken::weekday(ctx.lang, local.weekday()),
                "spoken": ctx.when(ctx.now),
                "timezone": ctx.tz().iana_name(),
            }),
        )
        .with("opening_hours", week_json(ctx)))
}

/// `check_customer`: who is calling, and their upcoming appointments.
pub async fn check_customer(ctx: &Ctx<'_>) -> Result<Answer, StoreError> {
    if ctx.caller.is_anonymous() {
        return Ok(Answer::ok(Status::Anonymous, ctx.lang, &Msg::CustomerAnonymous).with("customer", Value::Null));
    }
    let Some(customer) = &ctx.customer else {
        return Ok(Answer::ok(Status::NewCustomer, ctx.lang, &Msg::CustomerNew).with("customer", Value::Null));
    };
    let upcoming = ctx.state.store().customer_appointments(ctx.company.company.id, customer.id, ctx.now).await?;
    let address = ctx.address();
    let msg = Msg::CustomerKnown { address: address.as_deref(), upcoming: upcoming.len() };
    let appointments: Vec<Value> = upcoming.iter().map(|a| ctx.appointment_json(a)).collect();
    Ok(Answer::ok(Status::Known, ctx.lang, &msg)
        .with("customer", json!({"name": customer.name, "upcoming_appointments": appointments})))
}

/// `list_services`: what can be booked, optionally of one category.
pub fn list_services(ctx: &Ctx<'_>, args: &Args) -> Answer {
    let category = args.text(names::CATEGORY);
    let services: Vec<_> = ctx
        .company
        .services
        .iter()
        .filter(|s| category.as_deref().is_none_or(|c| s.def.category.as_deref().is_some_and(|sc| fold(sc) == fold(c))))
        .collect();
    let list: Vec<Value> = services
        .iter()
        .map(|s| {
            json!({
                "key": s.def.key,
                "name": s.def.name,
                "category": s.def.category,
                "duration_minutes": s.def.duration(),
                "price": s.def.price.map(|p| spoken::money(ctx.lang, p, ctx.company.company.def.currency)),
                "price_cents": s.def.price.map(|p| p.0),
            })
        })
        .collect();
    let answer = match (&category, services.is_empty()) {
        (Some(c), true) => {
            let all: Vec<String> = ctx.company.services.iter().map(|s| s.def.name.clone()).collect();
            let offered = spoken::and_list(ctx.lang, &all);
            Answer::ok(Status::Ok, ctx.lang, &Msg::NoServicesInCategory { category: c, offered: &offered })
        }
        _ => {
            let names: Vec<String> = services.iter().map(|s| s.def.name.clone()).collect();
            Answer::ok(Status::Ok, ctx.lang, &Msg::ServicesOffered { list: &spoken::and_list(ctx.lang, &names) })
        }
    };
    answer.with("services", list)
}

/// `get_service_info`: one service.
pub fn get_service_info(ctx: &Ctx<'_>, args: &Args) -> Answer {
    let service = match ctx.service(args) {
        Ok(s) => s,
        Err(answer) => return answer,
    };
    let price = service.def.price.map(|p| spoken::money(ctx.lang, p, ctx.company.company.def.currency));
    let duration = spoken::duration(ctx.lang, service.def.duration());
    let msg = Msg::ServiceInfo { name: &service.def.name, duration: &duration, price: price.as_deref() };
    Answer::ok(Status::Ok, ctx.lang, &msg).with(
        "service",
        json!({
            "key": service.def.key,
            "name": service.def.name,
            "category": service.def.category,
            "duration_minutes": service.def.duration(),
            "price": price,
            "price_cents": service.def.price.map(|p| p.0),
            "segments": service.def.segments.iter().map(|s| json!({"name": s.name, "minutes": s.duration})).collect::<Vec<_>>(),
        }),
    )
}

/// `get_opening_hours`: the week, or one date.
pub fn get_opening_hours(ctx: &Ctx<'_>, args: &Args) -> Answer {
    let Some(raw) = args.text(names::DATE) else {
        let (open, closed) = week_summary(ctx);
        let msg = Msg::HoursWeek { open: &open, closed: closed.as_deref() };
        return Answer::ok(Status::Ok, ctx.lang, &msg).with("hours", week_json(ctx));
    };
    let Ok(date) = when::parse_date(&raw, ctx.today) else {
        return Answer::fail(Status::InvalidDate, ctx.lang, &Msg::InvalidDate);
    };
    let said = ctx.day(date);
    let day = if ctx.branch.def.closures.contains(&date) {
        DayHours::closed()
    } else {
        ctx.branch.def.hours.day(date.weekday()).clone()
    };
    let intervals: Vec<String> = day.intervals().iter().map(ToString::to_string).collect();
    let answer = match spoken::hours(ctx.lang, &day) {
        Some(hours) => Answer::ok(Status::Ok, ctx.lang, &Msg::HoursDay { day: &said, hours: &hours }),
        None => Answer::ok(Status::Ok, ctx.lang, &Msg::ClosedOn { day: &said, alternatives: "" }),
    };
    answer.with("date", date.to_string()).with("open", !day.is_closed()).with("hours", intervals)
}

fn week_json(ctx: &Ctx<'_>) -> Value {
    serde_json::to_value(&ctx.branch.def.hours).unwrap_or(Value::Null)
}

/// The week, short: days with the same hours together ("Montag bis Freitag 9 bis 18 Uhr und
/// Samstag 9 bis 14 Uhr"; three or more days in a row as a span, others as a list, "Montag,
/// Dienstag und Donnerstag"), and the closed days named ("Sonntag").
fn week_summary(ctx: &Ctx<'_>) -> (String, Option<String>) {
    let days = ctx.branch.def.hours.days();
    let name = |i: usize| {
        spoken::weekday(ctx.lang, Weekday::from_monday_zero_offset(i as i8).unwrap_or(Weekday::Monday)).to_owned()
    };
    // Groups of days with equal hours, in the order of their first day.
    let mut groups: Vec<(&DayHours, Vec<usize>)> = Vec::new();
    for (i, hours) in days.iter().enumerate().take(WEEKDAY_KEYS.len()) {
        if hours.is_closed() {
            continue;
        }
        match groups.iter_mut().find(|(h, _)| *h == hours) {
            Some((_, members)) => members.push(i),
            None => groups.push((hours, vec![i])),
        }
    }
    let days_said = |members: &[usize]| {
        let consecutive = members.windows(2).all(|w| w[1] == w[0] + 1);
        if members.len() >= 3 && consecutive {
            let (first, last) = (name(members[0]), name(members[members.len() - 1]));
            match ctx.lang {
                Language::De => format!("{first} bis {last}"),
                Language::En => format!("{first} to {last}"),
            }
        } else {
            spoken::and_list(ctx.lang, &members.iter().map(|i| name(*i)).collect::<Vec<_>>())
        }
    };
    let open: Vec<String> = groups
        .iter()
        .filter_map(|(hours, members)| Some(format!("{} {}", days_said(members), spoken::hours(ctx.lang, hours)?)))
        .collect();
    let closed: Vec<String> = (0..WEEKDAY_KEYS.len()).filter(|i| days[*i].is_closed()).map(name).collect();
    let closed = (!closed.is_empty()).then(|| spoken::and_list(ctx.lang, &closed));
    (spoken::and_list(ctx.lang, &open), closed)
}
