//! What simulated callers say: which tenant they call, who they are, what they want, and how they
//! phrase services, dates and times (German at Friseur 1, English at Bright Smile).

use frontdesk_domain::directory::{CompanyEntry, Directory};
use frontdesk_domain::locale::Language;
use frontdesk_domain::tenant_file::{self, DEMO_TENANTS};
use jiff::ToSpan;
use jiff::civil::{Date, Weekday};

use crate::rng::Rng;

/// A tenant as the simulator sees it.
#[derive(Clone, Debug)]
pub struct Tenant {
    /// Company key.
    pub key: String,
    /// The number callers dial.
    pub number: String,
    /// Language of the callers.
    pub language: Language,
    /// What callers call the services (synonyms and names).
    pub services: Vec<String>,
    /// Known customers: name and number.
    pub known: Vec<(String, String)>,
    /// Whether anonymous callers may book.
    pub anonymous_may_book: bool,
    /// Weekdays the branch opens (Monday = 0).
    pub open_days: [bool; 7],
    /// Closed dates.
    pub closures: Vec<Date>,
    /// Earliest and latest start hours that callers ask for.
    pub hours: (i8, i8),
    /// Prefix of new callers' numbers (E.164 without the last digits).
    pub new_prefix: &'static str,
}

/// The demo tenants.
pub fn demo_tenants() -> Vec<Tenant> {
    let spec = tenant_file::parse(DEMO_TENANTS).expect("the embedded demo file is valid");
    let directory = Directory::from_spec(&spec);
    directory.companies().map(|entry| tenant(entry, &spec)).collect()
}

fn tenant(entry: &CompanyEntry, spec: &tenant_file::TenantSpec) -> Tenant {
    let company = &entry.company.def;
    let branch = &entry.branches[0].def;
    let language = company.locale.language();
    let services = entry
        .services
        .iter()
        // Services needing a day's notice or more are asked for less often; keep them in the mix.
        .flat_map(|s| std::iter::once(s.def.name.clone()).chain(s.def.synonyms.iter().take(2).cloned()))
        .collect();
    let file = spec.companies.iter().find(|c| c.def.key == company.key).expect("the same file");
    let known = file.customers.iter().map(|c| (c.name.clone(), c.phone.as_str().to_owned())).collect();
    let open_days = std::array::from_fn(|i| !branch.hours.days()[i].is_closed());
    Tenant {
        key: company.key.to_string(),
        number: branch.phone_numbers[0].as_str().to_owned(),
        language,
        services,
        known,
        anonymous_may_book: entry.policies(None, None).anonymous.may_book,
        open_days,
        closures: branch.closures.clone(),
        hours: match language {
            Language::De => (10, 16),
            Language::En => (9, 15),
        },
        new_prefix: match language {
            Language::De => "+49170",
            Language::En => "+1212555",
        },
    }
}

/// Who is calling.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Caller {
    /// A customer the tenant file knows.
    Known {
        /// Name.
        name: String,
        /// Number.
        phone: String,
    },
    /// A number the tenant may or may not have seen (repeats across the run).
    New {
        /// Name they give.
        name: String,
        /// Number.
        phone: String,
    },
    /// Caller id withheld.
    Anonymous {
        /// Name they give.
        name: String,
    },
}

impl Caller {
    /// `from_number` as Retell sends it.
    pub fn from_number(&self) -> &str {
        match self {
            Self::Known { phone, .. } | Self::New { phone, .. } => phone,
            Self::Anonymous { .. } => "anonymous",
        }
    }

    /// The name they give.
    pub fn name(&self) -> &str {
        match self {
            Self::Known { name, .. } | Self::New { name, .. } | Self::Anonymous { name } => name,
        }
    }

    /// The e-mail address they give when booking: every second caller with a number gives
    /// one (always the same for the same number), so that confirmations are sent.
    pub fn email(&self) -> Option<String> {
        let digits: String = self.phone()?.chars().filter(char::is_ascii_digit).collect();
        let last = digits.chars().last()?.to_digit(10)?;
        (last % 2 == 0).then(|| format!("caller{}@example.com", &digits[digits.len().saturating_sub(8)..]))
    }

    /// Their number, unless withheld.
    pub fn phone(&self) -> Option<&str> {
        match self {
            Self::Known { phone, .. } | Self::New { phone, .. } => Some(phone),
            Self::Anonymous { .. } => None,
        }
    }
}

