//! The custom functions frontdesk offers the voice agent: names, aliases, and the tool
//! definitions (JSON-schema parameters, descriptions written for the model) for `frontdesk retell
//! tools`. One table serves both the dispatcher and the exported definitions.

use serde_json::{Value, json};

/// A function, whatever name or alias it was called by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Function {
    /// Context for the start of the call.
    InitializeCall,
    /// Who is calling.
    CheckCustomer,
    /// What can be booked.
    ListServices,
    /// One service's details.
    GetServiceInfo,
    /// Opening hours.
    GetOpeningHours,
    /// Is a time free.
    CheckAvailability,
    /// The next free times.
    FindNextAvailable,
    /// Book.
    BookAppointment,
    /// The caller's appointments.
    GetCustomerAppointments,
    /// Cancel.
    CancelAppointment,
    /// Move.
    RescheduleAppointment,
    /// Ask staff to call back.
    RequestCallback,
}

impl Function {
    /// Every function.
    pub const ALL: [Function; 12] = [
        Self::InitializeCall,
        Self::CheckCustomer,
        Self::ListServices,
        Self::GetServiceInfo,
        Self::GetOpeningHours,
        Self::CheckAvailability,
        Self::FindNextAvailable,
        Self::BookAppointment,
        Self::GetCustomerAppointments,
        Self::CancelAppointment,
        Self::RescheduleAppointment,
        Self::RequestCallback,
    ];

