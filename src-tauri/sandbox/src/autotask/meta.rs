//! Entity metadata: which entities the sandbox serves, their wire field names (camelCase with
//! capital `ID` suffixes, reference §4), types, and the picklists. The same tables drive the filter
//! evaluator (unknown fields are rejected, values are typed) and the
//! `entityInformation[/fields]` endpoints, so the numbers a client reads from the picklists are the
//! numbers the seeded data uses.

use serde_json::{json, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Entity {
    Companies,
    Services,
    Contracts,
    ContractServices,
    ContractServiceUnits,
    /// Create-only: metadata endpoints and POST, never queried.
    ContractServiceAdjustments,
}

impl Entity {
    pub const ALL: [Entity; 6] = [
        Entity::Companies,
        Entity::Services,
        Entity::Contracts,
        Entity::ContractServices,
        Entity::ContractServiceUnits,
        Entity::ContractServiceAdjustments,
    ];

    /// Path segments are case-insensitive on the real API.
    pub fn parse(segment: &str) -> Option<Entity> {
        Entity::ALL
            .into_iter()
            .find(|e| e.name().eq_ignore_ascii_case(segment))
    }

    /// The URL name (plural), as in `/V1.0/Companies/query`.
    pub fn name(self) -> &'static str {
        match self {
            Entity::Companies => "Companies",
            Entity::Services => "Services",
            Entity::Contracts => "Contracts",
            Entity::ContractServices => "ContractServices",
            Entity::ContractServiceUnits => "ContractServiceUnits",
            Entity::ContractServiceAdjustments => "ContractServiceAdjustments",
        }
    }

    /// The singular name `entityInformation` reports and error messages use.
    pub fn singular(self) -> &'static str {
        match self {
            Entity::Companies => "Company",
            Entity::Services => "Service",
            Entity::Contracts => "Contract",
            Entity::ContractServices => "ContractService",
            Entity::ContractServiceUnits => "ContractServiceUnit",
            Entity::ContractServiceAdjustments => "ContractServiceAdjustment",
        }
    }

    pub fn queryable(self) -> bool {
        self != Entity::ContractServiceAdjustments
    }

    /// Entities hidden from API users whose security level has no contract visibility
    /// (reference §4.3: such users cannot read or write contract entities).
    pub fn contract_scoped(self) -> bool {
        matches!(
            self,
            Entity::Contracts
                | Entity::ContractServices
                | Entity::ContractServiceUnits
                | Entity::ContractServiceAdjustments
        )
    }

    pub fn has_udfs(self) -> bool {
        matches!(
            self,
            Entity::Companies | Entity::Services | Entity::Contracts
        )
    }

    pub fn fields(self) -> &'static [FieldDef] {
        match self {
            Entity::Companies => COMPANY_FIELDS,
            Entity::Services => SERVICE_FIELDS,
            Entity::Contracts => CONTRACT_FIELDS,
            Entity::ContractServices => CONTRACT_SERVICE_FIELDS,
            Entity::ContractServiceUnits => UNIT_FIELDS,
            Entity::ContractServiceAdjustments => ADJUSTMENT_FIELDS,
        }
    }

    /// Field names are matched case-insensitively (Kelvin's examples filter on `isactive`).
    pub fn field(self, name: &str) -> Option<&'static FieldDef> {
        self.fields()
            .iter()
            .find(|f| f.name.eq_ignore_ascii_case(name))
    }

    /// `GET {Entity}/entityInformation`.
    pub fn info(self, contract_access: bool) -> Value {
        let (can_create, can_update, can_delete) = match self {
            Entity::Companies | Entity::Contracts => (true, true, false),
            Entity::Services => (true, true, false),
            Entity::ContractServices => (true, true, false),
            Entity::ContractServiceUnits => (false, false, false),
            Entity::ContractServiceAdjustments => (true, false, false),
        };
        // `RestUserAccessLevel` is `{}` in the spec; the sandbox reports a plain string.
        let access = if !self.contract_scoped() || contract_access {
            "All"
        } else {
            "None"
        };
        json!({"info": {
            "name": self.singular(),
            "canCreate": can_create,
            "canDelete": can_delete,
            "canQuery": self.queryable(),
            "canUpdate": can_update,
            "userAccessForCreate": if can_create { access } else { "None" },
            "userAccessForDelete": "None",
            "userAccessForQuery": if self.queryable() { access } else { "None" },
            "userAccessForUpdate": if can_update { access } else { "None" },
            "hasUserDefinedFields": self.has_udfs(),
            "supportsWebhookCallouts": matches!(self, Entity::Companies),
        }})
    }

    /// `GET {Entity}/entityInformation/fields`.
    pub fn fields_info(self) -> Value {
        let fields: Vec<Value> = self.fields().iter().map(|f| f.to_json()).collect();
        json!({ "fields": fields })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ty {
    Long,
    Int,
    Double,
    Str,
    DateTime,
    Bool,
}

impl Ty {
    fn wire(self) -> &'static str {
        match self {
            Ty::Long => "long",
            Ty::Int => "integer",
            Ty::Double => "double",
            Ty::Str => "string",
            Ty::DateTime => "datetime",
            Ty::Bool => "boolean",
        }
    }

    pub fn numeric(self) -> bool {
        matches!(self, Ty::Long | Ty::Int | Ty::Double)
    }
}

