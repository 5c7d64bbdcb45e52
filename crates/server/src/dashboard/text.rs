//! The dashboard's words in German and English, side by side so that no text lacks a
//! translation (a missing one does not compile). The caller's sentences are elsewhere
//! (`frontdesk_domain::language`): these are for the business's people.

use frontdesk_domain::locale::Language;

macro_rules! texts {
    ($($key:ident: $de:literal, $en:literal;)*) => {
        /// The interface texts of one language; each field is named for what it says.
        #[allow(missing_docs)]
        pub struct Ui {
            $(pub $key: &'static str,)*
        }

        static DE: Ui = Ui { $($key: $de,)* };
        static EN: Ui = Ui { $($key: $en,)* };
    };
}

/// The texts of `lang`.
pub fn ui(lang: Language) -> &'static Ui {
    match lang {
        Language::De => &DE,
        Language::En => &EN,
    }
}

texts! {
    code: "de", "en";
    other_language: "English", "Deutsch";
    other_language_code: "en", "de";
    skip_to_content: "Zum Inhalt", "Skip to content";
    navigation: "Navigation", "Navigation";
    calendar: "Kalender", "Calendar";
    calls: "Anrufe", "Calls";
    callbacks: "Rückrufe", "Callbacks";
    customers: "Kunden", "Customers";
    health: "Betrieb", "Health";
    settings: "Einstellungen", "Settings";
    company: "Firma", "Company";
    switch_company: "Wechseln", "Switch";
    log_in: "Anmelden", "Log in";
    log_out: "Abmelden", "Log out";
    logged_out: "Sie sind abgemeldet.", "You are logged out.";
    email: "E-Mail", "E-mail";
    password: "Passwort", "Password";
    wrong_login: "E-Mail oder Passwort ist falsch.", "Wrong e-mail address or password.";
    too_many_logins: "Zu viele Fehlversuche. Bitte später erneut versuchen.", "Too many failed attempts. Please try again later.";
    day: "Tag", "Day";
    week: "Woche", "Week";
    today: "Heute", "Today";
    previous_day: "Vorheriger Tag", "Previous day";
    next_day: "Nächster Tag", "Next day";
    previous_week: "Vorherige Woche", "Previous week";
    next_week: "Nächste Woche", "Next week";
    branch: "Filiale", "Branch";
    show: "Anzeigen", "Show";
    closed: "Geschlossen", "Closed";
    away: "Abwesend", "Away";
    now: "Jetzt", "Now";
    processing: "Einwirkzeit – frei für andere Kunden", "Processing – free for other customers";
    new_appointment: "Neuer Termin", "New appointment";
    appointments: "Termine", "Appointments";
    no_appointments: "Keine Termine.", "No appointments.";
    appointment: "Termin", "Appointment";
    service: "Leistung", "Service";
    staff: "Mitarbeiter", "Staff";
    any_staff: "Egal wer", "Anyone";
    customer: "Kunde", "Customer";
    phone: "Telefon", "Phone";
    name: "Name", "Name";
    notes: "Notizen", "Notes";
    status: "Status", "Status";
    source: "Quelle", "Source";
    source_phone: "Telefon-Assistent", "Voice agent";
    source_admin: "Team", "Operator";
    source_calcom: "Cal.com", "Cal.com";
    status_booked: "Gebucht", "Booked";
    status_cancelled: "Storniert", "Cancelled";
    status_completed: "Erledigt", "Completed";
    status_no_show: "Nicht erschienen", "No-show";
    time: "Zeit", "Time";
    date: "Datum", "Date";
    duration: "Dauer", "Duration";
    booked_by_call: "Gebucht im Anruf", "Booked in the call";
    history: "Verlauf", "History";
    created: "Angelegt", "Created";
    moved: "Verschoben", "Moved";
    cancelled: "Storniert", "Cancelled";
    edited: "Bearbeitet", "Edited";
    calcom_mirror: "Cal.com-Spiegel", "Cal.com mirror";
    calcom_mirrored: "gespiegelt", "mirrored";
    calcom_pending: "ausstehend", "pending";
    calcom_none: "nicht verbunden", "not connected";
    messages: "Nachrichten an den Kunden", "Messages to the customer";
    no_messages: "Keine (keine E-Mail-Adresse oder Mobilnummer bekannt).", "None (no e-mail address or mobile number known).";
    message_confirmation: "Bestätigung", "Confirmation";
    message_moved: "Verlegung", "Move";
    message_cancelled: "Absage", "Cancellation";
    message_reminder: "Erinnerung", "Reminder";
    message_callback_alert: "Rückrufwunsch", "Callback request";
    message_pending: "wartet", "waiting";
    message_running: "wird gesendet", "sending";
    message_sent: "gesendet", "sent";
    message_failed: "fehlgeschlagen", "failed";
    message_skipped: "nicht gesendet (kein Mailserver)", "not sent (no mail server)";
    message_withdrawn: "zurückgezogen", "withdrawn";
    message_due: "fällig", "due";
    move_appointment: "Verschieben", "Move";
    choose_day: "Tag wählen", "Choose a day";
    free_times: "Freie Zeiten", "Free times";
    no_free_times: "An diesem Tag ist nichts frei.", "Nothing is free on that day.";
    show_free_times: "Freie Zeiten zeigen", "Show free times";
    cancel_appointment: "Stornieren", "Cancel appointment";
    reason: "Grund", "Reason";
    set_outcome: "Ausgang", "Outcome";
    save: "Speichern", "Save";
    book: "Buchen", "Book";
    search_customer: "Kunde suchen (Name oder Telefon)", "Find a customer (name or phone)";
    or_new_customer: "oder neuer Kunde", "or a new customer";
    search: "Suchen", "Search";
    notice_booked: "Termin gebucht.", "Appointment booked.";
    notice_moved: "Termin verschoben.", "Appointment moved.";
    notice_cancelled: "Termin storniert.", "Appointment cancelled.";
    notice_saved: "Gespeichert.", "Saved.";
    refused: "Nicht möglich", "Not possible";
    slot_taken: "Diese Zeit ist inzwischen vergeben.", "That time has just been taken.";
    cannot_book: "Zu dieser Zeit kann nicht gebucht werden.", "That time cannot be booked.";
    customer_already_booked: "Der Kunde hat zu dieser Zeit schon einen Termin.", "The customer already has an appointment at that time.";
    another_person: "Termin für eine andere Person (darf sich überschneiden)", "For another person (may overlap)";
    caller: "Anrufer", "Caller";
    anonymous: "anonym", "anonymous";
    new_caller: "neu", "new";
    outcome: "Ergebnis", "Outcome";
    outcome_booked: "gebucht", "booked";
    outcome_cancelled: "storniert", "cancelled";
    outcome_moved: "verschoben", "moved";
    outcome_callback: "Rückruf", "callback";
    outcome_information: "nur Auskunft", "information only";
    outcome_abandoned: "abgebrochen", "abandoned";
    call: "Anruf", "Call";
    call_status: "Anrufstatus", "Call status";
    timeline: "Ablauf", "Timeline";
    transcript: "Gesprächsprotokoll", "Transcript";
    summary: "Zusammenfassung", "Summary";
    changed_by_call: "Was der Anruf geändert hat", "What the call changed";
    nothing_changed: "Nichts.", "Nothing.";
    function_call: "Funktion", "Function";
    arguments: "Argumente", "Arguments";
    agent_was_told: "Dem Assistenten gesagt", "The agent was told";
    webhook: "Webhook", "Webhook";
    from: "Von", "From";
    to: "Bis", "To";
    filter: "Filtern", "Filter";
    all: "Alle", "All";
    older: "Ältere", "Older";
    more: "Weitere", "More";
    no_calls: "Keine Anrufe.", "No calls.";
    open: "Offen", "Open";
    done: "Erledigt", "Done";
    assign: "Zuweisen", "Assign";
    assigned_to: "Zugewiesen an", "Assigned to";
    nobody: "niemand", "nobody";
    mark_done: "Als erledigt markieren", "Mark done";
    note: "Notiz", "Note";
    age: "Alter", "Age";
    no_callbacks: "Keine offenen Rückrufe.", "No open callbacks.";
    edit: "Bearbeiten", "Edit";
    merge: "Zusammenführen", "Merge";
    merge_into: "Dublette in diesen Kunden übernehmen (Kunden-Nr.)", "Merge a duplicate into this customer (customer no.)";
    salutation: "Anrede", "Salutation";
    no_customers: "Keine Kunden gefunden.", "No customers found.";
    last_24_hours: "Letzte 24 Stunden", "Last 24 hours";
    last_30_days: "Letzte 30 Tage", "Last 30 days";
    chart_calls: "Anrufe pro Tag", "Calls per day";
    chart_conversion: "Buchungsquote", "Booking conversion";
    chart_latency: "Antwortzeit der Funktionen (ms)", "Function answer time (ms)";
    chart_failures: "Fehlgeschlagene Webhooks", "Failed webhooks";
    failed_webhooks: "Fehlgeschlagene Webhook-Zustellungen", "Failed webhook deliveries";
    failed_jobs: "Fehlgeschlagene Cal.com-Aufträge", "Failed Cal.com jobs";
    waiting_calls: "Anrufe, auf die der Abgleich wartet", "Calls the reconciler is waiting on";
    nothing_failed: "Nichts fehlgeschlagen.", "Nothing failed.";
    nothing_waiting: "Keine.", "None.";
    replay: "Erneut anwenden", "Replay";
    retry: "Erneut versuchen", "Retry";
    notice_replayed: "Zustellung erneut angewendet.", "Delivery applied again.";
    notice_replay_failed: "Die Zustellung ließ sich wieder nicht anwenden.", "The delivery could not be applied again.";
    notice_retried: "Auftrag wird erneut versucht.", "The job will run again.";
    users: "Benutzer", "Users";
    role: "Rolle", "Role";
    role_owner: "Inhaber", "Owner";
    role_staff: "Mitarbeiter", "Staff";
    disabled: "gesperrt", "disabled";
    disable: "Sperren", "Disable";
    enable: "Entsperren", "Enable";
    add_user: "Benutzer anlegen", "Add user";
    api_tokens: "API-Tokens", "API tokens";
    add_token: "Token erstellen", "Create token";
    revoke: "Widerrufen", "Revoke";
    revoked: "widerrufen", "revoked";
    last_used: "Zuletzt benutzt", "Last used";
    shown_once: "Nur jetzt sichtbar – bitte sicher aufbewahren:", "Shown only now – keep it safe:";
    closures: "Schließtage", "Closures";
    absences: "Abwesenheiten", "Absences";
    add: "Hinzufügen", "Add";
    remove: "Entfernen", "Remove";
    configuration: "Konfiguration", "Configuration";
    download: "Herunterladen", "Download";
    apply_file: "Geänderte Datei anwenden", "Apply an edited file";
    apply: "Anwenden", "Apply";
    call_registered: "angemeldet", "registered";
    call_ongoing: "läuft", "ongoing";
    call_ended: "beendet", "ended";
    call_not_connected: "nicht verbunden", "not connected";
    call_error: "Fehler", "error";
    call_abandoned: "aufgelegt", "hung up";
}
