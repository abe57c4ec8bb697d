//! The demo MSP every simulated API is built from: one list of customers (Coro child workspaces)
//! whose names also appear among the PSA companies, the Coro services, and which customer carries
//! which awkward billing case. Deterministic for a given seed.

use super::common::Rng;

/// An awkward case the PSA references warn about, pinned to one customer each so tests and the
/// demo can find them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quirk {
    None,
    /// ConnectWise: one addition for a mapped product is cancelled (a second, live one exists).
    /// Autotask: the contract has an extra expired-period units row.
    CancelledLine,
    /// The company has two active agreements / recurring contracts that both carry the products.
    TwoAgreements,
    /// The same product appears twice on the one agreement / contract.
    DuplicatedLine,
    /// The company exists in the PSA but has no agreement / contract at all.
    NoAgreement,
    /// The Coro workspace is archived (excluded from billing).
    Archived,
}

#[derive(Debug, Clone)]
pub struct Customer {
    /// Coro workspace id, e.g. `acmedental_TX7T_u`.
    pub workspace_id: String,
    /// Shared by the Coro workspace and the matching PSA company.
    pub name: String,
    pub domain: String,
    pub quirk: Quirk,
    /// Protected devices / users for this customer.
    pub devices: u32,
    pub users: u32,
}

/// A Coro service as the sandbox knows it: key as in the API, display name, billing unit.
#[derive(Debug, Clone, Copy)]
pub struct Service {
    pub key: &'static str,
    pub name: &'static str,
    pub per_device: bool,
}

pub const SERVICES: &[Service] = &[
    Service {
        key: "endpointSecurity",
        name: "Endpoint Security",
        per_device: true,
    },
    Service {
        key: "edr",
        name: "EDR",
        per_device: true,
    },
    Service {
        key: "endpointDataGovernance",
        name: "Endpoint Data Governance",
        per_device: true,
    },
    Service {
        key: "emailSecurity",
        name: "Email Security",
        per_device: false,
    },
    Service {
        key: "cloudSecurity",
        name: "Cloud Security",
        per_device: false,
    },
    Service {
        key: "userDataGovernance",
        name: "User Data Governance",
        per_device: false,
    },
    Service {
        key: "network",
        name: "Network",
        per_device: false,
    },
    Service {
        key: "mdm",
        name: "Mobile Device Management",
        per_device: true,
    },
    Service {
        key: "securityAwarenessTraining",
        name: "Security Awareness Training",
        per_device: false,
    },
    Service {
        key: "secureWebGateway",
        name: "Secure Web Gateway",
        per_device: false,
    },
    Service {
        key: "managedService",
        name: "Managed Service (SOC)",
        per_device: true,
    },
    Service {
        key: "inboundGateway",
        name: "Inbound Gateway",
        per_device: false,
    },
    Service {
        key: "secureMessages",
        name: "Secure Messages",
        per_device: false,
    },
    Service {
        key: "wifiPhishing",
        name: "WiFi Phishing",
        per_device: true,
    },
    Service {
        key: "ztna",
        name: "ZTNA",
        per_device: false,
    },
];

const FIRST: &[&str] = &[
    "Acme",
    "Northwind",
    "Contoso",
    "Fabrikam",
    "Bluebird",
    "Summit",
    "Harbor",
    "Pinecrest",
    "Redwood",
    "Silverline",
    "Oakridge",
    "Lakeside",
    "Granite",
    "Evergreen",
    "Riverbend",
    "Sterling",
    "Brightwater",
    "Cedar",
    "Highland",
    "Meridian",
    "Coastal",
    "Ironwood",
    "Maple",
    "Prairie",
    "Falcon",
    "Keystone",
    "Horizon",
    "Willow",
    "Crescent",
    "Beacon",
];
const SECOND: &[&str] = &[
    "Dental",
    "Logistics",
    "Legal",
    "Accounting",
    "Clinic",
    "Realty",
    "Engineering",
    "Foods",
    "Insurance",
    "Architects",
    "Veterinary",
    "Marine",
    "Labs",
    "Outfitters",
    "Pharmacy",
    "Builders",
    "Consulting",
    "Academy",
    "Motors",
    "Studios",
];
const THIRD: &[&str] = &[
    "Group",
    "LLC",
    "Inc.",
    "Partners",
    "Co.",
    "Ltd",
    "Associates",
    "Services",
];

/// The demo world: customers (Coro child workspaces) and every PSA company name.
#[derive(Debug, Clone)]
pub struct World {
    pub seed: u64,
    pub channel_id: String,
    pub channel_name: String,
    pub customers: Vec<Customer>,
    /// All PSA company names; the first `customers.len()` are the customers' names in order.
    pub company_names: Vec<String>,
}

