//! An assignment policy's editable settings and their rules: who may request, approval,
//! expiration, and the custom extension rules (stage → extension).
//!
//! Pure, so the policy editor checks a draft as the user edits it and the service checks the
//! same draft again before saving. Every broken rule is a [`FieldError`] whose message names
//! the stage by its portal label.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::field_error::FieldError;
use super::ids::{CatalogId, ExtensionId, GroupId, UserId};
use super::kind::ExtensionKind;
use super::limits::MAX_STAGE_SETTINGS_PER_POLICY;
use super::stage::Stage;

/// Approval time-out limits, in days (`durationBeforeAutomaticDenial`).
pub const APPROVAL_TIMEOUT_DAYS: (u32, u32) = (1, 14);
pub const DEFAULT_APPROVAL_TIMEOUT_DAYS: u32 = 14;
/// How long an assignment may last when it expires after a number of days.
pub const EXPIRATION_DAYS: (u32, u32) = (1, 3650);
/// The earlier pre-expiry trigger fires this many days before the expiration.
pub const FOURTEEN_DAYS: i64 = 14;

pub const FOURTEEN_DAY_WARNING: &str =
    "This policy's assignments last less than 14 days, so the 14-day callout never fires.";

/// Field keys of the policy editor; the rows of the rule list have keys of their own
/// ([`keys::rule_stage`], [`keys::rule_extension`]).
pub mod keys {
    /// Who may request, as a whole (none chosen), and the users among them.
    pub const ALLOWED_TARGETS: &str = "allowedTargets";
    /// The groups among those who may request.
    pub const ALLOWED_GROUPS: &str = "allowedGroups";
    pub const APPROVERS: &str = "approvers";
    pub const APPROVAL_TIMEOUT: &str = "approvalTimeout";
    pub const EXPIRATION_DAYS: &str = "expirationDays";
    pub const EXPIRATION_DATE: &str = "expirationDate";
    /// The rule list as a whole (its length).
    pub const RULES: &str = "customExtensionStageSettings";

    /// The stage of rule `index` (0-based).
    pub fn rule_stage(index: usize) -> String {
        format!("{RULES}.{index}.stage")
    }

    /// The custom extension of rule `index` (0-based).
    pub fn rule_extension(index: usize) -> String {
        format!("{RULES}.{index}.customExtension")
    }
}

/// Who may request access under the policy (`allowedTargetScope`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "scope", rename_all = "camelCase")]
pub enum Requestors {
    AllUsers,
    /// Graph's `specificDirectoryUsers`: these users, and whoever is a member of these groups
    /// when they request (`singleUser` and `groupMembers` targets).
    SpecificUsers {
        users: Vec<UserId>,
        #[serde(default)]
        groups: Vec<GroupId>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Approval {
    pub required: bool,
    pub approvers: Vec<UserId>,
    /// Days before a request nobody decided is denied.
    pub timeout_days: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "value", rename_all = "camelCase")]
pub enum Expiration {
    Never,
    AfterDays(u32),
    /// Assignments end at the end of this day (UTC).
    OnDate(NaiveDate),
}

impl Expiration {
    /// The stored `expiration_type`.
    pub fn type_name(self) -> &'static str {
        match self {
            Expiration::Never => "noExpiration",
            Expiration::AfterDays(_) => "afterDuration",
            Expiration::OnDate(_) => "afterDateTime",
        }
    }

    /// The stored `expiration_duration` (`P30D`), with an expiration after a number of days.
    pub fn iso_duration(self) -> Option<String> {
        match self {
            Expiration::AfterDays(days) => Some(iso_days(days)),
            _ => None,
        }
    }
}

/// `PnD`, the duration form policies store and the engine reads.
pub fn iso_days(days: u32) -> String {
    format!("P{days}D")
}

/// One row of the Custom extensions tab. The extension is empty while the user hasn't chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StageRule {
    pub stage: Stage,
    pub extension: Option<ExtensionId>,
}

