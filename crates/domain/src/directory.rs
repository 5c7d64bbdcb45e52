//! The directory: an in-memory snapshot of every tenant's configuration, for answering a function
//! call without a round trip per lookup. It is rebuilt whenever the stored configuration changes;
//! bookings never trust it alone (the database guards every invariant).

use std::collections::{BTreeMap, HashMap};

use crate::ids::{BranchId, CompanyId, ServiceId, StaffId};
use crate::matching::{self, Match, fold};
use crate::phone::E164;
use crate::tenant::{Branch, Company, Policies, Service, Staff};
use crate::tenant_file::TenantSpec;

/// How a company's calendar maps onto Cal.com (no secrets: those stay in the store).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CalcomLink {
    /// Service → Cal.com event type id.
    pub event_types: BTreeMap<ServiceId, i64>,
    /// Staff member → Cal.com user id.
    pub users: BTreeMap<StaffId, i64>,
    /// (staff member, service) → the event type that books them for it.
    pub staff_event_types: BTreeMap<(StaffId, ServiceId), i64>,
}

impl CalcomLink {
    /// The event type to book `staff` for `service` with: their own if mapped (Cal.com then
    /// books them as the host), else the service's (Cal.com picks the host).
    pub fn event_type_for(&self, staff: StaffId, service: ServiceId) -> Option<i64> {
        self.staff_event_types.get(&(staff, service)).or_else(|| self.event_types.get(&service)).copied()
    }

    /// The staff member and service a per-staff event type books.
    pub fn staff_service_of_event_type(&self, event_type: i64) -> Option<(StaffId, ServiceId)> {
        self.staff_event_types.iter().find(|(_, e)| **e == event_type).map(|(pair, _)| *pair)
    }

    /// The staff member a Cal.com user is.
    pub fn staff_of_user(&self, user: i64) -> Option<StaffId> {
        self.users.iter().find(|(_, u)| **u == user).map(|(s, _)| *s)
    }

    /// The service a Cal.com event type books (a service's or a staff member's).
    pub fn service_of_event_type(&self, event_type: i64) -> Option<ServiceId> {
        self.event_types
            .iter()
            .find(|(_, e)| **e == event_type)
            .map(|(s, _)| *s)
            .or_else(|| self.staff_service_of_event_type(event_type).map(|(_, s)| s))
    }
}

/// One company and everything it owns.
#[derive(Clone, Debug)]
pub struct CompanyEntry {
    /// The company.
    pub company: Company,
    /// Its branches, ordered by id.
    pub branches: Vec<Branch>,
    /// Its services, ordered by id.
    pub services: Vec<Service>,
    /// Its staff, ordered by id.
    pub staff: Vec<Staff>,
    /// Its Cal.com mirror, if connected.
    pub calcom: Option<CalcomLink>,
}

/// Every tenant, indexed for the lookups a call needs.
#[derive(Clone, Debug, Default)]
pub struct Directory {
    companies: BTreeMap<CompanyId, CompanyEntry>,
    routes: HashMap<E164, (CompanyId, BranchId)>,
    by_key: HashMap<String, CompanyId>,
    version: i64,
}

impl Directory {
    /// Builds the indexes; `version` is the store's configuration version it reflects.
    pub fn new(entries: Vec<CompanyEntry>, version: i64) -> Self {
        let mut routes = HashMap::new();
        let mut by_key = HashMap::new();
        let mut companies = BTreeMap::new();
        for entry in entries {
            for branch in &entry.branches {
                for number in &branch.def.phone_numbers {
                    routes.insert(number.clone(), (entry.company.id, branch.id));
                }
            }
            by_key.insert(entry.company.def.key.as_str().to_owned(), entry.company.id);
            companies.insert(entry.company.id, entry);
        }
        Self { companies, routes, by_key, version }
    }

