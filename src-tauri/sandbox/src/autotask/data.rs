//! Seeds the tenant from the demo [`World`]: companies (with the MSP's own company at id 0),
//! services, Recurring Service contracts with their lines, and one ContractServiceUnits row per
//! line per monthly period. Units are deliberately a little off Coro's usage so a sync has work,
//! and each [`Quirk`] gets the awkward shape the reference warns about.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::time::{Duration, Instant};

use chrono::{Datelike, NaiveDate, NaiveTime};
use serde_json::{json, Value};

use super::meta::*;
use super::time::{
    add_months, fmt_date, fmt_timestamp, last_of_month, stored_date, TenantTimeZone,
};
use super::{
    ApiUser, ContractAccess, IntegrationCode, State, Threshold, DEMO_INTEGRATION_CODE, DEMO_SECRET,
    DEMO_USERNAME, RESTRICTED_USERNAME, THREAD_LIMIT, VENDOR_INTEGRATION_CODE,
};
use crate::common::{Behaviour, Rng};
use crate::seed::{Quirk, World, SERVICES};

const COMPANY_BASE: i64 = 29_683_000;
const SERVICE_BASE: i64 = 29_684_300;
const CONTRACT_BASE: i64 = 29_700_000;
const LINE_BASE: i64 = 29_800_000;
const UNIT_BASE: i64 = 30_100_000;
const ADJUSTMENT_BASE: i64 = 5_551_000;
const OWNER_RESOURCE: i64 = 29_682_885;
const BILLING_CODE: i64 = 29_682_801;
const COUNTRY_US: i64 = 237;

/// Per-unit list prices of the Coro services, in `SERVICES` order.
const PRICES: &[f64] = &[
    6.50, 4.00, 3.00, 3.50, 2.75, 2.00, 1.50, 2.25, 1.25, 2.50, 9.00, 1.75, 1.00, 1.00, 3.25,
];
const CITIES: &[(&str, &str)] = &[
    ("Springfield", "IL"),
    ("Austin", "TX"),
    ("Portland", "OR"),
    ("Raleigh", "NC"),
    ("Columbus", "OH"),
    ("Tampa", "FL"),
    ("Denver", "CO"),
    ("Albany", "NY"),
];

pub(super) fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn slug(name: &str) -> String {
    name.chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_lowercase()
}

/// What a new line's units rows start from.
pub(super) struct LineSpec<'a> {
    pub contract_id: i64,
    pub service_id: i64,
    pub unit_price: f64,
    pub unit_cost: f64,
    pub invoice_description: String,
    /// Units for the period starting on the given date.
    pub units: &'a mut dyn FnMut(NaiveDate) -> i64,
}

impl State {
    pub(super) fn seeded(
        world: &World,
        behaviour: &Behaviour,
        zone_urls: Vec<String>,
        time_zone: TenantTimeZone,
    ) -> State {
        let today = time_zone.today();
        let mut s = State {
            ci: 7_301_000 + (world.seed % 1000) as i64,
            zone_urls,
            current_zone: 0,
            time_zone,
            today,
            users: vec![
                ApiUser {
                    username: DEMO_USERNAME.to_string(),
                    secret: DEMO_SECRET.to_string(),
                    contract_access: ContractAccess::Full,
                },
                ApiUser {
                    username: RESTRICTED_USERNAME.to_string(),
                    secret: DEMO_SECRET.to_string(),
                    contract_access: ContractAccess::Empty,
                },
            ],
            integration_codes: vec![
                IntegrationCode {
                    code: DEMO_INTEGRATION_CODE.to_string(),
                    label: "Internal Integration (custom)".to_string(),
                    disabled: false,
                },
                IntegrationCode {
                    code: VENDOR_INTEGRATION_CODE.to_string(),
                    label: "Coro Cybersecurity - REST API Integration".to_string(),
                    disabled: false,
                },
            ],
            companies: BTreeMap::new(),
            services: BTreeMap::new(),
            contracts: BTreeMap::new(),
            contract_services: BTreeMap::new(),
            units: BTreeMap::new(),
            units_by_line: HashMap::new(),
            adjustments: Vec::new(),
            drop_next_adjustment_responses: VecDeque::new(),
            adjustment_behaviour: Default::default(),
            deferred: Vec::new(),
            thread_limit: THREAD_LIMIT,
            thread_limit_rejections: 0,
            threshold: Threshold {
                limit: behaviour.rate_limit,
                timeframe: behaviour.rate_window,
                count: 0,
                window_start: Instant::now(),
                half_delay: Duration::from_millis(500),
                three_quarter_delay: Duration::from_secs(1),
            },
            next_line_id: LINE_BASE + 1,
            next_unit_id: UNIT_BASE + 1,
            next_adjustment_id: ADJUSTMENT_BASE + 1,
            desk: super::tickets::Desk::seeded(),
        };
        s.seed_companies(world);
        s.seed_services();
        s.seed_contracts(world);
        s
    }

