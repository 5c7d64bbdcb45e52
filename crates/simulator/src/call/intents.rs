//! What callers want, as the function calls an agent makes for them: book, move, cancel, ask,
//! request a callback — with dates and times said as callers say them.

use frontdesk_domain::locale::Language;
use jiff::civil::Date;
use serde_json::{Value, json};

use crate::ledger::Held;
use crate::scenario::{self};

use super::{Player, Target};

impl Player<'_> {
    pub(super) async fn book(&mut self) {
        if self.caller.phone().is_some() && self.rng.chance(0.4) {
            self.function("check_customer", json!({})).await;
        }
        let service = self.rng.pick(&self.tenant.services).clone();
        match self.rng.below(10) {
            0..3 => {
                self.function("list_services", json!({})).await;
            }
            3..5 => {
                let args = self.args(&[("service", json!(service))]);
                self.function("get_service_info", args).await;
            }
            _ => {}
        }
        let (date, hour, minute) = self.wish(true);
        let said = Target::Said { date: self.say_date(date), time: self.say_time(hour, minute) };
        let target = if self.rng.chance(0.75) {
            let Target::Said { date, time } = &said else { unreachable!("just built") };
            let args = self.args(&[("service", json!(service)), ("date", json!(date)), ("time", json!(time))]);
            let answer = self.function("check_availability", args).await;
            match answer["status"].as_str() {
                Some("available") => Some(said),
                Some("unavailable") => self.pick_slot(&answer["alternatives"]),
                _ => {
                    let args = self.args(&[("service", json!(service))]);
                    let next = self.function("find_next_available", args).await;
                    self.pick_slot(&next["slots"])
                }
            }
        } else {
            Some(said)
        };
        if let Some(target) = target {
            self.book_at(&service, target).await;
        }
        if self.rng.chance(0.15) && self.caller.phone().is_some() {
            self.function("get_customer_appointments", json!({})).await;
        }
    }

    pub(super) async fn book_at(&mut self, service: &str, mut target: Target) {
        for _ in 0..3 {
            let mut pairs = vec![("service", json!(service)), ("customer_name", json!(self.caller.name()))];
            if let Some(email) = self.caller.email() {
                pairs.push(("customer_email", json!(email)));
            }
            match &target {
                Target::Said { date, time } => {
                    pairs.push(("date", json!(date)));
                    pairs.push(("time", json!(time)));
                }
                Target::Slot { start, staff } => {
                    pairs.push(("datetime", json!(start)));
                    if let Some(staff) = staff {
                        pairs.push(("staff", json!(staff)));
                    }
                }
            }
            let args = self.args(&pairs);
            let answer = self.function("book_appointment", args).await;
            match answer["status"].as_str() {
                Some("booked") => {
                    let appointment = &answer["appointment"];
                    if let (Some(id), Some(start)) = (appointment["id"].as_i64(), appointment["start"].as_str()) {
                        let held = Held { id, start: start.to_owned() };
                        let email = (answer["confirmation"]["channel"] == "email")
                            .then(|| answer["confirmation"]["address"].as_str().map(str::to_owned))
                            .flatten();
                        self.shared.ledger.booked(self.caller.phone(), held, &self.call_id, email);
                    } else {
                        self.tally
                            .violations
                            .push(format!("{}: `booked` without an appointment: {answer}", self.call_id));
                    }
                    return;
                }
                Some("slot_taken" | "unavailable") => match self.pick_slot(&answer["alternatives"]) {
                    Some(next) => target = next,
                    None => return,
                },
                _ => return,
            }
        }
    }

    pub(super) async fn reschedule(&mut self) {
        let Some(phone) = self.caller.phone().map(str::to_owned) else { return };
        self.function("get_customer_appointments", json!({})).await;
        let Some(mut held) = self.shared.ledger.take(&phone, &mut self.rng) else {
            return self.book().await;
        };
        let (date, hour, minute) = self.wish(false);
        let (mut new_date, mut new_time) = (self.say_date(date), self.say_time(hour, minute));
        let mut by_id = self.rng.chance(0.7);
        for _ in 0..3 {
            let mut pairs = vec![("new_date", json!(new_date)), ("new_time", json!(new_time))];
            if by_id {
                pairs.push(("appointment_id", json!(held.id)));
            } else {
                pairs.push(("old_date", json!(&held.start[..10])));
                pairs.push(("old_time", json!(&held.start[11..16])));
            }
            let answer = self
                .function(
                    "reschedule_appointment",
                    Value::Object(pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()),
                )
                .await;
            match answer["status"].as_str() {
                Some("rescheduled") => {
                    if let Some(start) = answer["appointment"]["start"].as_str() {
                        self.shared.ledger.rescheduled(held.id, start);
                        start.clone_into(&mut held.start);
                    }
                    break;
                }
                Some("unavailable") => match self.pick_slot(&answer["alternatives"]) {
                    Some(Target::Slot { start, .. }) if start.len() >= 16 => {
                        new_date = start[..10].to_owned();
                        new_time = start[11..16].to_owned();
                    }
                    _ => break,
                },
                Some("multiple_found") => by_id = true,
                Some("not_found") => {
                    self.tally
                        .violations
                        .push(format!("{}: appointment {} of its caller not found", self.call_id, held.id));
                    break;
                }
                _ => break,
            }
        }
        self.shared.ledger.give_back(&phone, held);
    }

    pub(super) async fn cancel(&mut self) {
        let Some(phone) = self.caller.phone().map(str::to_owned) else { return };
        self.function("get_customer_appointments", json!({})).await;
        let Some(held) = self.shared.ledger.take(&phone, &mut self.rng) else {
            return self.book().await;
        };
        let mut by_id = self.rng.chance(0.6);
        let reason = self.rng.chance(0.5);
        for _ in 0..2 {
            let mut args = serde_json::Map::new();
            if by_id {
                args.insert("appointment_id".into(), json!(held.id));
            } else {
                args.insert("date".into(), json!(&held.start[..10]));
                args.insert("time".into(), json!(&held.start[11..16]));
            }
            if reason {
                let why = match self.tenant.language {
                    Language::De => "Ich bin krank",
                    Language::En => "Something came up at work",
                };
                args.insert("reason".into(), json!(why));
            }
            let answer = self.function("cancel_appointment", Value::Object(args)).await;
            match answer["status"].as_str() {
                Some("cancelled") => {
                    self.shared.ledger.cancelled(held.id);
                    return;
                }
                Some("multiple_found") => by_id = true,
                Some("not_found") => {
                    self.tally
                        .violations
                        .push(format!("{}: appointment {} of its caller not found", self.call_id, held.id));
                    break;
                }
                _ => break,
            }
        }
        self.shared.ledger.give_back(&phone, held);
    }

    pub(super) async fn question(&mut self) {
        let service = self.rng.pick(&self.tenant.services).clone();
        if self.rng.chance(0.6) {
            let args = if self.rng.chance(0.5) {
                let (date, _, _) = self.wish(false);
                let date = self.say_date(date);
                self.args(&[("date", json!(date))])
            } else {
                json!({})
            };
            self.function("get_opening_hours", args).await;
        }
        if self.rng.chance(0.6) {
            self.function("list_services", json!({})).await;
        }
        let args = self.args(&[("service", json!(service))]);
        self.function("get_service_info", args).await;
        let mut pairs = vec![("service", json!(service))];
        if self.rng.chance(0.4) {
            let window = match (self.tenant.language, self.rng.below(3)) {
                (Language::De, 0) => "vormittags",
                (Language::De, 1) => "nachmittags",
                (Language::De, _) => "abends",
                (Language::En, 0) => "morning",
                (Language::En, 1) => "afternoon",
                (Language::En, _) => "evening",
            };
            pairs.push(("time_window", json!(window)));
        }
        let args = self.args(&pairs);
        self.function("find_next_available", args).await;
        if self.rng.chance(0.4) {
            let (date, _, _) = self.wish(false);
            let date = self.say_date(date);
            let args = self.args(&[("service", json!(service)), ("date", json!(date))]);
            self.function("check_availability", args).await;
        }
    }

    pub(super) async fn callback(&mut self) {
        self.function("check_customer", json!({})).await;
        let reason = match self.tenant.language {
            Language::De => "Frage zu einer Rechnung",
            Language::En => "Question about insurance coverage",
        };
        let mut args = serde_json::Map::new();
        args.insert("customer_name".into(), json!(self.caller.name()));
        args.insert("reason".into(), json!(reason));
        if self.rng.chance(0.5) {
            let time = match self.tenant.language {
                Language::De => "morgen Vormittag",
                Language::En => "tomorrow afternoon",
            };
            args.insert("preferred_time".into(), json!(time));
        }
        if self.caller.phone().is_none() {
            let number = match self.tenant.language {
                Language::De => "0170 5550123",
                Language::En => "(212) 555-0177",
            };
            args.insert("phone".into(), json!(number));
        }
        let answer = self.function("request_callback", Value::Object(args)).await;
        if answer["status"] == "callback_requested" {
            self.shared.ledger.callback_requested();
        }
    }

    // ---- what they say ----

    /// A date, hour and minute the caller asks for; `popular` callers crowd the first open day's
    /// best hours.
    pub(super) fn wish(&mut self, popular: bool) -> (Date, i8, i8) {
        let today = self.today.unwrap_or_else(|| jiff::Zoned::now().date());
        if popular && self.rng.chance(0.3) {
            let date = scenario::first_open_date(self.tenant, today);
            let hour = *self.rng.pick(&[self.tenant.hours.0, self.tenant.hours.0 + 1, 14]);
            return (date, hour, 0);
        }
        let horizon = if self.rng.chance(0.5) { 7 } else { 40 };
        let date = scenario::open_date(self.tenant, today, &mut self.rng, horizon);
        let (from, to) = self.tenant.hours;
        let hour = from + self.rng.below((to - from + 1) as u64) as i8;
        let minute = *self.rng.pick(&[0, 0, 0, 30, 30, 15, 45]);
        (date, hour, minute)
    }

    pub(super) fn say_date(&mut self, date: Date) -> String {
        let today = self.today.unwrap_or(date);
        scenario::say_date(self.tenant.language, date, today, &mut self.rng)
    }

    pub(super) fn say_time(&mut self, hour: i8, minute: i8) -> String {
        scenario::say_time(self.tenant.language, hour, minute, &mut self.rng)
    }

    /// Arguments, under the German names half the time at a German tenant.
    pub(super) fn args(&self, pairs: &[(&str, Value)]) -> Value {
        let name = |n: &str| -> String {
            if !self.german_args {
                return n.to_owned();
            }
            match n {
                "service" => "dienstleistung",
                "date" => "datum",
                "time" => "uhrzeit",
                "customer_name" => "name",
                "staff" => "mitarbeiter",
                other => other,
            }
            .to_owned()
        };
        Value::Object(pairs.iter().map(|(k, v)| (name(k), v.clone())).collect())
    }

    /// One of the offered slots (the first more often: that is the one the agent reads first).
    pub(super) fn pick_slot(&mut self, slots: &Value) -> Option<Target> {
        let slots = slots.as_array().filter(|s| !s.is_empty())?;
        let slot = if self.rng.chance(0.6) { &slots[0] } else { self.rng.pick(slots) };
        let start = slot["start"].as_str()?.to_owned();
        let staff = slot["staff"].as_str().map(str::to_owned).filter(|_| self.rng.chance(0.7));
        Some(Target::Slot { start, staff })
    }
}