    /// The directory a fresh database would hold after importing `spec`: ids are assigned in
    /// file order, per kind, as the store assigns them. For tests, benchmarks and tools that
    /// need tenants without a database.
    pub fn from_spec(spec: &TenantSpec) -> Self {
        let (mut next_branch, mut next_service, mut next_staff) = (1, 1, 1);
        let entries = spec
            .companies
            .iter()
            .zip(1..)
            .map(|(c, company_id)| {
                let company_id = CompanyId(company_id);
                let services: Vec<Service> = c
                    .services
                    .iter()
                    .map(|def| {
                        next_service += 1;
                        Service { id: ServiceId(next_service - 1), company_id, def: def.clone() }
                    })
                    .collect();
                let mut branches = Vec::new();
                let mut staff = Vec::new();
                for b in &c.branches {
                    let branch_id = BranchId(next_branch);
                    next_branch += 1;
                    branches.push(Branch { id: branch_id, company_id, def: b.def.clone() });
                    for s in &b.staff {
                        let service_ids =
                            services.iter().filter(|x| s.services.contains(&x.def.key)).map(|x| x.id).collect();
                        staff.push(Staff {
                            id: StaffId(next_staff),
                            company_id,
                            branch_id,
                            def: s.clone(),
                            service_ids,
                        });
                        next_staff += 1;
                    }
                }
                let calcom = c.calcom.as_ref().map(|link| CalcomLink {
                    event_types: link
                        .event_types
                        .iter()
                        .filter_map(|(k, id)| services.iter().find(|s| &s.def.key == k).map(|s| (s.id, *id)))
                        .collect(),
                    users: link
                        .users
                        .iter()
                        .filter_map(|(k, id)| staff.iter().find(|s| &s.def.key == k).map(|s| (s.id, *id)))
                        .collect(),
                    staff_event_types: link
                        .staff_event_types
                        .iter()
                        .filter_map(|((st, sv), id)| {
                            let st = staff.iter().find(|s| &s.def.key == st)?;
                            let sv = services.iter().find(|s| &s.def.key == sv)?;
                            Some(((st.id, sv.id), *id))
                        })
                        .collect(),
                });
                CompanyEntry {
                    company: Company { id: company_id, def: c.def.clone() },
                    branches,
                    services,
                    staff,
                    calcom,
                }
            })
            .collect();
        Self::new(entries, 0)
    }

    /// The configuration version this snapshot reflects.
    pub fn version(&self) -> i64 {
        self.version
    }

    /// The company and branch a dialled number belongs to.
    pub fn route(&self, dialled: &E164) -> Option<(&CompanyEntry, &Branch)> {
        let (company, branch) = self.routes.get(dialled)?;
        let entry = self.companies.get(company)?;
        Some((entry, entry.branch(*branch)?))
    }

    /// A company by id.
    pub fn company(&self, id: CompanyId) -> Option<&CompanyEntry> {
        self.companies.get(&id)
    }

    /// A company by key.
    pub fn company_by_key(&self, key: &str) -> Option<&CompanyEntry> {
        self.company(*self.by_key.get(key)?)
    }

    /// All companies, by id.
    pub fn companies(&self) -> impl Iterator<Item = &CompanyEntry> {
        self.companies.values()
    }
}

impl CompanyEntry {
    /// A branch by id.
    pub fn branch(&self, id: BranchId) -> Option<&Branch> {
        self.branches.iter().find(|b| b.id == id)
    }

    /// A service by id.
    pub fn service(&self, id: ServiceId) -> Option<&Service> {
        self.services.iter().find(|s| s.id == id)
    }

    /// A staff member by id.
    pub fn staff_member(&self, id: StaffId) -> Option<&Staff> {
        self.staff.iter().find(|s| s.id == id)
    }

    /// Staff of one branch, ordered by id.
    pub fn staff_of(&self, branch: BranchId) -> impl Iterator<Item = &Staff> {
        self.staff.iter().filter(move |s| s.branch_id == branch)
    }

    /// The service a caller means: by id, key, name or synonym, leniently.
    pub fn find_service(&self, query: &str) -> Match<&Service> {
        if let Some(s) = query.trim().parse::<i64>().ok().and_then(|id| self.service(ServiceId(id))) {
            return Match::One(s);
        }
        matching::best(query, self.services.iter(), |s| {
            std::iter::once(s.def.key.as_str().replace(['-', '_'], " "))
                .chain(std::iter::once(fold(&s.def.name)))
                .chain(s.def.synonyms.iter().map(|x| fold(x)))
                .collect::<Vec<_>>()
        })
    }

    /// The staff member of a branch a caller means: by id, key, full name, first or last name;
    /// titles such as "Frau" or "Dr." are ignored.
    pub fn find_staff(&self, branch: BranchId, query: &str) -> Match<&Staff> {
        if let Some(s) = query.trim().parse::<i64>().ok().and_then(|id| self.staff_member(StaffId(id))) {
            return if s.branch_id == branch { Match::One(s) } else { Match::None };
        }
        let query = strip_titles(&fold(query));
        matching::best(&query, self.staff_of(branch), |s| {
            let full = strip_titles(&fold(&s.def.name));
            let mut names: Vec<String> = full.split(' ').filter(|w| w.len() > 1).map(str::to_owned).collect();
            names.push(s.def.key.as_str().replace(['-', '_'], " "));
            names.push(full);
            names
        })
    }

    /// The effective policies for a booking at `branch` of `service`.
    pub fn policies(&self, branch: Option<&Branch>, service: Option<&Service>) -> Policies {
        let mut p = Policies::default().patched(&self.company.def.policies);
        if let Some(b) = branch {
            p = p.patched(&b.def.policies);
        }
        if let Some(s) = service {
            p = p.patched(&s.def.policies);
        }
        p
    }
}

fn strip_titles(folded: &str) -> String {
    const TITLES: [&str; 9] = ["frau", "herr", "herrn", "dr", "mr", "mrs", "ms", "miss", "doctor"];
    folded.split(' ').filter(|w| !TITLES.contains(w)).collect::<Vec<_>>().join(" ")
}