const FIRST_DE: &[&str] = &["Petra", "Jonas", "Leonie", "Mustafa", "Katrin", "Lukas", "Ayşe", "Jürgen", "Mia", "Ole"];
const LAST_DE: &[&str] = &["Schulz", "Becker", "Öztürk", "Hoffmann", "Krüger", "Wagner", "Nowak", "Jansen"];
const FIRST_EN: &[&str] = &["Emily", "Carlos", "Priya", "James", "Olivia", "Wei", "Grace", "Marcus", "Zoe", "Noah"];
const LAST_EN: &[&str] = &["Johnson", "Garcia", "Nguyen", "Smith", "Brown", "O'Neil", "Kowalski", "Lee"];

/// Picks a caller: some known customers, a pool of returning and new numbers, some anonymous.
pub fn caller(tenant: &Tenant, rng: &mut Rng, pool: u64) -> Caller {
    let (first, last) = match tenant.language {
        Language::De => (FIRST_DE, LAST_DE),
        Language::En => (FIRST_EN, LAST_EN),
    };
    let roll = rng.below(100);
    if roll < 10 {
        return Caller::Anonymous { name: format!("{} {}", rng.pick(first), rng.pick(last)) };
    }
    if roll < 30 && !tenant.known.is_empty() {
        let (name, phone) = rng.pick(&tenant.known).clone();
        return Caller::Known { name, phone };
    }
    // The pool is smaller than the run, so numbers come back: returning callers change bookings.
    let n = rng.below(pool.max(1));
    let digits = match tenant.language {
        Language::De => format!("{:07}", 3_000_000 + n),
        Language::En => format!("{:04}", 1000 + n % 8000),
    };
    let name_rng = &mut Rng::new(n);
    Caller::New {
        name: format!("{} {}", name_rng.pick(first), name_rng.pick(last)),
        phone: format!("{}{digits}", tenant.new_prefix),
    }
}

/// What the caller wants.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Intent {
    /// Book something.
    Book,
    /// Move an earlier booking.
    Reschedule,
    /// Cancel an earlier booking.
    Cancel,
    /// Ask about services, hours, free times.
    Question,
    /// Ask to be called back.
    Callback,
}

/// Picks an intent.
pub fn intent(rng: &mut Rng) -> Intent {
    match rng.below(100) {
        0..55 => Intent::Book,
        55..70 => Intent::Reschedule,
        70..84 => Intent::Cancel,
        84..95 => Intent::Question,
        _ => Intent::Callback,
    }
}

/// An open date between 1 and `max_days` days from `today`.
pub fn open_date(tenant: &Tenant, today: Date, rng: &mut Rng, max_days: i64) -> Date {
    let candidates: Vec<Date> = (1..=max_days)
        .filter_map(|d| today.checked_add(d.days()).ok())
        .filter(|d| tenant.open_days[d.weekday().to_monday_zero_offset() as usize] && !tenant.closures.contains(d))
        .collect();
    match candidates.as_slice() {
        [] => today.tomorrow().unwrap_or(today),
        all => *rng.pick(all),
    }
}

/// The first open day after today (where callers crowd).
pub fn first_open_date(tenant: &Tenant, today: Date) -> Date {
    (1..=14)
        .filter_map(|d| today.checked_add(i64::from(d).days()).ok())
        .find(|d| tenant.open_days[d.weekday().to_monday_zero_offset() as usize] && !tenant.closures.contains(d))
        .unwrap_or(today)
}

const WEEKDAYS_DE: [&str; 7] = ["Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"];
const WEEKDAYS_EN: [&str; 7] = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
const MONTHS_DE: [&str; 12] = [
    "Januar",
    "Februar",
    "März",
    "April",
    "Mai",
    "Juni",
    "Juli",
    "August",
    "September",
    "Oktober",
    "November",
    "Dezember",
];
const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// How a caller says `date`, in a way frontdesk reads back as exactly that date.
pub fn say_date(language: Language, date: Date, today: Date, rng: &mut Rng) -> String {
    let days = date.since(today).map(|s| s.get_days()).unwrap_or(0);
    let weekday = date.weekday().to_monday_zero_offset() as usize;
    let monday = today.checked_sub(i64::from(today.weekday().to_monday_zero_offset()).days()).unwrap_or(today);
    let next_week = date.since(monday).map(|s| s.get_days() / 7 == 1).unwrap_or(false);
    let month = (date.month() - 1) as usize;
    let form = rng.below(4);
    match language {
        Language::De => match (days, form) {
            (1, 0 | 1) => "morgen".into(),
            (2, 0) => "übermorgen".into(),
            (1..=6, 0 | 1) => format!("am {}", WEEKDAYS_DE[weekday]),
            (_, 1) if next_week => format!("nächste Woche {}", WEEKDAYS_DE[weekday]),
            (_, 2) => format!("{}.{}.", date.day(), date.month()),
            (_, 3) => format!("am {}. {}", date.day(), MONTHS_DE[month]),
            _ => date.to_string(),
        },
        Language::En => match (days, form) {
            (1, 0 | 1) => "tomorrow".into(),
            (1..=6, 0 | 1) => WEEKDAYS_EN[weekday].into(),
            (_, 1) if next_week => format!("{} next week", WEEKDAYS_EN[weekday]),
            (_, 2) => format!("{} {}", MONTHS_EN[month], date.day()),
            _ => date.to_string(),
        },
    }
}