pub type Picklist = &'static [(i64, &'static str)];

#[derive(Debug, Clone, Copy)]
pub struct FieldDef {
    pub name: &'static str,
    pub ty: Ty,
    pub required: bool,
    pub read_only: bool,
    pub reference: Option<&'static str>,
    pub picklist: Picklist,
}

const fn f(name: &'static str, ty: Ty) -> FieldDef {
    FieldDef {
        name,
        ty,
        required: false,
        read_only: false,
        reference: None,
        picklist: &[],
    }
}

impl FieldDef {
    const fn req(self) -> Self {
        FieldDef {
            required: true,
            ..self
        }
    }
    const fn ro(self) -> Self {
        FieldDef {
            read_only: true,
            ..self
        }
    }
    const fn refs(self, entity: &'static str) -> Self {
        FieldDef {
            reference: Some(entity),
            ..self
        }
    }
    const fn pick(self, list: Picklist) -> Self {
        FieldDef {
            picklist: list,
            ..self
        }
    }

    fn to_json(self) -> Value {
        let picklist: Option<Vec<Value>> = (!self.picklist.is_empty()).then(|| {
            self.picklist
                .iter()
                .enumerate()
                .map(|(i, (value, label))| {
                    // Picklist values are strings in metadata while entities carry ints (§3.1).
                    json!({"value": value.to_string(), "label": label, "isDefaultValue": i == 0,
                           "sortOrder": i, "parentValue": "", "isActive": true, "isSystem": true})
                })
                .collect()
        });
        json!({
            "name": self.name,
            "dataType": self.ty.wire(),
            "length": if self.ty == Ty::Str { 100 } else { 0 },
            "isRequired": self.required,
            "isReadOnly": self.read_only,
            "isQueryable": true,
            "isReference": self.reference.is_some(),
            "referenceEntityType": self.reference.unwrap_or(""),
            "isPickList": !self.picklist.is_empty(),
            "picklistValues": picklist,
            "picklistParentValueField": "",
            "isSupportedWebhookField": false,
        })
    }
}

// Picklist numbers are tenant data; the reference marks all but contractType 7 as unconfirmed, so
// these are the sandbox's own choice and clients must read them from the fields endpoint.
pub const COMPANY_TYPES: Picklist = &[
    (1, "Customer"),
    (2, "Lead"),
    (3, "Prospect"),
    (4, "Dead"),
    (6, "Cancellation"),
    (7, "Vendor"),
    (8, "Partner"),
    (9, "Owner"),
];
pub const PERIOD_TYPES: Picklist = &[
    (1, "Monthly"),
    (2, "Quarterly"),
    (3, "Semi-Annual"),
    (4, "Yearly"),
];
pub const CONTRACT_TYPES: Picklist = &[
    (1, "Time and Materials"),
    (3, "Fixed Price"),
    (4, "Block Hours"),
    (6, "Retainer"),
    (7, "Recurring Service"),
    (8, "Per Ticket"),
];
pub const CONTRACT_STATUSES: Picklist = &[(1, "Active"), (0, "Inactive")];
pub const CONTRACT_CATEGORIES: Picklist = &[(1, "Standard"), (3, "Managed Services")];

pub const COMPANY_CUSTOMER: i64 = 1;
pub const COMPANY_PROSPECT: i64 = 3;
pub const COMPANY_LEAD: i64 = 2;
pub const COMPANY_CANCELLATION: i64 = 6;
pub const COMPANY_VENDOR: i64 = 7;
pub const COMPANY_OWNER: i64 = 9;
pub const PERIOD_MONTHLY: i64 = 1;
pub const PERIOD_YEARLY: i64 = 4;
pub const CONTRACT_BLOCK_HOURS: i64 = 4;
/// The one confirmed number: ContractServices require `Contract.ContractType = 7`.
pub const CONTRACT_RECURRING: i64 = 7;
pub const STATUS_ACTIVE: i64 = 1;
pub const STATUS_INACTIVE: i64 = 0;

use Ty::*;