    /// The canonical name.
    pub fn name(self) -> &'static str {
        match self {
            Self::InitializeCall => "initialize_call",
            Self::CheckCustomer => "check_customer",
            Self::ListServices => "list_services",
            Self::GetServiceInfo => "get_service_info",
            Self::GetOpeningHours => "get_opening_hours",
            Self::CheckAvailability => "check_availability",
            Self::FindNextAvailable => "find_next_available",
            Self::BookAppointment => "book_appointment",
            Self::GetCustomerAppointments => "get_customer_appointments",
            Self::CancelAppointment => "cancel_appointment",
            Self::RescheduleAppointment => "reschedule_appointment",
            Self::RequestCallback => "request_callback",
        }
    }

    /// Other names it answers to.
    pub fn aliases(self) -> &'static [&'static str] {
        match self {
            Self::InitializeCall => &["get_current_context"],
            Self::ListServices => &["get_available_services", "get_services"],
            Self::FindNextAvailable => &["get_alternatives"],
            Self::BookAppointment => &["start_booking", "collect_appointment_data"],
            Self::GetCustomerAppointments => &["query_appointment", "get_appointments"],
            _ => &[],
        }
    }

    /// Resolves a name as sent: case and surrounding space do not matter, and a trailing
    /// `_v<digits>` (`check_availability_v17`) is ignored.
    pub fn resolve(sent: &str) -> Option<Function> {
        let lower = sent.trim().to_ascii_lowercase();
        let base = match lower.rsplit_once("_v") {
            Some((base, version)) if !version.is_empty() && version.bytes().all(|b| b.is_ascii_digit()) => base,
            _ => lower.as_str(),
        };
        Self::ALL.into_iter().find(|f| f.name() == base || f.aliases().contains(&base))
    }

    /// Whether the function changes something (and is therefore idempotent per request, I4).
    pub fn has_side_effect(self) -> bool {
        matches!(
            self,
            Self::BookAppointment | Self::CancelAppointment | Self::RescheduleAppointment | Self::RequestCallback
        )
    }

    /// Whether the answer depends on who the caller is (their customer record). The others answer
    /// from the tenant's directory and calendar alone, and their call is linked to the caller's
    /// customer when it is recorded.
    pub fn knows_the_caller(self) -> bool {
        !matches!(
            self,
            Self::ListServices
                | Self::GetServiceInfo
                | Self::GetOpeningHours
                | Self::CheckAvailability
                | Self::FindNextAvailable
        )
    }

    fn description(self) -> &'static str {
        match self {
            Self::InitializeCall => {
                "Call once at the start of every call. Returns the business, the branch, today's date and time in the business's time zone, whether the caller is a known customer, and opening hours. Speak the `message` as your greeting."
            }
            Self::CheckCustomer => {
                "Find out whether the caller is a known customer (by their phone number) and list their upcoming appointments."
            }
            Self::ListServices => {
                "List the services that can be booked, optionally of one category, with duration and price."
            }
            Self::GetServiceInfo => "Details of one service (duration, price) by the name the caller used.",
            Self::GetOpeningHours => "Opening hours for the week, or for one date if given.",
            Self::CheckAvailability => {
                "Check whether a service can be booked on a date, at a time if the caller named one. Always check before booking. Pass dates and times as the caller said them (\"morgen\", \"next Tuesday\", \"halb drei\", \"2pm\") or as ISO (2026-03-10, 14:30). If the time is taken, the answer offers alternatives: read them to the caller. If the status is `customer_already_booked`, the caller already has an appointment then (in `appointment`): ask whether to move that one or whether the new one is for someone else. If it is `confirm_date`, the date had two readings (in `candidates`): ask which one the caller means and check again with that date."
            }
            Self::FindNextAvailable => {
                "Find the next free times for a service, optionally after a date, with a preferred staff member or part of the day (morning, afternoon, evening)."
            }
            Self::BookAppointment => {
                "Book an appointment once the caller has agreed to a day and time and given their name. Pass the same service, date and time you checked; a booking always needs the day (on `date_required`, ask which day). Set confirm to false to only check without booking. If the time was taken meanwhile, the answer offers alternatives. On `customer_already_booked` the caller already has an appointment then: ask whether to move that one (reschedule_appointment) or whether the new appointment is for another person (a child, a partner); for another person call again with another_person true and that person's name as customer_name."
            }
            Self::GetCustomerAppointments => "List the caller's upcoming appointments, optionally on one date.",
            Self::CancelAppointment => {
                "Cancel one of the caller's appointments, by appointment_id or by its date and time. Late cancellations may cost a fee: tell the caller the fee from the answer and call again with accept_fee true only if they agree. A caller with a private number may be refused (`anonymous_not_allowed`): if they want a call back, ask for their number and call again with it as phone."
            }
            Self::RescheduleAppointment => {
                "Move one of the caller's appointments to a new date and time, identified by appointment_id or by its old date and time. The new day is needed (on `date_required`, ask which day). On `customer_already_booked` the caller has another appointment at the new time: tell them and ask for another time. A caller with a private number may be refused (`anonymous_not_allowed`): if they want a call back, ask for their number and call again with it as phone."
            }
            Self::RequestCallback => {
                "Ask the staff to call the caller back when you cannot help, for example when nothing suitable is free or the caller wants to speak to a person."
            }
        }
    }

    fn parameters(self) -> Value {
        let text = |description: &str| json!({"type": "string", "description": description});
        let service = text("The service as the caller said it, e.g. \"Herrenhaarschnitt\" or \"cleaning\".");
        let date = text("The date: ISO YYYY-MM-DD or the caller's words (\"morgen\", \"next Tuesday\", \"am 15.\").");
        let time = text("The time: HH:MM or the caller's words (\"halb drei\", \"14 Uhr\", \"2:30 pm\").");
        let staff = text("Preferred staff member, if the caller named one.");
        let window = json!({"type": "string", "enum": ["morning", "midday", "afternoon", "evening"],
            "description": "Preferred part of the day, if the caller said one."});
        let (properties, required): (Value, &[&str]) = match self {
            Self::InitializeCall | Self::CheckCustomer => (json!({}), &[]),
            Self::ListServices => (json!({"category": text("Only services of this category.")}), &[]),
            Self::GetServiceInfo => (json!({"service": service}), &["service"]),
            Self::GetOpeningHours => {
                (json!({"date": text("A date to give the hours for; omit for the whole week.")}), &[])
            }
            Self::CheckAvailability => (
                json!({"service": service, "date": date, "time": time, "staff": staff, "time_window": window}),
                &["service", "date"],
            ),
            Self::FindNextAvailable => (
                json!({"service": service, "after": text("Only times after this date or date-time."), "staff": staff,
                       "time_window": window, "count": {"type": "integer", "description": "How many times to find (default 3)."}}),
                &["service"],
            ),
            Self::BookAppointment => (
                json!({"service": service, "date": date, "time": time,
                       "customer_name": text("The caller's full name."),
                       "salutation": text("How the caller is addressed, if they said (\"Herr\", \"Frau\", \"Mr.\", \"Ms.\"), so that they are greeted by title and surname next time."),
                       "customer_phone": text("A phone number to reach the caller, if they gave one."),
                       "customer_email": text("An e-mail address, if they gave one."),
                       "staff": staff, "notes": text("Anything the staff should know."),
                       "confirm": {"type": "boolean", "description": "false to only check, true (default) to book."},
                       "another_person": {"type": "boolean", "description": "true when the appointment is for somebody else than the caller (then customer_name is that person's name); it may overlap the caller's own appointments."}}),
                &["service", "date", "time", "customer_name"],
            ),
            Self::GetCustomerAppointments => (json!({"date": text("Only appointments on this date.")}), &[]),
            Self::CancelAppointment => (
                json!({"appointment_id": text("The appointment's id, if known."), "date": date, "time": time,
                       "reason": text("Why, as the caller said."),
                       "phone": text("A number to call the caller back on, when they call from a private number."),
                       "accept_fee": {"type": "boolean", "description": "true once the caller agreed to pay the late-cancellation fee."}}),
                &[],
            ),
            Self::RescheduleAppointment => (
                json!({"appointment_id": text("The appointment's id, if known."),
                       "old_date": text("The current appointment's date."), "old_time": text("The current appointment's time."),
                       "new_date": date, "new_time": time,
                       "phone": text("A number to call the caller back on, when they call from a private number.")}),
                &["new_date", "new_time"],
            ),
            Self::RequestCallback => (
                json!({"customer_name": text("The caller's name."), "phone": text("The number to call back, if different."),
                       "reason": text("What the caller needs."), "preferred_time": text("When the caller would like to be called.")}),
                &[],
            ),
        };
        json!({"type": "object", "properties": properties, "required": required})
    }

    /// The Retell custom-function definition, calling `base_url/retell/functions/<name>`.
    pub fn definition(self, base_url: &str) -> Value {
        let speak_during = self.has_side_effect() || matches!(self, Self::CheckAvailability | Self::FindNextAvailable);
        let mut def = json!({
            "type": "custom",
            "name": self.name(),
            "description": self.description(),
            "url": format!("{}/retell/functions/{}", base_url.trim_end_matches('/'), self.name()),
            "method": "POST",
            "parameters": self.parameters(),
            "speak_during_execution": speak_during,
            "speak_after_execution": true,
            "timeout_ms": 10_000,
        });
        if speak_during {
            def["execution_message_description"] = json!(match self {
                Self::BookAppointment => "Tell the caller you are booking the appointment now.",
                Self::CancelAppointment => "Tell the caller you are cancelling the appointment now.",
                Self::RescheduleAppointment => "Tell the caller you are moving the appointment now.",
                Self::RequestCallback => "Tell the caller you are noting the callback request.",
                _ => "Tell the caller you are looking at the calendar.",
            });
        }
        def
    }
}