const HOURS_DE: [&str; 13] =
    ["zwölf", "eins", "zwei", "drei", "vier", "fünf", "sechs", "sieben", "acht", "neun", "zehn", "elf", "zwölf"];
const HOURS_EN: [&str; 13] =
    ["twelve", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"];

/// How a caller says a time of day (on the quarter hour, between 8 and 19 o'clock), in a way
/// frontdesk reads back as exactly that time.
pub fn say_time(language: Language, hour: i8, minute: i8, rng: &mut Rng) -> String {
    let h12 = |h: i8| (h % 12) as usize;
    let form = rng.below(3);
    match language {
        Language::De => match (minute, form) {
            (0, 0) => format!("{hour} Uhr"),
            (0, 1) => format!("um {hour} Uhr"),
            (30, 0 | 1) => format!("halb {}", HOURS_DE[h12(hour + 1)]),
            (15, 0) => format!("viertel nach {}", HOURS_DE[h12(hour)]),
            (45, 0) => format!("viertel vor {}", HOURS_DE[h12(hour + 1)]),
            (m, 1) => format!("{hour} Uhr {m}"),
            (m, _) => format!("{hour:02}:{m:02}"),
        },
        Language::En => {
            let suffix = if hour < 12 { "am" } else { "pm" };
            let twelve = if hour % 12 == 0 { 12 } else { hour % 12 };
            match (minute, form) {
                (0, _) => format!("{twelve}{suffix}"),
                (30, 0) => format!("half past {}", HOURS_EN[h12(hour)]),
                (15, 0) => format!("quarter past {}", HOURS_EN[h12(hour)]),
                (m, 1) => format!("{twelve}:{m:02} {suffix}"),
                (m, _) => format!("{hour:02}:{m:02}"),
            }
        }
    }
}

/// A weekday's name in English, for reports.
pub fn weekday_name(w: Weekday) -> &'static str {
    WEEKDAYS_EN[w.to_monday_zero_offset() as usize]
}

#[cfg(test)]
mod tests {
    use frontdesk_domain::language::when::{self, Expect, TimeOfDay};
    use frontdesk_domain::time::ClockTime;
    use jiff::civil::date;

    use super::*;

    /// Every phrase the simulator says means what it meant to say.
    #[test]
    fn phrases_read_back_exactly() {
        let mut rng = Rng::new(3);
        let today = date(2026, 3, 10);
        for language in [Language::De, Language::En] {
            for d in 1..40 {
                let target = today.checked_add((d as i64).days()).unwrap();
                for _ in 0..4 {
                    let said = say_date(language, target, today, &mut rng);
                    assert_eq!(when::parse_date(&said, today), Ok(target), "{said}");
                }
            }
            for hour in 8..19 {
                for minute in [0, 15, 30, 45] {
                    for _ in 0..4 {
                        let said = say_time(language, hour, minute, &mut rng);
                        let expected = TimeOfDay::At(ClockTime::from_hm(hour as u8, minute as u8).unwrap());
                        assert_eq!(
                            when::understand(&said, today, Expect::Time).map(|u| u.time),
                            Ok(Some(expected)),
                            "{said}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn the_demo_tenants_are_known() {
        let tenants = demo_tenants();
        assert_eq!(tenants.len(), 2);
        assert!(tenants[0].anonymous_may_book && !tenants[1].anonymous_may_book);
        assert!(tenants[0].services.iter().any(|s| s == "Farbe"));
        let mut rng = Rng::new(1);
        let callers: Vec<Caller> = (0..200).map(|_| caller(&tenants[1], &mut rng, 20)).collect();
        assert!(callers.iter().any(|c| matches!(c, Caller::Anonymous { .. })));
        for c in &callers {
            if let Some(phone) = c.phone() {
                assert!(frontdesk_domain::phone::E164::parse_strict(phone).is_ok(), "{phone}");
            }
        }
    }
}