/// What the rules need to know about an extension a rule may name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExtensionFacts {
    pub id: ExtensionId,
    pub display_name: String,
    pub kind: ExtensionKind,
    pub catalog: CatalogId,
}

/// Everything the policy editor saves in one go.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PolicyDraft {
    pub requestors: Requestors,
    pub approval: Approval,
    pub expiration: Expiration,
    pub rules: Vec<StageRule>,
}

/// What a draft is checked against: the policy's catalog, today (from the one clock), the
/// extensions its rules may name and the users and groups it may list.
#[derive(Debug, Clone, Copy)]
pub struct PolicyContext<'a> {
    pub catalog: CatalogId,
    pub today: NaiveDate,
    pub extensions: &'a [ExtensionFacts],
    pub users: &'a [UserId],
    pub groups: &'a [GroupId],
}

fn quoted(text: &str) -> String {
    format!("\u{201c}{text}\u{201d}")
}

fn kind_words(kind: ExtensionKind) -> &'static str {
    match kind {
        ExtensionKind::AssignmentRequest => "a request workflow",
        ExtensionKind::PreExpiration => "a pre-expiration workflow",
        ExtensionKind::Legacy => "a custom access package extension",
    }
}

fn times(n: usize) -> String {
    match n {
        2 => "twice".to_string(),
        n => format!("{n} times"),
    }
}