    pub(super) fn take_adjustment_id(&mut self) -> i64 {
        let id = self.next_adjustment_id;
        self.next_adjustment_id += 1;
        id
    }

    fn seed_companies(&mut self, world: &World) {
        let mut rng = Rng::new(world.seed ^ 0xA7_C0);
        let created = self.today - chrono::Duration::days(900);
        let stamp = |d: NaiveDate, h: u32| {
            fmt_timestamp(d.and_time(NaiveTime::from_hms_opt(h, 12, 7).unwrap_or(NaiveTime::MIN)))
        };
        // Company 0 exists in real tenants (believed to be the MSP itself); never "none".
        self.companies.insert(
            0,
            json!({"id": 0, "companyName": "BrightPath IT", "companyNumber": "0", "companyType": COMPANY_OWNER,
                   "isActive": true, "parentCompanyID": null, "ownerResourceID": OWNER_RESOURCE,
                   "phone": "555-0100", "webAddress": "www.brightpath.example", "city": "Albany",
                   "state": "NY", "countryID": COUNTRY_US, "createDate": stamp(created, 9),
                   "lastActivityDate": stamp(self.today, 8), "lastTrackedModifiedDateTime": stamp(self.today, 8),
                   "userDefinedFields": []}),
        );
        let customers = world.customers.len();
        for (i, name) in world.company_names.iter().enumerate() {
            let id = COMPANY_BASE + i as i64 + 1;
            let is_customer = i < customers;
            // A few non-customers are inactive, so clients must not assume every company is live.
            let active = is_customer || i % 23 != 5;
            let company_type = if is_customer {
                COMPANY_CUSTOMER
            } else if !active {
                COMPANY_CANCELLATION
            } else {
                match i % 10 {
                    0..=5 => COMPANY_CUSTOMER,
                    6 => COMPANY_PROSPECT,
                    7 => COMPANY_LEAD,
                    8 => COMPANY_VENDOR,
                    _ => COMPANY_CUSTOMER,
                }
            };
            let (city, state) = *rng.pick(CITIES);
            let created = self.today - chrono::Duration::days(rng.range(30, 2000) as i64);
            let active_day = self.today - chrono::Duration::days(rng.range(0, 60) as i64);
            self.companies.insert(
                id,
                json!({"id": id, "companyName": name, "companyNumber": format!("CN-{:05}", i + 1),
                       "companyType": company_type, "isActive": active, "parentCompanyID": null,
                       "ownerResourceID": OWNER_RESOURCE, "phone": format!("555-{:04}", rng.range(100, 9999)),
                       "webAddress": format!("www.{}.example.com", slug(name)), "city": city, "state": state,
                       "countryID": COUNTRY_US, "createDate": stamp(created, 15),
                       "lastActivityDate": stamp(active_day, 8), "lastTrackedModifiedDateTime": stamp(active_day, 8),
                       "userDefinedFields": []}),
            );
        }
    }

    fn add_service(
        &mut self,
        id: i64,
        name: &str,
        price: f64,
        period: i64,
        active: bool,
        desc: &str,
    ) {
        let created = fmt_timestamp(
            (self.today - chrono::Duration::days(400))
                .and_time(NaiveTime::from_hms_opt(10, 0, 0).unwrap_or(NaiveTime::MIN)),
        );
        self.services.insert(
            id,
            json!({"id": id, "name": name, "description": desc, "invoiceDescription": name,
                   "unitPrice": price, "unitCost": round2(price * 0.48), "markupRate": null,
                   "periodType": period, "billingCodeID": BILLING_CODE, "isActive": active,
                   "serviceLevelAgreementID": null, "vendorCompanyID": null, "createDate": created,
                   "lastModifiedDate": created, "creatorResourceID": OWNER_RESOURCE,
                   "updateResourceID": null, "userDefinedFields": []}),
        );
    }

