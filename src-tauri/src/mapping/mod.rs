//! Pure mapping rules (no I/O): one-to-one checks for workspace ↔ company and service ↔ product,
//! stale-mapping detection, name-similarity suggestions, and the picker filter.
//!
//! Coro's own connector requires one-to-one mappings on both screens (seeds: "Map workspaces",
//! "Map services"); suggestions are offered, never applied silently.

use std::collections::{HashMap, HashSet};

use crate::coro::catalog;
use crate::error::{ApiError, ErrorCode};
use crate::model::{CompanyRef, ProductRef, WorkspaceId};
use crate::views::{PickOption, Suggestion};

/// Suggestions below this name similarity (0–1) are not shown.
pub const SUGGESTION_THRESHOLD: f64 = 0.85;

// ---------------------------------------------------------------------------------------------
// One-to-one rules and stale mappings
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MappingKind {
    /// A Coro workspace ↔ a PSA company.
    Workspace,
    /// A Coro service ↔ a PSA product.
    Service,
}

/// A PSA company (or product) is already mapped to another workspace (or service).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{} already backs {} {}: unmap it there first", self.target_label(), self.kind_label(), self.holder_label())]
pub struct MappingConflict {
    pub kind: MappingKind,
    /// The workspace id or service key holding the target.
    pub holder: String,
    pub holder_name: Option<String>,
    pub target_id: i64,
    pub target_name: Option<String>,
}

impl MappingConflict {
    /// Adds display names, so the message reads "Acme Inc already backs workspace Acme".
    pub fn named(mut self, holder_name: &str, target_name: &str) -> Self {
        self.holder_name = Some(holder_name.to_string());
        self.target_name = Some(target_name.to_string());
        self
    }

    fn kind_label(&self) -> &'static str {
        match self.kind {
            MappingKind::Workspace => "workspace",
            MappingKind::Service => "service",
        }
    }

    fn holder_label(&self) -> &str {
        self.holder_name.as_deref().unwrap_or(&self.holder)
    }

    fn target_label(&self) -> String {
        match (&self.target_name, self.kind) {
            (Some(name), _) => name.clone(),
            (None, MappingKind::Workspace) => format!("PSA company #{}", self.target_id),
            (None, MappingKind::Service) => format!("PSA product #{}", self.target_id),
        }
    }
}

impl From<MappingConflict> for ApiError {
    fn from(c: MappingConflict) -> Self {
        ApiError::new(ErrorCode::InvalidInput, c.to_string())
    }
}

/// The holder of `target` other than `holder` itself, if any.
fn holder_of<'a, K: PartialEq>(existing: &'a [(K, i64)], holder: &K, target: i64) -> Option<&'a K> {
    existing
        .iter()
        .find(|(k, t)| *t == target && k != holder)
        .map(|(k, _)| k)
}

/// Mapping `workspace_id` to `company_id` is allowed unless another workspace already uses the
/// company. Re-mapping a workspace to a new company is allowed (it replaces the old mapping).
pub fn check_workspace_mapping(
    existing: &[(WorkspaceId, CompanyRef)],
    workspace_id: &WorkspaceId,
    company_id: CompanyRef,
) -> Result<(), MappingConflict> {
    let pairs: Vec<(&WorkspaceId, i64)> = existing.iter().map(|(w, c)| (w, c.0)).collect();
    match holder_of(&pairs, &workspace_id, company_id.0) {
        Some(holder) => Err(MappingConflict {
            kind: MappingKind::Workspace,
            holder: holder.0.clone(),
            holder_name: None,
            target_id: company_id.0,
            target_name: None,
        }),
        None => Ok(()),
    }
}

/// The same rule for services ↔ products.
pub fn check_service_mapping(
    existing: &[(String, ProductRef)],
    service_key: &str,
    product_id: ProductRef,
) -> Result<(), MappingConflict> {
    let pairs: Vec<(&str, i64)> = existing.iter().map(|(s, p)| (s.as_str(), p.0)).collect();
    match holder_of(&pairs, &service_key, product_id.0) {
        Some(holder) => Err(MappingConflict {
            kind: MappingKind::Service,
            holder: holder.to_string(),
            holder_name: None,
            target_id: product_id.0,
            target_name: None,
        }),
        None => Ok(()),
    }
}