impl World {
    /// `workspaces` ≥ 14 gives every quirk one customer; `companies` is the PSA tenant size.
    pub fn new(seed: u64, workspaces: usize, companies: usize) -> World {
        let mut rng = Rng::new(seed);
        let mut used = std::collections::HashSet::new();
        let mut names = Vec::new();
        let total = companies.max(workspaces);
        let mut attempt = 0u64;
        while names.len() < total {
            attempt += 1;
            let name = if attempt < 20_000 {
                format!(
                    "{} {} {}",
                    rng.pick(FIRST),
                    rng.pick(SECOND),
                    rng.pick(THIRD)
                )
            } else {
                format!(
                    "{} {} {} {}",
                    rng.pick(FIRST),
                    rng.pick(SECOND),
                    rng.pick(THIRD),
                    attempt
                )
            };
            if used.insert(name.clone()) {
                names.push(name);
            }
        }
        let quirks = [
            (9, Quirk::TwoAgreements),
            (10, Quirk::DuplicatedLine),
            (11, Quirk::NoAgreement),
            (12, Quirk::CancelledLine),
            (13, Quirk::Archived),
        ];
        let customers = names
            .iter()
            .take(workspaces)
            .enumerate()
            .map(|(i, name)| {
                let slug: String = name
                    .chars()
                    .filter(|c| c.is_ascii_alphanumeric())
                    .take(14)
                    .collect::<String>()
                    .to_ascii_lowercase();
                let tag = rng.next_u64();
                let workspace_id = format!(
                    "{slug}_{}{}{}{}_{}",
                    (b'A' + (tag % 26) as u8) as char,
                    (b'A' + ((tag >> 8) % 26) as u8) as char,
                    (tag >> 16) % 10,
                    (b'A' + ((tag >> 24) % 26) as u8) as char,
                    (b'a' + ((tag >> 32) % 26) as u8) as char
                );
                let quirk = quirks
                    .iter()
                    .find(|(idx, _)| *idx == i)
                    .map(|(_, q)| *q)
                    .unwrap_or(Quirk::None);
                let devices = rng.range(8, 240) as u32;
                let users = rng.range(5, 180) as u32;
                Customer {
                    workspace_id,
                    name: name.clone(),
                    domain: format!("{slug}.example.com"),
                    quirk,
                    devices,
                    users,
                }
            })
            .collect();
        World {
            seed,
            channel_id: "brightpathit_CH4N_c".to_string(),
            channel_name: "BrightPath IT (channel)".to_string(),
            customers,
            company_names: names,
        }
    }

    /// Whether a customer subscribes to a service (every service has at least one subscriber;
    /// customer 0 subscribes to all of them).
    pub fn subscribes(&self, customer: usize, service: usize) -> bool {
        if customer == 0 {
            return true;
        }
        let mut rng = Rng::new(self.seed ^ ((customer as u64) << 16) ^ service as u64);
        // Core modules are common, add-ons rarer.
        let p = if service < 5 { 0.85 } else { 0.45 };
        rng.chance(p)
    }

    /// The count Coro reports for a customer and service (devices or users by the service's unit,
    /// add-ons a share of the base).
    pub fn usage(&self, customer: usize, service: usize) -> u32 {
        let c = &self.customers[customer];
        let s = &SERVICES[service];
        let base = if s.per_device { c.devices } else { c.users };
        if service < 5 {
            base
        } else {
            let mut rng = Rng::new(self.seed ^ 0xABCD ^ ((customer as u64) << 20) ^ service as u64);
            (base as u64 * rng.range(40, 100) / 100) as u32
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn world_is_deterministic_and_has_every_quirk() {
        let a = World::new(42, 14, 320);
        let b = World::new(42, 14, 320);
        assert_eq!(a.company_names, b.company_names);
        assert_eq!(a.company_names.len(), 320);
        assert_eq!(a.customers.len(), 14);
        for q in [
            Quirk::TwoAgreements,
            Quirk::DuplicatedLine,
            Quirk::NoAgreement,
            Quirk::CancelledLine,
            Quirk::Archived,
        ] {
            assert!(a.customers.iter().any(|c| c.quirk == q), "{q:?} missing");
        }
        let unique: std::collections::HashSet<_> = a.company_names.iter().collect();
        assert_eq!(unique.len(), 320);
    }

    #[test]
    fn every_service_has_usage_somewhere() {
        let w = World::new(7, 14, 300);
        for s in 0..SERVICES.len() {
            assert!(
                (0..14).any(|c| w.subscribes(c, s) && w.usage(c, s) > 0),
                "service {s}"
            );
        }
    }

    #[test]
    fn large_worlds_have_unique_names() {
        let w = World::new(1, 500, 10_000);
        let unique: std::collections::HashSet<_> = w.company_names.iter().collect();
        assert_eq!(unique.len(), 10_000);
    }
}