    fn seed_services(&mut self) {
        for (i, svc) in SERVICES.iter().enumerate() {
            let price = PRICES.get(i).copied().unwrap_or(2.0);
            let unit = if svc.per_device {
                "per device"
            } else {
                "per user"
            };
            self.add_service(
                SERVICE_BASE + i as i64 + 1,
                &format!("Coro {}", svc.name),
                price,
                PERIOD_MONTHLY,
                true,
                &format!("Coro {} – {unit}, billed monthly", svc.name),
            );
        }
        // Unrelated and look-alike services: an inactive legacy Coro service and a yearly one make
        // name-based mapping ambiguous on purpose.
        let extra = SERVICE_BASE + 100;
        self.add_service(
            extra + 1,
            "Coro Endpoint Security (legacy)",
            5.00,
            PERIOD_MONTHLY,
            false,
            "Retired SKU",
        );
        self.add_service(
            extra + 2,
            "Managed Backup – per server",
            25.00,
            PERIOD_MONTHLY,
            true,
            "Image backup",
        );
        self.add_service(
            extra + 3,
            "Microsoft 365 Business Premium",
            22.00,
            PERIOD_MONTHLY,
            true,
            "Licence resale",
        );
        self.add_service(
            extra + 4,
            "Help Desk – per user",
            35.00,
            PERIOD_MONTHLY,
            true,
            "Remote support",
        );
        self.add_service(
            extra + 5,
            "Coro EDR – annual prepay",
            42.00,
            PERIOD_YEARLY,
            true,
            "Yearly EDR",
        );
    }

    #[allow(clippy::too_many_arguments)]
    fn add_contract(
        &mut self,
        id: i64,
        company_id: i64,
        name: String,
        kind: i64,
        status: i64,
        start: NaiveDate,
        end: NaiveDate,
        number: String,
    ) {
        let modified = fmt_timestamp(
            start.and_time(NaiveTime::from_hms_opt(16, 40, 2).unwrap_or(NaiveTime::MIN)),
        );
        self.contracts.insert(
            id,
            json!({"id": id, "companyID": company_id, "contractName": name, "contractNumber": number,
                   "contractType": kind, "status": status, "startDate": fmt_date(start),
                   "endDate": fmt_date(end), "contractPeriodType": PERIOD_MONTHLY,
                   "contractCategory": if kind == CONTRACT_RECURRING { 3 } else { 1 },
                   "description": null, "isDefaultContract": false, "billToCompanyID": null,
                   "billToCompanyContactID": null, "contactID": null, "contactName": null,
                   "billingPreference": 1, "setupFee": 0.0, "purchaseOrderNumber": null,
                   "renewedContractID": null, "exclusionContractID": null, "opportunityID": null,
                   "serviceLevelAgreementID": null, "timeReportingRequiresStartAndStopTimes": 1,
                   "organizationalLevelAssociationID": null, "isCompliant": true,
                   "lastModifiedDateTime": modified, "userDefinedFields": []}),
        );
    }