/// Mappings whose PSA side is not among `current` (deleted or deactivated in the PSA), in
/// mapping order. They are flagged for the operator, never dropped. An empty `current` flags
/// everything: callers should not pass the result of a failed PSA read.
pub fn stale_mappings<K: Clone, T: Copy + Eq + std::hash::Hash>(
    mappings: &[(K, T)],
    current: impl IntoIterator<Item = T>,
) -> Vec<K> {
    let current: HashSet<T> = current.into_iter().collect();
    mappings
        .iter()
        .filter(|(_, t)| !current.contains(t))
        .map(|(k, _)| k.clone())
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Name normalisation and similarity
// ---------------------------------------------------------------------------------------------

/// Legal-form words dropped from the end of company names ("Acme Dental, Inc." ≈ "Acme Dental").
const LEGAL_SUFFIXES: &[&str] = &[
    "inc",
    "incorporated",
    "llc",
    "llp",
    "lp",
    "ltd",
    "limited",
    "co",
    "company",
    "corp",
    "corporation",
    "group",
    "gmbh",
    "ag",
    "plc",
    "pty",
    "pc",
    "pllc",
    "sa",
    "sarl",
    "bv",
    "nv",
    "srl",
    "oy",
    "ab",
    "as",
    "kg",
];

/// Words product names add around a service name ("Coro EDR license, monthly").
const PRODUCT_NOISE: &[&str] = &[
    "coro",
    "license",
    "licenses",
    "licence",
    "licences",
    "subscription",
    "monthly",
    "annual",
    "seat",
    "seats",
    "addon",
];

/// Lower-case alphanumeric tokens; runs of single letters are joined ("L.L.C." → "llc").
pub fn tokens(s: &str) -> Vec<String> {
    let cleaned: String = s
        .chars()
        .filter(|c| !matches!(c, '\'' | '’'))
        .flat_map(char::to_lowercase)
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    let mut out: Vec<String> = Vec::new();
    let mut single_run = false;
    for t in cleaned.split_whitespace() {
        let single = t.chars().count() == 1 && t.chars().all(char::is_alphabetic);
        match out.last_mut() {
            Some(last) if single && single_run => last.push_str(t),
            _ => out.push(t.to_string()),
        }
        single_run = single;
    }
    out
}

/// Company core: tokens without a leading "the" and trailing legal suffixes (never all of them).
pub fn company_core(full: &[String]) -> Vec<String> {
    let mut core: Vec<String> = full.to_vec();
    if core.len() > 1 && core[0] == "the" {
        core.remove(0);
    }
    while core.len() > 1
        && core
            .last()
            .is_some_and(|t| LEGAL_SUFFIXES.contains(&t.as_str()))
    {
        core.pop();
    }
    core
}

/// Product / service core: without vendor and licensing words, and without "per <unit>".
pub fn product_core(full: &[String]) -> Vec<String> {
    let mut core = Vec::new();
    let mut skip_next = false;
    for t in full {
        if std::mem::take(&mut skip_next) {
            continue;
        }
        if t == "per" {
            skip_next = true;
        } else if !PRODUCT_NOISE.contains(&t.as_str()) {
            core.push(t.clone());
        }
    }
    if core.is_empty() {
        full.to_vec()
    } else {
        core
    }
}

/// Character bigrams of each token with word-boundary marks, sorted (a multiset).
fn bigrams(tokens: &[String]) -> Vec<u64> {
    let mut out = Vec::new();
    for t in tokens {
        let chars: Vec<char> = std::iter::once('\u{2}')
            .chain(t.chars())
            .chain(std::iter::once('\u{3}'))
            .collect();
        out.extend(
            chars
                .windows(2)
                .map(|w| (u64::from(w[0] as u32) << 32) | u64::from(w[1] as u32)),
        );
    }
    out.sort_unstable();
    out
}

/// Sørensen–Dice coefficient of two sorted bigram multisets.
fn dice(a: &[u64], b: &[u64]) -> f64 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let (mut i, mut j, mut common) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => (common, i, j) = (common + 1, i + 1, j + 1),
        }
    }
    2.0 * common as f64 / (a.len() + b.len()) as f64
}