/// Every function's definition, ready to paste into a Retell agent.
pub fn tool_definitions(base_url: &str) -> Value {
    Value::Array(Function::ALL.iter().map(|f| f.definition(base_url)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_aliases_and_versions_resolve() {
        assert_eq!(Function::resolve("check_availability_v17"), Some(Function::CheckAvailability));
        assert_eq!(Function::resolve(" Book_Appointment_V2 "), Some(Function::BookAppointment));
        assert_eq!(Function::resolve("book_appointment_v17"), Some(Function::BookAppointment));
        assert_eq!(Function::resolve("get_current_context"), Some(Function::InitializeCall));
        assert_eq!(Function::resolve("query_appointment"), Some(Function::GetCustomerAppointments));
        assert_eq!(Function::resolve("get_alternatives_v3"), Some(Function::FindNextAvailable));
        assert_eq!(Function::resolve("check_availability_vx"), None);
        assert_eq!(Function::resolve("drop_tables"), None);
        for f in Function::ALL {
            assert_eq!(Function::resolve(f.name()), Some(f));
            for a in f.aliases() {
                assert_eq!(Function::resolve(a), Some(f));
            }
        }
    }

    #[test]
    fn booking_type_functions_speak_during_and_after() {
        let tools = tool_definitions("https://frontdesk.example/");
        let tools = tools.as_array().unwrap();
        assert_eq!(tools.len(), 12);
        let book = tools.iter().find(|t| t["name"] == "book_appointment").unwrap();
        assert_eq!(book["url"], "https://frontdesk.example/retell/functions/book_appointment");
        assert_eq!(book["speak_during_execution"], true);
        assert_eq!(book["speak_after_execution"], true);
        assert_eq!(book["parameters"]["required"], json!(["service", "date", "time", "customer_name"]));
        for t in tools {
            assert_eq!(t["parameters"]["type"], "object");
            assert!(t["description"].as_str().unwrap().len() > 40);
        }
    }
}