/// The custom extension rules of a policy in `catalog`: each stage at most once, at most
/// [`MAX_STAGE_SETTINGS_PER_POLICY`] rules, every rule names an extension that exists, is in
/// the policy's catalog, and whose kind allows the stage. `known` holds the extensions the
/// rules may name (an id missing from it no longer exists).
pub fn validate_rules(
    rules: &[StageRule],
    catalog: CatalogId,
    known: &[ExtensionFacts],
) -> Result<(), Vec<FieldError>> {
    let mut errors = Vec::new();
    if rules.len() > MAX_STAGE_SETTINGS_PER_POLICY {
        errors.push(FieldError::new(
            keys::RULES,
            format!(
                "A policy can have at most {MAX_STAGE_SETTINGS_PER_POLICY} custom extension rules; this one has {}. Remove {}.",
                rules.len(),
                rules.len() - MAX_STAGE_SETTINGS_PER_POLICY
            ),
        ));
    }
    for (index, rule) in rules.iter().enumerate() {
        let stage = quoted(rule.stage.portal_label());
        if rules[..index].iter().any(|r| r.stage == rule.stage) {
            let count = rules.iter().filter(|r| r.stage == rule.stage).count();
            errors.push(FieldError::new(
                &keys::rule_stage(index),
                format!(
                    "{stage} appears {}; a stage can have one custom extension.",
                    times(count)
                ),
            ));
        }
        let field = keys::rule_extension(index);
        let Some(id) = rule.extension else {
            errors.push(FieldError::new(
                &field,
                format!("Choose a custom extension for {stage}, or remove the rule."),
            ));
            continue;
        };
        let Some(extension) = known.iter().find(|e| e.id == id) else {
            errors.push(FieldError::new(
                &field,
                format!(
                    "The custom extension chosen for {stage} no longer exists; choose another."
                ),
            ));
            continue;
        };
        let name = quoted(&extension.display_name);
        if extension.catalog != catalog {
            errors.push(FieldError::new(
                &field,
                format!(
                    "{name} is in another catalog; a policy can only use the custom extensions of its own catalog."
                ),
            ));
        } else if !extension.kind.allows_stage(rule.stage) {
            errors.push(FieldError::new(
                &field,
                format!(
                    "{name} is {} and can't run at {stage}.",
                    kind_words(extension.kind)
                ),
            ));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

fn in_range(value: u32, (min, max): (u32, u32)) -> bool {
    (min..=max).contains(&value)
}

impl PolicyDraft {
    /// Every broken rule of the draft, each beside its field.
    pub fn validate(&self, ctx: &PolicyContext<'_>) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        let unknown = |ids: &[UserId]| ids.iter().any(|id| !ctx.users.contains(id));
        if let Requestors::SpecificUsers { users, groups } = &self.requestors {
            if users.is_empty() && groups.is_empty() {
                errors.push(FieldError::new(
                    keys::ALLOWED_TARGETS,
                    "Choose at least one user or group who can request, or allow all users.",
                ));
            }
            if unknown(users) {
                errors.push(FieldError::new(
                    keys::ALLOWED_TARGETS,
                    "One of the chosen users no longer exists; choose again.",
                ));
            }
            if groups.iter().any(|g| !ctx.groups.contains(g)) {
                errors.push(FieldError::new(
                    keys::ALLOWED_GROUPS,
                    "One of the chosen groups no longer exists; choose again.",
                ));
            }
        }
        if self.approval.required {
            if self.approval.approvers.is_empty() {
                errors.push(FieldError::new(
                    keys::APPROVERS,
                    "Choose at least one approver, or don't require approval.",
                ));
            } else if unknown(&self.approval.approvers) {
                errors.push(FieldError::new(
                    keys::APPROVERS,
                    "One of the chosen approvers no longer exists; choose again.",
                ));
            }
            if !in_range(self.approval.timeout_days, APPROVAL_TIMEOUT_DAYS) {
                errors.push(FieldError::new(
                    keys::APPROVAL_TIMEOUT,
                    format!(
                        "The approval time-out must be between {} and {} days.",
                        APPROVAL_TIMEOUT_DAYS.0, APPROVAL_TIMEOUT_DAYS.1
                    ),
                ));
            }
        }
        match self.expiration {
            Expiration::AfterDays(days) if !in_range(days, EXPIRATION_DAYS) => {
                errors.push(FieldError::new(
                    keys::EXPIRATION_DAYS,
                    format!(
                        "Assignments must last between {} and {} days.",
                        EXPIRATION_DAYS.0, EXPIRATION_DAYS.1
                    ),
                ))
            }
            Expiration::OnDate(date) if date <= ctx.today => errors.push(FieldError::new(
                keys::EXPIRATION_DATE,
                "The end date must be after today.",
            )),
            _ => {}
        }
        if let Err(rule_errors) = validate_rules(&self.rules, ctx.catalog, ctx.extensions) {
            errors.extend(rule_errors);
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// The draft as it is stored: no approvers kept while approval is off (and the time-out
    /// falls back to the default if it is out of range), user and group lists sorted without
    /// repeats, rules in the portal's stage order.
    pub fn normalized(mut self) -> Self {
        if !self.approval.required {
            self.approval.approvers.clear();
            if !in_range(self.approval.timeout_days, APPROVAL_TIMEOUT_DAYS) {
                self.approval.timeout_days = DEFAULT_APPROVAL_TIMEOUT_DAYS;
            }
        }
        if let Requestors::SpecificUsers { users, groups } = &mut self.requestors {
            users.sort();
            users.dedup();
            groups.sort();
            groups.dedup();
        }
        self.approval.approvers.sort();
        self.approval.approvers.dedup();
        self.rules.sort_by_key(|r| r.stage);
        self
    }

    /// Whether the 14-day pre-expiry stage is mapped while every assignment lasts less than
    /// 14 days, so that callout can never fire. A warning, not an error.
    pub fn fourteen_day_warning(&self, today: NaiveDate) -> Option<&'static str> {
        let mapped = self
            .rules
            .iter()
            .any(|r| r.stage == Stage::AssignmentFourteenDaysBeforeExpiration);
        let short = match self.expiration {
            Expiration::Never => false,
            Expiration::AfterDays(days) => i64::from(days) < FOURTEEN_DAYS,
            Expiration::OnDate(date) => (date - today).num_days() < FOURTEEN_DAYS,
        };
        (mapped && short).then_some(FOURTEEN_DAY_WARNING)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct World {
        catalog: CatalogId,
        other: CatalogId,
        welcome: ExtensionFacts,
        reminder: ExtensionFacts,
        legacy: ExtensionFacts,
        foreign: ExtensionFacts,
    }

    fn facts(name: &str, kind: ExtensionKind, catalog: CatalogId) -> ExtensionFacts {
        ExtensionFacts {
            id: ExtensionId::new(),
            display_name: name.into(),
            kind,
            catalog,
        }
    }

    fn world() -> World {
        let catalog = CatalogId::new();
        let other = CatalogId::new();
        World {
            catalog,
            other,
            welcome: facts("Welcome mail", ExtensionKind::AssignmentRequest, catalog),
            reminder: facts("Expiry reminder", ExtensionKind::PreExpiration, catalog),
            legacy: facts("Legacy provisioning", ExtensionKind::Legacy, catalog),
            foreign: facts(
                "Engineering onboarding",
                ExtensionKind::AssignmentRequest,
                other,
            ),
        }
    }

    impl World {
        fn known(&self) -> Vec<ExtensionFacts> {
            vec![
                self.welcome.clone(),
                self.reminder.clone(),
                self.legacy.clone(),
                self.foreign.clone(),
            ]
        }

        fn check(&self, rules: &[StageRule]) -> Result<(), Vec<FieldError>> {
            validate_rules(rules, self.catalog, &self.known())
        }
    }

    fn rule(stage: Stage, extension: &ExtensionFacts) -> StageRule {
        StageRule {
            stage,
            extension: Some(extension.id),
        }
    }

    fn only(result: Result<(), Vec<FieldError>>) -> FieldError {
        let errors = result.expect_err("refused");
        assert_eq!(errors.len(), 1, "{errors:?}");
        errors.into_iter().next().unwrap()
    }

    #[test]
    fn an_empty_rule_list_is_fine() {
        assert_eq!(world().check(&[]), Ok(()));
    }

    #[test]
    fn each_kind_fits_its_stages_and_legacy_fits_all() {
        let w = world();
        assert_eq!(
            w.check(&[
                rule(Stage::AssignmentRequestCreated, &w.welcome),
                rule(Stage::AssignmentRequestGranted, &w.welcome),
                rule(Stage::AssignmentFourteenDaysBeforeExpiration, &w.reminder),
                rule(Stage::AssignmentOneDayBeforeExpiration, &w.legacy),
                rule(Stage::AssignmentRequestRemoved, &w.legacy),
            ]),
            Ok(())
        );
    }

    #[test]
    fn a_stage_appears_once() {
        let w = world();
        let error = only(w.check(&[
            rule(Stage::AssignmentRequestCreated, &w.welcome),
            rule(Stage::AssignmentRequestGranted, &w.welcome),
            rule(Stage::AssignmentRequestCreated, &w.legacy),
        ]));
        assert_eq!(error.field, keys::rule_stage(2));
        assert_eq!(
            error.message,
            "\u{201c}Request is created\u{201d} appears twice; a stage can have one custom extension."
        );
    }

    #[test]
    fn a_stage_three_times_is_named_at_each_repeat() {
        let w = world();
        let errors = w
            .check(&[
                rule(Stage::AssignmentRequestRemoved, &w.welcome),
                rule(Stage::AssignmentRequestRemoved, &w.welcome),
                rule(Stage::AssignmentRequestRemoved, &w.welcome),
            ])
            .unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, [keys::rule_stage(1), keys::rule_stage(2)]);
        assert!(errors[0].message.contains("appears 3 times"), "{errors:?}");
    }

    #[test]
    fn the_kind_must_allow_the_stage() {
        let w = world();
        let error = only(w.check(&[rule(Stage::AssignmentRequestCreated, &w.reminder)]));
        assert_eq!(error.field, keys::rule_extension(0));
        assert_eq!(
            error.message,
            "\u{201c}Expiry reminder\u{201d} is a pre-expiration workflow and can't run at \u{201c}Request is created\u{201d}."
        );
        let error = only(w.check(&[rule(Stage::AssignmentOneDayBeforeExpiration, &w.welcome)]));
        assert_eq!(
            error.message,
            "\u{201c}Welcome mail\u{201d} is a request workflow and can't run at \u{201c}1 day before assignment expiry\u{201d}."
        );
    }

    #[test]
    fn the_extension_must_be_in_the_policys_catalog() {
        let w = world();
        let error = only(w.check(&[rule(Stage::AssignmentRequestCreated, &w.foreign)]));
        assert_eq!(error.field, keys::rule_extension(0));
        assert_eq!(
            error.message,
            "\u{201c}Engineering onboarding\u{201d} is in another catalog; a policy can only use the custom extensions of its own catalog."
        );
        // Seen from the other catalog, the same extension is fine.
        assert_eq!(
            validate_rules(
                &[rule(Stage::AssignmentRequestCreated, &w.foreign)],
                w.other,
                &w.known()
            ),
            Ok(())
        );
    }

    #[test]
    fn a_rule_needs_an_extension_that_exists() {
        let w = world();
        let error = only(w.check(&[StageRule {
            stage: Stage::AssignmentRequestApproved,
            extension: None,
        }]));
        assert_eq!(error.field, keys::rule_extension(0));
        assert_eq!(
            error.message,
            "Choose a custom extension for \u{201c}Request is approved\u{201d}, or remove the rule."
        );
        let gone = facts("Gone", ExtensionKind::AssignmentRequest, w.catalog);
        let error = only(w.check(&[rule(Stage::AssignmentRequestApproved, &gone)]));
        assert!(error.message.contains("no longer exists"), "{error:?}");
    }

    #[test]
    fn exactly_five_rules_are_allowed_and_six_are_refused() {
        let w = world();
        let five: Vec<StageRule> = Stage::ALL[..5]
            .iter()
            .map(|s| rule(*s, &w.legacy))
            .collect();
        assert_eq!(w.check(&five), Ok(()));
        let six: Vec<StageRule> = Stage::ALL.iter().map(|s| rule(*s, &w.legacy)).collect();
        let error = only(w.check(&six));
        assert_eq!(error.field, keys::RULES);
        assert_eq!(
            error.message,
            "A policy can have at most 5 custom extension rules; this one has 6. Remove 1."
        );
    }

    #[test]
    fn every_broken_rule_is_reported_at_once() {
        let w = world();
        let errors = w
            .check(&[
                rule(Stage::AssignmentRequestCreated, &w.reminder),
                rule(Stage::AssignmentRequestCreated, &w.foreign),
            ])
            .unwrap_err();
        let fields: Vec<String> = errors.iter().map(|e| e.field.clone()).collect();
        assert_eq!(
            fields,
            [
                keys::rule_extension(0),
                keys::rule_stage(1),
                keys::rule_extension(1)
            ]
        );
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, 1).unwrap()
    }

    fn draft() -> PolicyDraft {
        PolicyDraft {
            requestors: Requestors::AllUsers,
            approval: Approval {
                required: false,
                approvers: vec![],
                timeout_days: 14,
            },
            expiration: Expiration::Never,
            rules: vec![],
        }
    }

    fn check_draft(d: &PolicyDraft, users: &[UserId]) -> Result<(), Vec<FieldError>> {
        check_with_groups(d, users, &[])
    }

    fn check_with_groups(
        d: &PolicyDraft,
        users: &[UserId],
        groups: &[GroupId],
    ) -> Result<(), Vec<FieldError>> {
        let w = world();
        d.validate(&PolicyContext {
            catalog: w.catalog,
            today: today(),
            extensions: &w.known(),
            users,
            groups,
        })
    }

    fn specific(users: Vec<UserId>, groups: Vec<GroupId>) -> Requestors {
        Requestors::SpecificUsers { users, groups }
    }

    #[test]
    fn settings_edges() {
        let alan = UserId::new();
        let users = [alan];
        let mut d = draft();
        assert_eq!(check_draft(&d, &users), Ok(()));

        d.approval = Approval {
            required: true,
            approvers: vec![alan],
            timeout_days: 1,
        };
        d.expiration = Expiration::AfterDays(3650);
        assert_eq!(check_draft(&d, &users), Ok(()));
        d.approval.timeout_days = 14;
        d.expiration = Expiration::AfterDays(1);
        assert_eq!(check_draft(&d, &users), Ok(()));

        d.approval.timeout_days = 15;
        let error = only(check_draft(&d, &users));
        assert_eq!(error.field, keys::APPROVAL_TIMEOUT);
        assert_eq!(
            error.message,
            "The approval time-out must be between 1 and 14 days."
        );
        d.approval.timeout_days = 0;
        assert_eq!(only(check_draft(&d, &users)).field, keys::APPROVAL_TIMEOUT);
        d.approval.timeout_days = 7;

        for days in [0, 3651] {
            d.expiration = Expiration::AfterDays(days);
            let error = only(check_draft(&d, &users));
            assert_eq!(error.field, keys::EXPIRATION_DAYS);
            assert_eq!(
                error.message,
                "Assignments must last between 1 and 3650 days."
            );
        }
        d.expiration = Expiration::OnDate(today());
        assert_eq!(
            only(check_draft(&d, &users)).message,
            "The end date must be after today."
        );
        d.expiration = Expiration::OnDate(today().succ_opt().unwrap());
        assert_eq!(check_draft(&d, &users), Ok(()));
    }

    #[test]
    fn people_must_be_chosen_and_exist() {
        let alan = UserId::new();
        let mut d = draft();
        d.requestors = specific(vec![], vec![]);
        d.approval.required = true;
        d.approval.timeout_days = 99;
        let errors = check_draft(&d, &[alan]).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                keys::ALLOWED_TARGETS,
                keys::APPROVERS,
                keys::APPROVAL_TIMEOUT
            ]
        );
        d.requestors = specific(vec![UserId::new()], vec![]);
        d.approval.approvers = vec![alan];
        d.approval.timeout_days = 14;
        assert_eq!(
            only(check_draft(&d, &[alan])).message,
            "One of the chosen users no longer exists; choose again."
        );
        // With approval off, neither approvers nor the time-out are checked.
        let mut off = draft();
        off.approval.timeout_days = 0;
        assert_eq!(check_draft(&off, &[]), Ok(()));
        let stored = off.normalized();
        assert_eq!(stored.approval.timeout_days, DEFAULT_APPROVAL_TIMEOUT_DAYS);
    }

    #[test]
    fn groups_alone_may_request_and_must_exist() {
        let alan = UserId::new();
        let team = GroupId::new();
        let mut d = draft();
        d.requestors = specific(vec![], vec![team]);
        assert_eq!(check_with_groups(&d, &[alan], &[team]), Ok(()));
        d.requestors = specific(vec![alan], vec![team]);
        assert_eq!(check_with_groups(&d, &[alan], &[team]), Ok(()));

        let error = only(check_with_groups(&d, &[alan], &[]));
        assert_eq!(error.field, keys::ALLOWED_GROUPS);
        assert_eq!(
            error.message,
            "One of the chosen groups no longer exists; choose again."
        );

        d.requestors = specific(vec![], vec![]);
        let error = only(check_with_groups(&d, &[alan], &[team]));
        assert_eq!(error.field, keys::ALLOWED_TARGETS);
        assert_eq!(
            error.message,
            "Choose at least one user or group who can request, or allow all users."
        );

        // An unknown user and an unknown group are each named beside their own list.
        d.requestors = specific(vec![UserId::new()], vec![GroupId::new()]);
        let errors = check_with_groups(&d, &[alan], &[team]).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, [keys::ALLOWED_TARGETS, keys::ALLOWED_GROUPS]);
    }

    #[test]
    fn normalized_sorts_users_and_groups_without_repeats() {
        let (a, b) = (GroupId::new(), GroupId::new());
        let alan = UserId::new();
        let mut d = draft();
        d.requestors = specific(vec![alan, alan], vec![b, a, b]);
        let mut groups = vec![a, b];
        groups.sort();
        assert_eq!(
            d.normalized().requestors,
            specific(vec![alan], groups),
            "sorted, once each"
        );
    }

    #[test]
    fn a_draft_from_before_groups_reads_with_none() {
        let alan = UserId::new();
        let old = serde_json::json!({ "scope": "specificUsers", "users": [alan] });
        assert_eq!(
            serde_json::from_value::<Requestors>(old).unwrap(),
            specific(vec![alan], vec![])
        );
        let all = serde_json::json!({ "scope": "allUsers" });
        assert_eq!(
            serde_json::from_value::<Requestors>(all.clone()).unwrap(),
            Requestors::AllUsers
        );
        assert_eq!(serde_json::to_value(Requestors::AllUsers).unwrap(), all);
    }

    #[test]
    fn normalized_drops_approvers_while_approval_is_off() {
        let alan = UserId::new();
        let mut d = draft();
        d.approval.approvers = vec![alan, alan];
        assert!(d.clone().normalized().approval.approvers.is_empty());
        d.approval.required = true;
        assert_eq!(d.normalized().approval.approvers, vec![alan]);
    }

    #[test]
    fn stored_forms() {
        assert_eq!(
            Expiration::AfterDays(30).iso_duration().as_deref(),
            Some("P30D")
        );
        assert_eq!(Expiration::AfterDays(30).type_name(), "afterDuration");
        assert_eq!(Expiration::Never.type_name(), "noExpiration");
        assert_eq!(Expiration::Never.iso_duration(), None);
        assert_eq!(Expiration::OnDate(today()).type_name(), "afterDateTime");
        assert_eq!(iso_days(14), "P14D");
    }

    #[test]
    fn the_fourteen_day_warning() {
        let w = world();
        let mut d = draft();
        d.rules = vec![rule(
            Stage::AssignmentFourteenDaysBeforeExpiration,
            &w.reminder,
        )];
        assert_eq!(d.fourteen_day_warning(today()), None, "no expiration");
        d.expiration = Expiration::AfterDays(14);
        assert_eq!(d.fourteen_day_warning(today()), None);
        d.expiration = Expiration::AfterDays(13);
        assert_eq!(d.fourteen_day_warning(today()), Some(FOURTEEN_DAY_WARNING));
        d.expiration = Expiration::OnDate(today() + chrono::Duration::days(13));
        assert_eq!(d.fourteen_day_warning(today()), Some(FOURTEEN_DAY_WARNING));
        d.expiration = Expiration::OnDate(today() + chrono::Duration::days(14));
        assert_eq!(d.fourteen_day_warning(today()), None);
        d.expiration = Expiration::AfterDays(7);
        d.rules = vec![rule(Stage::AssignmentOneDayBeforeExpiration, &w.reminder)];
        assert_eq!(
            d.fourteen_day_warning(today()),
            None,
            "only the 14-day stage"
        );
    }

    #[test]
    fn a_draft_crosses_the_wire_unchanged() {
        let w = world();
        let d = PolicyDraft {
            requestors: specific(vec![UserId::new()], vec![GroupId::new()]),
            approval: Approval {
                required: true,
                approvers: vec![UserId::new()],
                timeout_days: 5,
            },
            expiration: Expiration::OnDate(today()),
            rules: vec![rule(Stage::AssignmentRequestCreated, &w.welcome)],
        };
        let json = serde_json::to_value(&d).unwrap();
        assert_eq!(json["requestors"]["scope"], "specificUsers");
        assert_eq!(json["requestors"]["groups"].as_array().unwrap().len(), 1);
        assert_eq!(json["expiration"]["type"], "onDate");
        assert_eq!(json["expiration"]["value"], "2026-03-01");
        assert_eq!(json["rules"][0]["stage"], "assignmentRequestCreated");
        assert_eq!(serde_json::from_value::<PolicyDraft>(json).unwrap(), d);
    }
}