/// A pre-normalised name: the core decides, the full form breaks ties between cores that agree
/// ("Acme Dental Group" prefers "Acme Dental Group" over "Acme Dental LLC").
struct Form {
    core: Vec<u64>,
    full: Vec<u64>,
    keys: Vec<String>,
}

impl Form {
    fn new(text: &str, core_of: fn(&[String]) -> Vec<String>) -> Form {
        let full = tokens(text);
        let core = core_of(&full);
        let keys = core.iter().map(|t| t.chars().take(3).collect()).collect();
        Form {
            core: bigrams(&core),
            full: bigrams(&full),
            keys,
        }
    }
}

/// Candidates (PSA companies or products), normalised once and indexed by the first three
/// letters of each core token, so a query compares only against plausible names.
pub struct Matcher {
    ids: Vec<i64>,
    names: Vec<String>,
    forms: Vec<Vec<Form>>,
    index: HashMap<String, Vec<u32>>,
    core_of: fn(&[String]) -> Vec<String>,
}

impl Matcher {
    /// PSA companies, matched on name.
    pub fn companies(options: &[PickOption]) -> Matcher {
        Self::build(options, company_core, false)
    }

    /// PSA products, matched on name and identifier ("Coro EDR", "CORO-EDR").
    pub fn products(options: &[PickOption]) -> Matcher {
        Self::build(options, product_core, true)
    }

    fn build(
        options: &[PickOption],
        core_of: fn(&[String]) -> Vec<String>,
        with_identifier: bool,
    ) -> Matcher {
        let mut m = Matcher {
            ids: Vec::new(),
            names: Vec::new(),
            forms: Vec::new(),
            index: HashMap::new(),
            core_of,
        };
        for (i, o) in options.iter().enumerate() {
            let mut forms = vec![Form::new(&o.name, core_of)];
            if let Some(ident) = o
                .identifier
                .as_deref()
                .filter(|s| with_identifier && !s.trim().is_empty())
            {
                forms.push(Form::new(ident, core_of));
            }
            for key in forms.iter().flat_map(|f| f.keys.iter()) {
                let list = m.index.entry(key.clone()).or_default();
                if list.last() != Some(&(i as u32)) {
                    list.push(i as u32);
                }
            }
            m.ids.push(o.id);
            m.names.push(o.name.clone());
            m.forms.push(forms);
        }
        m
    }

    /// The best candidate for any of `names` (alternative spellings of one query), skipping
    /// `taken` ids; `None` below `threshold` or when two candidates tie for best.
    pub fn best(&self, names: &[&str], taken: &HashSet<i64>, threshold: f64) -> Option<Suggestion> {
        let queries: Vec<Form> = names.iter().map(|n| Form::new(n, self.core_of)).collect();
        let mut candidates: Vec<u32> = queries
            .iter()
            .flat_map(|q| q.keys.iter())
            .filter_map(|k| self.index.get(k))
            .flatten()
            .copied()
            .collect();
        candidates.sort_unstable();
        candidates.dedup();
        // A score is at most 0.9 × core Dice + 0.1, so the core alone must reach this.
        let core_needed = (threshold - 0.1) / 0.9;
        let mut best: Option<(usize, f64)> = None;
        let mut tied = false;
        for c in candidates.into_iter().map(|c| c as usize) {
            if taken.contains(&self.ids[c]) {
                continue;
            }
            let floor = best.map_or(threshold, |(_, b)| b.max(threshold)) - 1e-9;
            let mut score = 0.0f64;
            for (q, f) in queries
                .iter()
                .flat_map(|q| self.forms[c].iter().map(move |f| (q, f)))
            {
                // Sound pruning: Dice ≤ 2·min/(a+b), and a core that cannot reach `floor` even
                // with a perfect full form can neither beat nor tie the best so far.
                let (a, b) = (q.core.len(), f.core.len());
                if a + b == 0 || 2.0 * a.min(b) as f64 / ((a + b) as f64) < core_needed {
                    continue;
                }
                let core = dice(&q.core, &f.core);
                if 0.9 * core + 0.1 < floor {
                    continue;
                }
                score = score.max(0.9 * core + 0.1 * dice(&q.full, &f.full));
            }
            match best {
                _ if score < floor => {}
                Some((_, b)) if (score - b).abs() < 1e-9 => tied = true,
                _ => (best, tied) = (Some((c, score)), false),
            }
        }
        let (c, score) = best.filter(|_| !tied)?;
        Some(Suggestion {
            id: self.ids[c],
            name: self.names[c].clone(),
            score: score.min(1.0),
        })
    }
}