    fn seed_contracts(&mut self, world: &World) {
        let today = self.today;
        let live_start = add_months(today, -3);
        let live_end = last_of_month(add_months(today, 8));
        let mut next_contract = CONTRACT_BASE + 1;
        let year = today.year();
        for (c, cust) in world.customers.iter().enumerate() {
            if cust.quirk == Quirk::NoAgreement {
                continue;
            }
            let company_id = COMPANY_BASE + c as i64 + 1;
            let mut rng = Rng::new(world.seed ^ 0x005E_EDA7 ^ ((c as u64) << 8));
            let subscribed: Vec<usize> = (0..SERVICES.len())
                .filter(|s| world.subscribes(c, *s))
                .collect();
            let current: Vec<(usize, i64)> = subscribed
                .iter()
                .map(|&s| {
                    let usage = i64::from(world.usage(c, s));
                    // ~30 % of lines already match Coro; the rest are a few units off either way.
                    let units = if rng.chance(0.3) {
                        usage
                    } else {
                        let off = rng.range(1, 6) as i64;
                        if rng.chance(0.5) {
                            usage + off
                        } else {
                            usage - off
                        }
                    };
                    (s, units.max(0))
                })
                .collect();

            let live = next_contract;
            next_contract += 1;
            // Pre-flight: customer 6's contract ends in 20 days (it still bills until then).
            let this_end = if c == 6 {
                today + chrono::Duration::days(20)
            } else {
                live_end
            };
            self.add_contract(
                live,
                company_id,
                format!("{} – Managed Security", cust.name),
                CONTRACT_RECURRING,
                STATUS_ACTIVE,
                live_start,
                this_end,
                format!("MS-{year}-{:03}", c + 1),
            );
            for (k, &(s, units)) in current.iter().enumerate() {
                let line = self.seed_line(live, s, units, &mut rng);
                if cust.quirk == Quirk::DuplicatedLine && k == 0 {
                    // The same service twice on one contract (allowed via allowRepeatService):
                    // Coro's one count now has two candidate lines.
                    let extra = rng.range(2, 8) as i64;
                    self.seed_line_named(live, s, extra, &mut rng, " (additional seats)");
                }
                // A mid-period adjustment already happened on one line: the current period has
                // two rows, and only the later one holds today's units.
                if c == 2 && k == 0 {
                    self.split_current_period(line, units);
                }
            }
            if c % 3 == 0 {
                self.seed_extra_line(live, SERVICE_BASE + 104, i64::from(cust.users));
            }

            match cust.quirk {
                Quirk::TwoAgreements => {
                    let second = next_contract;
                    next_contract += 1;
                    self.add_contract(
                        second,
                        company_id,
                        format!("{} – Coro Add-ons", cust.name),
                        CONTRACT_RECURRING,
                        STATUS_ACTIVE,
                        add_months(today, -1),
                        live_end,
                        format!("AO-{year}-{:03}", c + 1),
                    );
                    for &(s, _) in &current {
                        let units = rng.range(1, 10) as i64;
                        self.seed_line(second, s, units, &mut rng);
                    }
                }
                Quirk::CancelledLine => {
                    // The previous, now inactive and expired term still carries the services
                    // (with posted periods), next to the live contract.
                    let old = next_contract;
                    next_contract += 1;
                    let old_start = add_months(today, -15);
                    let old_end = live_start.pred_opt().unwrap_or(live_start);
                    self.add_contract(
                        old,
                        company_id,
                        format!("{} – Security (previous term)", cust.name),
                        CONTRACT_RECURRING,
                        STATUS_INACTIVE,
                        old_start,
                        old_end,
                        format!("MS-{}-{:03}", year - 1, c + 1),
                    );
                    for &(s, units) in &current {
                        self.seed_line(old, s, (units - 3).max(0), &mut rng);
                    }
                }
                _ => {}
            }
            if c == 1 {
                // A non-recurring contract: it must be ignored when looking for service lines.
                let block = next_contract;
                next_contract += 1;
                self.add_contract(
                    block,
                    company_id,
                    format!("{} – Block Hours", cust.name),
                    CONTRACT_BLOCK_HOURS,
                    STATUS_ACTIVE,
                    add_months(today, -2),
                    last_of_month(add_months(today, 10)),
                    format!("BH-{year}-{:03}", c + 1),
                );
            }
        }
    }

    fn seed_line(&mut self, contract: i64, s: usize, units: i64, rng: &mut Rng) -> i64 {
        self.seed_line_named(contract, s, units, rng, "")
    }

    /// A Coro service line whose past periods drift a little below `units`.
    fn seed_line_named(
        &mut self,
        contract: i64,
        s: usize,
        units: i64,
        rng: &mut Rng,
        suffix: &str,
    ) -> i64 {
        let service_id = SERVICE_BASE + s as i64 + 1;
        let price = PRICES.get(s).copied().unwrap_or(2.0);
        let current_start = add_months(self.today, 0);
        let mut history: Vec<i64> = (0..24).map(|_| rng.range(0, 3) as i64).collect();
        let mut units_at = |start: NaiveDate| {
            if start >= current_start {
                units
            } else {
                (units - history.pop().unwrap_or(0)).max(0)
            }
        };
        self.add_line(LineSpec {
            contract_id: contract,
            service_id,
            unit_price: price,
            unit_cost: round2(price * 0.48),
            invoice_description: format!(
                "Coro {}{suffix}",
                SERVICES.get(s).map(|x| x.name).unwrap_or("")
            ),
            units: &mut units_at,
        })
    }

    fn seed_extra_line(&mut self, contract: i64, service_id: i64, units: i64) {
        let (price, name) = match self.services.get(&service_id) {
            Some(v) => (
                v["unitPrice"].as_f64().unwrap_or(0.0),
                v["name"].as_str().unwrap_or("").to_string(),
            ),
            None => return,
        };
        self.add_line(LineSpec {
            contract_id: contract,
            service_id,
            unit_price: price,
            unit_cost: round2(price * 0.48),
            invoice_description: name,
            units: &mut |_| units,
        });
    }

