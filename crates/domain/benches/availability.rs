//! Availability engine benchmarks: the demo salon's branch (3 staff) with 200 appointments in
//! the week being searched.
//!
//! Run: `cargo bench -p frontdesk-domain --bench availability`.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use frontdesk_domain::availability::{Busy, Calendar, Engine};
use frontdesk_domain::directory::Directory;
use frontdesk_domain::ids::AppointmentId;
use frontdesk_domain::tenant_file::{self, DEMO_TENANTS};
use frontdesk_domain::time::TimeRange;
use jiff::civil::date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

/// 200 appointments spread over Tuesday to Saturday, for the three stylists, 35-50 minutes each
/// with gaps, deterministically.
fn week_of_bookings(dir: &Directory) -> Vec<Busy> {
    let f = dir.company_by_key("friseur1").expect("demo company");
    let tz = TimeZone::get("Europe/Berlin").expect("zone");
    let mut busy = Vec::new();
    let mut seed: u64 = 42;
    let mut next = || {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (seed >> 33) as i64
    };
    let days = [date(2026, 3, 10), date(2026, 3, 11), date(2026, 3, 12), date(2026, 3, 13), date(2026, 3, 14)];
    for i in 0..200 {
        let staff = &f.staff[i % 3];
        let day = days[(i / 3) % days.len()];
        let minute = 9 * 60 + (next() % (8 * 60));
        let start =
            day.at(0, 0, 0, 0).to_zoned(tz.clone()).expect("midnight").timestamp() + SignedDuration::from_mins(minute);
        let len = 35 + next() % 16;
        busy.push(Busy {
            staff_id: staff.id,
            range: TimeRange::starting_at(start, len as u32).expect("positive"),
            appointment_id: Some(AppointmentId(i as i64)),
        });
    }
    busy
}

fn benches(c: &mut Criterion) {
    let dir = Directory::from_spec(&tenant_file::parse(DEMO_TENANTS).expect("demo"));
    let f = dir.company_by_key("friseur1").expect("demo company");
    let branch = &f.branches[0];
    let cut = f.services.iter().find(|s| s.def.key.as_str() == "herrenhaarschnitt").expect("service");
    let colour = f.services.iter().find(|s| s.def.key.as_str() == "faerben").expect("service");
    let now: Timestamp = "2026-03-09T08:00:00Z".parse().expect("instant");
    let busy = week_of_bookings(&dir);
    let calendar = Calendar::new(busy.clone());
    let engine = Engine::new(f, branch, cut, now);
    let composite = Engine::new(f, branch, colour, now);
    let wednesday = date(2026, 3, 11);
    let requested: Timestamp = "2026-03-11T10:00:00Z".parse().expect("instant");

    c.bench_function("calendar: index 200 appointments", |b| b.iter(|| Calendar::new(black_box(busy.clone()))));
    c.bench_function("day: one day, 3 staff, 200 appointments in the week", |b| {
        b.iter(|| engine.day_slots(black_box(wednesday), &calendar, None))
    });
    c.bench_function("day: composite service (3 segments)", |b| {
        b.iter(|| composite.day_slots(black_box(wednesday), &calendar, None))
    });
    c.bench_function("next available: every slot in 14 days", |b| {
        b.iter(|| engine.next_available(black_box(now), &calendar, None, usize::MAX, 14))
    });
    c.bench_function("next available: first 3", |b| {
        b.iter(|| engine.next_available(black_box(now), &calendar, None, 3, 14))
    });
    c.bench_function("alternatives: 3 nearest to a taken time", |b| {
        b.iter(|| engine.alternatives(black_box(requested), &calendar, None, 3, 14))
    });
}

criterion_group!(availability, benches);
criterion_main!(availability);