/// Keeps each candidate for the single query it fits best; a candidate that is the best for
/// two queries with the same score is suggested to neither (both clicks would conflict).
fn unique_suggestions(found: Vec<(String, Suggestion)>) -> HashMap<String, Suggestion> {
    let mut by_target: HashMap<i64, Vec<(String, Suggestion)>> = HashMap::new();
    for (key, s) in found {
        by_target.entry(s.id).or_default().push((key, s));
    }
    let mut out = HashMap::new();
    for (_, mut list) in by_target {
        list.sort_by(|a, b| b.1.score.total_cmp(&a.1.score));
        let tied = list.len() > 1 && (list[0].1.score - list[1].1.score).abs() < 1e-9;
        if !tied {
            let (key, s) = list.swap_remove(0);
            out.insert(key, s);
        }
    }
    out
}

/// Suggested company per unmapped workspace `(id, name)`; companies in `mapped` are never
/// suggested.
pub fn suggest_companies(
    workspaces: &[(String, String)],
    companies: &[PickOption],
    mapped: &HashSet<i64>,
) -> HashMap<String, Suggestion> {
    let m = Matcher::companies(companies);
    let found = workspaces
        .iter()
        .filter_map(|(id, name)| {
            m.best(&[name], mapped, SUGGESTION_THRESHOLD)
                .map(|s| (id.clone(), s))
        })
        .collect();
    unique_suggestions(found)
}

/// Suggested product per unmapped service `(key, name)`, matched on the name and on the key
/// spelt out ("mdm" finds "Coro MDM").
pub fn suggest_products(
    services: &[(String, String)],
    products: &[PickOption],
    mapped: &HashSet<i64>,
) -> HashMap<String, Suggestion> {
    let m = Matcher::products(products);
    let found = services
        .iter()
        .filter_map(|(key, name)| {
            let spelt = catalog::name_from_key(key);
            m.best(&[name, &spelt], mapped, SUGGESTION_THRESHOLD)
                .map(|s| (key.clone(), s))
        })
        .collect();
    unique_suggestions(found)
}

// ---------------------------------------------------------------------------------------------
// Picker filter
// ---------------------------------------------------------------------------------------------

/// Lower-cased "name\nidentifier" per option, built once per list so each keystroke only scans.
pub struct OptionIndex {
    hay: Vec<String>,
}

impl OptionIndex {
    pub fn new(options: &[PickOption]) -> OptionIndex {
        let hay = options
            .iter()
            .map(|o| {
                // The newline keeps a term from matching across name and identifier: terms are
                // whitespace-separated, so none contains one.
                let mut h = o.name.to_lowercase();
                if let Some(ident) = &o.identifier {
                    h.push('\n');
                    h.push_str(&ident.to_lowercase());
                }
                h
            })
            .collect();
        OptionIndex { hay }
    }

    /// Indices of options containing every whitespace-separated term of `query`
    /// (case-insensitive), in list order, at most `limit`. An empty query matches everything.
    pub fn filter(&self, query: &str, limit: usize) -> Vec<usize> {
        let lowered = query.to_lowercase();
        let terms: Vec<&str> = lowered.split_whitespace().collect();
        self.hay
            .iter()
            .enumerate()
            .filter(|(_, h)| terms.iter().all(|t| h.contains(t)))
            .map(|(i, _)| i)
            .take(limit)
            .collect()
    }
}

/// One-shot [`OptionIndex::filter`] (build the index once when filtering repeatedly).
pub fn filter_options(options: &[PickOption], query: &str, limit: usize) -> Vec<usize> {
    OptionIndex::new(options).filter(query, limit)
}

#[cfg(test)]
mod tests;