    fn split_current_period(&mut self, line: i64, units: i64) {
        let today = self.today;
        let Some(row_id) = self.current_row(line, today).and_then(|r| r["id"].as_i64()) else {
            return;
        };
        let Some(row) = self.units.get(&row_id).cloned() else {
            return;
        };
        let Some(start) = stored_date(&row["startDate"]) else {
            return;
        };
        let days = (today - start).num_days();
        if days < 1 {
            return;
        }
        let split = start + chrono::Duration::days((days + 1) / 2);
        let price = self
            .contract_services
            .get(&line)
            .and_then(|l| l["unitPrice"].as_f64())
            .unwrap_or(0.0);
        let cost = self
            .contract_services
            .get(&line)
            .and_then(|l| l["unitCost"].as_f64())
            .unwrap_or(0.0);
        if let Some(r) = self.units.get_mut(&row_id) {
            let earlier = (units - 2).max(0);
            r["endDate"] = json!(fmt_date(split.pred_opt().unwrap_or(split)));
            set_units(r, earlier, price, cost);
        }
        let mut new_row = row;
        let id = self.next_unit_id;
        self.next_unit_id += 1;
        new_row["id"] = json!(id);
        new_row["startDate"] = json!(fmt_date(split));
        set_units(&mut new_row, units, price, cost);
        self.insert_unit(id, new_row);
    }

    /// Creates a ContractService on a Recurring Service contract with one units row per monthly
    /// period of the contract. Returns the new line's id.
    pub(super) fn add_line(&mut self, spec: LineSpec<'_>) -> i64 {
        let id = self.next_line_id;
        self.next_line_id += 1;
        self.contract_services.insert(
            id,
            json!({"id": id, "contractID": spec.contract_id, "serviceID": spec.service_id,
                   "unitPrice": spec.unit_price, "unitCost": spec.unit_cost,
                   "internalCurrencyUnitPrice": spec.unit_price,
                   "internalCurrencyAdjustedPrice": spec.unit_price,
                   "invoiceDescription": spec.invoice_description, "internalDescription": null,
                   "quoteItemID": null}),
        );
        let (start, end) = match self.contracts.get(&spec.contract_id) {
            Some(c) => (stored_date(&c["startDate"]), stored_date(&c["endDate"])),
            None => (None, None),
        };
        let (Some(start), Some(end)) = (start, end) else {
            return id;
        };
        let mut period = start;
        while period <= end {
            let period_end = last_of_month(period).min(end);
            // Periods are approved & posted a few days after they end; posted ones are frozen.
            let posted = period_end + chrono::Duration::days(5);
            let approve = (posted <= self.today).then(|| {
                fmt_timestamp(
                    posted.and_time(NaiveTime::from_hms_opt(14, 0, 0).unwrap_or(NaiveTime::MIN)),
                )
            });
            let units = (spec.units)(period);
            let row_id = self.next_unit_id;
            self.next_unit_id += 1;
            let mut row = json!({"id": row_id, "contractID": spec.contract_id, "contractServiceID": id,
                   "serviceID": spec.service_id, "startDate": fmt_date(period), "endDate": fmt_date(period_end),
                   "units": 0, "price": 0.0, "cost": 0.0, "internalCurrencyPrice": 0.0,
                   "approveAndPostDate": approve, "organizationalLevelAssociationID": null,
                   "vendorCompanyID": null});
            set_units(&mut row, units, spec.unit_price, spec.unit_cost);
            self.insert_unit(row_id, row);
            period = add_months(period, 1);
        }
        id
    }

    pub(super) fn take_unit_id(&mut self) -> i64 {
        let id = self.next_unit_id;
        self.next_unit_id += 1;
        id
    }
}

/// Sets a row's units and its per-period totals (`price` = units × unit price, as in the
/// reference's sample: 42 × 6.50 = 273.00).
pub(super) fn set_units(row: &mut Value, units: i64, unit_price: f64, unit_cost: f64) {
    row["units"] = json!(units);
    row["price"] = json!(round2(units as f64 * unit_price));
    row["cost"] = json!(round2(units as f64 * unit_cost));
    row["internalCurrencyPrice"] = json!(round2(units as f64 * unit_price));
}