const COMPANY_FIELDS: &[FieldDef] = &[
    f("id", Long).req().ro(),
    f("companyName", Str).req(),
    f("companyNumber", Str),
    f("companyType", Int).req().pick(COMPANY_TYPES),
    f("isActive", Bool),
    f("parentCompanyID", Int).refs("Company"),
    f("ownerResourceID", Int).req().refs("Resource"),
    f("phone", Str).req(),
    f("webAddress", Str),
    f("city", Str),
    f("state", Str),
    f("countryID", Int).refs("Country"),
    f("createDate", DateTime).ro(),
    f("lastActivityDate", DateTime).ro(),
    f("lastTrackedModifiedDateTime", DateTime).ro(),
];

const SERVICE_FIELDS: &[FieldDef] = &[
    f("id", Long).req().ro(),
    f("name", Str).req(),
    f("description", Str),
    f("invoiceDescription", Str),
    f("unitPrice", Double).req(),
    f("unitCost", Double),
    f("markupRate", Double),
    f("periodType", Int).req().pick(PERIOD_TYPES),
    f("billingCodeID", Int).req().refs("BillingCode"),
    f("isActive", Bool),
    f("serviceLevelAgreementID", Int).refs("ServiceLevelAgreementResults"),
    f("vendorCompanyID", Int).refs("Company"),
    f("createDate", DateTime).ro(),
    f("lastModifiedDate", DateTime).ro(),
    f("creatorResourceID", Int).ro().refs("Resource"),
    f("updateResourceID", Int).ro().refs("Resource"),
];

const CONTRACT_FIELDS: &[FieldDef] = &[
    f("id", Long).req().ro(),
    f("companyID", Int).req().refs("Company"),
    f("contractName", Str).req(),
    f("contractNumber", Str),
    f("contractType", Int).req().pick(CONTRACT_TYPES),
    f("status", Int).req().pick(CONTRACT_STATUSES),
    f("startDate", DateTime).req(),
    f("endDate", DateTime).req(),
    f("contractPeriodType", Int).ro().pick(PERIOD_TYPES),
    f("contractCategory", Int).pick(CONTRACT_CATEGORIES),
    f("description", Str),
    f("isDefaultContract", Bool),
    f("billToCompanyID", Int).refs("Company"),
    f("billToCompanyContactID", Int).refs("Contact"),
    f("contactID", Int).refs("Contact"),
    f("contactName", Str),
    f("billingPreference", Int),
    f("setupFee", Double),
    f("purchaseOrderNumber", Str),
    f("renewedContractID", Int).refs("Contract"),
    f("exclusionContractID", Int).refs("Contract"),
    f("opportunityID", Int).refs("Opportunity"),
    f("serviceLevelAgreementID", Int).refs("ServiceLevelAgreementResults"),
    f("timeReportingRequiresStartAndStopTimes", Int).req(),
    f("organizationalLevelAssociationID", Int),
    f("isCompliant", Bool).ro(),
    f("lastModifiedDateTime", DateTime).ro(),
];

const CONTRACT_SERVICE_FIELDS: &[FieldDef] = &[
    f("id", Long).req().ro(),
    f("contractID", Int).req().refs("Contract"),
    f("serviceID", Int).req().refs("Service"),
    f("unitPrice", Double),
    f("unitCost", Double),
    f("internalCurrencyUnitPrice", Double).ro(),
    f("internalCurrencyAdjustedPrice", Double),
    f("invoiceDescription", Str),
    f("internalDescription", Str),
    f("quoteItemID", Int).refs("QuoteItem"),
];

const UNIT_FIELDS: &[FieldDef] = &[
    f("id", Long).req().ro(),
    f("contractID", Int).req().ro().refs("Contract"),
    f("contractServiceID", Int).ro().refs("ContractService"),
    f("serviceID", Int).req().ro().refs("Service"),
    f("startDate", DateTime).req().ro(),
    f("endDate", DateTime).req().ro(),
    f("units", Int).req().ro(),
    f("price", Double).ro(),
    f("cost", Double).ro(),
    f("internalCurrencyPrice", Double).ro(),
    f("approveAndPostDate", DateTime).ro(),
    f("organizationalLevelAssociationID", Int).ro(),
    f("vendorCompanyID", Int).ro().refs("Company"),
];

const ADJUSTMENT_FIELDS: &[FieldDef] = &[
    f("id", Long).ro(),
    f("contractID", Int).refs("Contract"),
    f("contractServiceID", Int).refs("ContractService"),
    f("serviceID", Int).refs("Service"),
    f("unitChange", Int),
    f("effectiveDate", DateTime).req(),
    f("adjustedUnitPrice", Double),
    f("adjustedUnitCost", Double),
    f("allowRepeatService", Bool),
    f("quoteItemID", Int).refs("QuoteItem"),
];
