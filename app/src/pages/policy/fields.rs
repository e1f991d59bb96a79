//! The policy editor's inputs as signals, and their translation into the domain's draft. The
//! same rules (`domain::policy_rules`) run here as one edits and again on the server.

use crate::domain::field_error::FieldError;
use crate::domain::ids::{ExtensionId, GroupId, UserId};
use crate::domain::limits::MAX_STAGE_SETTINGS_PER_POLICY;
use crate::domain::policy_rules::{
    keys, Approval, Expiration, PolicyContext, PolicyDraft, Requestors, StageRule,
};
use crate::domain::stage::Stage;
use chrono::NaiveDate;
use leptos::prelude::*;

/// The tabs, in order, and which fields each holds, so an error can send the user to its tab.
pub const TABS: [&str; 4] = ["Requests", "Approval", "Lifecycle", "Custom extensions"];

pub fn tab_of(field: &str) -> usize {
    match field {
        keys::ALLOWED_TARGETS | keys::ALLOWED_GROUPS => 0,
        keys::APPROVERS | keys::APPROVAL_TIMEOUT => 1,
        keys::EXPIRATION_DAYS | keys::EXPIRATION_DATE => 2,
        _ => 3,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpirationChoice {
    Never,
    AfterDays,
    OnDate,
}

/// One rule row. `key` stays with the row while rows above it come and go, so a row keeps
/// its inputs (and the keyboard focus) when another is removed.
#[derive(Debug, Clone, Copy)]
pub struct RuleRow {
    pub key: u32,
    pub stage: RwSignal<Stage>,
    pub extension: RwSignal<Option<ExtensionId>>,
}

#[derive(Clone, Copy)]
pub struct PolicyFields {
    pub all_users: RwSignal<bool>,
    pub targets: RwSignal<Vec<UserId>>,
    pub target_groups: RwSignal<Vec<GroupId>>,
    pub approval: RwSignal<bool>,
    pub approvers: RwSignal<Vec<UserId>>,
    pub timeout: RwSignal<String>,
    pub expiration: RwSignal<ExpirationChoice>,
    pub days: RwSignal<String>,
    pub date: RwSignal<String>,
    pub rules: RwSignal<Vec<RuleRow>>,
    next_key: RwSignal<u32>,
    /// The editor's owner: a row added from the Custom extensions tab must outlive that tab's
    /// panel (switching tabs disposes it), so its signals are made under the editor instead.
    owner: StoredValue<Option<Owner>>,
}

fn whole_number(text: &str) -> Option<u32> {
    text.trim().parse().ok()
}

impl PolicyFields {
    pub fn new(current: &PolicyDraft) -> Self {
        let (all_users, targets, target_groups) = match &current.requestors {
            Requestors::AllUsers => (true, Vec::new(), Vec::new()),
            Requestors::SpecificUsers { users, groups } => (false, users.clone(), groups.clone()),
        };
        let (expiration, days, date) = match current.expiration {
            Expiration::Never => (ExpirationChoice::Never, String::new(), String::new()),
            Expiration::AfterDays(d) => (ExpirationChoice::AfterDays, d.to_string(), String::new()),
            Expiration::OnDate(d) => (ExpirationChoice::OnDate, String::new(), d.to_string()),
        };
        let fields = PolicyFields {
            all_users: RwSignal::new(all_users),
            targets: RwSignal::new(targets),
            target_groups: RwSignal::new(target_groups),
            approval: RwSignal::new(current.approval.required),
            approvers: RwSignal::new(current.approval.approvers.clone()),
            timeout: RwSignal::new(current.approval.timeout_days.to_string()),
            expiration: RwSignal::new(expiration),
            days: RwSignal::new(days),
            date: RwSignal::new(date),
            rules: RwSignal::new(Vec::new()),
            next_key: RwSignal::new(0),
            owner: StoredValue::new(Owner::current()),
        };
        for rule in &current.rules {
            fields.push_rule(rule.stage, rule.extension);
        }
        fields
    }

    fn push_rule(&self, stage: Stage, extension: Option<ExtensionId>) {
        let key = self.next_key.get_untracked();
        self.next_key.set(key + 1);
        let row = || RuleRow {
            key,
            stage: RwSignal::new(stage),
            extension: RwSignal::new(extension),
        };
        let row = match self.owner.get_value() {
            Some(owner) => owner.with(row),
            None => row(),
        };
        self.rules.update(|rows| rows.push(row));
    }

    pub fn may_add_rule(&self) -> bool {
        self.rules.read().len() < MAX_STAGE_SETTINGS_PER_POLICY
    }

    /// A new row at the first stage no row uses yet, with no extension chosen.
    pub fn add_rule(&self) {
        if !self.may_add_rule() {
            return;
        }
        let used: Vec<Stage> = self
            .rules
            .get_untracked()
            .iter()
            .map(|r| r.stage.get_untracked())
            .collect();
        let stage = Stage::ALL
            .into_iter()
            .find(|s| !used.contains(s))
            .unwrap_or(Stage::AssignmentRequestCreated);
        self.push_rule(stage, None);
    }

    pub fn remove_rule(&self, key: u32) {
        self.rules.update(|rows| rows.retain(|r| r.key != key));
    }

    /// The draft the inputs describe (a number that doesn't parse stands in as 0) and the
    /// inputs that don't parse, each with its message.
    pub fn draft(&self) -> (PolicyDraft, Vec<FieldError>) {
        let mut errors = Vec::new();
        let approval = self.approval.get();
        let timeout = whole_number(&self.timeout.get());
        if approval && timeout.is_none() {
            errors.push(FieldError::new(
                keys::APPROVAL_TIMEOUT,
                "The approval time-out must be a whole number of days.",
            ));
        }
        let expiration = match self.expiration.get() {
            ExpirationChoice::Never => Expiration::Never,
            ExpirationChoice::AfterDays => {
                let days = whole_number(&self.days.get());
                if days.is_none() {
                    errors.push(FieldError::new(
                        keys::EXPIRATION_DAYS,
                        "The number of days must be a whole number.",
                    ));
                }
                Expiration::AfterDays(days.unwrap_or(0))
            }
            ExpirationChoice::OnDate => {
                // The date input's value is ISO 8601 (YYYY-MM-DD), NaiveDate's own text form.
                match self.date.get().trim().parse::<NaiveDate>() {
                    Ok(date) => Expiration::OnDate(date),
                    Err(_) => {
                        errors.push(FieldError::new(
                            keys::EXPIRATION_DATE,
                            "Choose the date assignments end.",
                        ));
                        Expiration::OnDate(NaiveDate::MIN)
                    }
                }
            }
        };
        let draft = PolicyDraft {
            requestors: if self.all_users.get() {
                Requestors::AllUsers
            } else {
                Requestors::SpecificUsers {
                    users: self.targets.get(),
                    groups: self.target_groups.get(),
                }
            },
            approval: Approval {
                required: approval,
                approvers: self.approvers.get(),
                timeout_days: timeout.unwrap_or(0),
            },
            expiration,
            rules: self
                .rules
                .get()
                .iter()
                .map(|r| StageRule {
                    stage: r.stage.get(),
                    extension: r.extension.get(),
                })
                .collect(),
        };
        (draft, errors)
    }

    /// The draft, or every error in it: inputs that don't parse, then the domain's rules.
    pub fn check(&self, ctx: &PolicyContext<'_>) -> Result<PolicyDraft, Vec<FieldError>> {
        let (draft, mut errors) = self.draft();
        if let Err(rule_errors) = draft.validate(ctx) {
            // A field whose text didn't parse already has its message.
            let parsed_badly: Vec<String> = errors.iter().map(|e| e.field.clone()).collect();
            errors.extend(
                rule_errors
                    .into_iter()
                    .filter(|e| !parsed_badly.contains(&e.field)),
            );
        }
        if errors.is_empty() {
            Ok(draft)
        } else {
            Err(errors)
        }
    }

    /// The 14-day warning, once the inputs parse.
    pub fn warning(&self, today: NaiveDate) -> Option<&'static str> {
        let (draft, errors) = self.draft();
        if errors.is_empty() {
            draft.fourteen_day_warning(today)
        } else {
            None
        }
    }
}

/// Adds or removes one user (or group) from a chosen list.
pub fn toggle<T: PartialEq + Send + Sync + 'static>(list: RwSignal<Vec<T>>, item: T, on: bool) {
    list.update(|chosen| {
        chosen.retain(|c| *c != item);
        if on {
            chosen.push(item);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ids::CatalogId;
    use crate::domain::kind::ExtensionKind;
    use crate::domain::policy_rules::{ExtensionFacts, FOURTEEN_DAY_WARNING};

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, 1).unwrap()
    }

    fn start() -> PolicyDraft {
        PolicyDraft {
            requestors: Requestors::AllUsers,
            approval: Approval {
                required: false,
                approvers: vec![],
                timeout_days: 14,
            },
            expiration: Expiration::AfterDays(30),
            rules: vec![],
        }
    }

    #[test]
    fn the_inputs_round_trip_a_draft() {
        let owner = Owner::new();
        owner.with(|| {
            let mut d = start();
            d.rules = vec![StageRule {
                stage: Stage::AssignmentRequestGranted,
                extension: Some(ExtensionId::new()),
            }];
            d.expiration = Expiration::OnDate(today());
            let f = PolicyFields::new(&d);
            assert_eq!(f.date.get(), "2026-03-01");
            assert_eq!(f.draft(), (d, vec![]));
        });
    }

    #[test]
    fn the_end_date_is_read_as_the_date_input_writes_it() {
        let owner = Owner::new();
        owner.with(|| {
            let mut d = start();
            d.expiration = Expiration::OnDate(today());
            let f = PolicyFields::new(&d);
            f.date.set(" 2026-04-05 ".into());
            let expected = NaiveDate::from_ymd_opt(2026, 4, 5).unwrap();
            assert_eq!(f.draft().0.expiration, Expiration::OnDate(expected));
            for bad in ["", "2026-13-01", "05/04/2026", "2026-02-30"] {
                f.date.set(bad.into());
                let errors = f.draft().1;
                assert_eq!(errors.len(), 1, "{bad:?}");
                assert_eq!(errors[0].field, keys::EXPIRATION_DATE, "{bad:?}");
            }
        });
    }

    #[test]
    fn chosen_groups_round_trip_and_are_kept_while_all_users_is_picked() {
        let owner = Owner::new();
        owner.with(|| {
            let (team, alan) = (GroupId::new(), UserId::new());
            let mut d = start();
            d.requestors = Requestors::SpecificUsers {
                users: vec![],
                groups: vec![team],
            };
            let f = PolicyFields::new(&d);
            assert_eq!(f.draft(), (d.clone(), vec![]));
            let ctx = |groups: &'static [GroupId]| PolicyContext {
                catalog: crate::domain::ids::CatalogId::new(),
                today: today(),
                extensions: &[],
                users: &[],
                groups,
            };
            let errors = f.check(&ctx(&[])).unwrap_err();
            assert_eq!(errors[0].field, keys::ALLOWED_GROUPS);
            assert_eq!(tab_of(&errors[0].field), 0);

            toggle(f.target_groups, team, false);
            toggle(f.targets, alan, true);
            f.all_users.set(true);
            assert_eq!(f.draft().0.requestors, Requestors::AllUsers);
            f.all_users.set(false);
            assert_eq!(
                f.draft().0.requestors,
                Requestors::SpecificUsers {
                    users: vec![alan],
                    groups: vec![]
                },
                "the lists outlive a switch to all users and back"
            );
        });
    }

    #[test]
    fn rules_are_added_at_a_free_stage_up_to_five_and_removed_by_key() {
        let owner = Owner::new();
        owner.with(|| {
            let f = PolicyFields::new(&start());
            for _ in 0..7 {
                f.add_rule();
            }
            let stages: Vec<Stage> = f.rules.get().iter().map(|r| r.stage.get()).collect();
            assert_eq!(stages, Stage::ALL[..5]);
            assert!(!f.may_add_rule());
            let second = f.rules.get()[1].key;
            f.remove_rule(second);
            assert_eq!(f.rules.get().len(), 4);
            assert!(f.may_add_rule());
            f.add_rule();
            assert_eq!(
                f.rules.get()[4].stage.get(),
                Stage::AssignmentRequestApproved,
                "the freed stage is offered again"
            );
        });
    }

    #[test]
    fn unparsable_numbers_and_rules_are_reported_by_field() {
        let owner = Owner::new();
        owner.with(|| {
            let catalog = CatalogId::new();
            let reminder = ExtensionFacts {
                id: ExtensionId::new(),
                display_name: "Expiry reminder".into(),
                kind: ExtensionKind::PreExpiration,
                catalog,
            };
            let known = [reminder.clone()];
            let ctx = PolicyContext {
                catalog,
                today: today(),
                extensions: &known,
                users: &[],
                groups: &[],
            };
            let f = PolicyFields::new(&start());
            f.days.set("ten".into());
            f.approval.set(true);
            f.timeout.set("99".into());
            f.add_rule();
            f.rules.get()[0].extension.set(Some(reminder.id));
            let errors = f.check(&ctx).unwrap_err();
            let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
            assert_eq!(
                fields,
                [
                    keys::EXPIRATION_DAYS,
                    keys::APPROVERS,
                    keys::APPROVAL_TIMEOUT,
                    keys::rule_extension(0).as_str(),
                ]
            );
            assert_eq!(
                errors[0].message,
                "The number of days must be a whole number."
            );
            assert_eq!(tab_of(&errors[1].field), 1);
            assert_eq!(tab_of(&errors[3].field), 3);
        });
    }

    #[test]
    fn the_warning_follows_the_expiration_and_the_fourteen_day_rule() {
        let owner = Owner::new();
        owner.with(|| {
            let f = PolicyFields::new(&start());
            f.add_rule();
            f.rules.get()[0]
                .stage
                .set(Stage::AssignmentFourteenDaysBeforeExpiration);
            assert_eq!(f.warning(today()), None);
            f.days.set("10".into());
            assert_eq!(f.warning(today()), Some(FOURTEEN_DAY_WARNING));
            f.days.set("x".into());
            assert_eq!(f.warning(today()), None);
        });
    }
}
