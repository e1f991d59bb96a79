//! Graph's subject sets as a policy names them: `singleUser` (`userId`) for requestors and
//! approvers, and `groupMembers` (`groupId`) for requestors only (whoever is a member of the
//! group when they request).

use super::{bad, required};
use crate::rest::error::GraphResult;
use app::domain::ids::{GroupId, UserId};
use app::views::GroupChoice;
use serde::Deserialize;
use serde_json::{json, Value};

pub const SINGLE_USER: &str = "#microsoft.graph.singleUser";
pub const GROUP_MEMBERS: &str = "#microsoft.graph.groupMembers";

/// One subject as a client sends it. A `groupMembers` subject's `description` is accepted and
/// ignored: answers show the group's own name there.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubjectBody {
    #[serde(rename = "@odata.type")]
    pub odata_type: Option<String>,
    pub user_id: Option<String>,
    pub group_id: Option<String>,
}

enum Subject {
    User(UserId),
    Group(GroupId),
}

fn same_type(given: &str, expected: &str) -> bool {
    given
        .trim_start_matches('#')
        .eq_ignore_ascii_case(expected.trim_start_matches('#'))
}

/// Subject `index` of the list at `property`. Without `@odata.type` a subject is a single user.
fn subject(s: &SubjectBody, property: &str, index: usize, groups: bool) -> GraphResult<Subject> {
    let at = |leaf: &str| format!("{property}[{index}].{leaf}");
    let is_group = match s.odata_type.as_deref() {
        None => false,
        Some(kind) if same_type(kind, SINGLE_USER) => false,
        Some(kind) if groups && same_type(kind, GROUP_MEMBERS) => true,
        Some(kind) if groups => {
            return Err(bad(
                &at("@odata.type"),
                format!(
                    "{kind:?} is not supported; use {SINGLE_USER} (with userId) or {GROUP_MEMBERS} (with groupId)."
                ),
            ))
        }
        Some(kind) => {
            return Err(bad(
                &at("@odata.type"),
                format!("{kind:?} is not supported; Latch names users one by one with {SINGLE_USER}."),
            ))
        }
    };
    if is_group {
        let id = s
            .group_id
            .as_deref()
            .ok_or_else(|| required(&at("groupId"), &format!(" with {GROUP_MEMBERS}.")))?;
        id.parse()
            .map(Subject::Group)
            .map_err(|_| bad(&at("groupId"), format!("{id:?} is not a group id.")))
    } else {
        let id = s
            .user_id
            .as_deref()
            .ok_or_else(|| required(&at("userId"), "."))?;
        id.parse()
            .map(Subject::User)
            .map_err(|_| bad(&at("userId"), format!("{id:?} is not a user id.")))
    }
}

/// Users named as `singleUser` subjects (approvers).
pub fn users(subjects: &[SubjectBody], property: &str) -> GraphResult<Vec<UserId>> {
    subjects
        .iter()
        .enumerate()
        .map(|(i, s)| match subject(s, property, i, false)? {
            Subject::User(id) => Ok(id),
            // Not reached: without `groups`, a groupMembers subject is refused by its type.
            Subject::Group(_) => Err(bad(
                &format!("{property}[{i}].@odata.type"),
                format!("only {SINGLE_USER} is supported here."),
            )),
        })
        .collect()
}

/// Users and groups named as `singleUser` and `groupMembers` subjects (who may request).
pub fn targets(
    subjects: &[SubjectBody],
    property: &str,
) -> GraphResult<(Vec<UserId>, Vec<GroupId>)> {
    let (mut users, mut groups) = (Vec::new(), Vec::new());
    for (i, s) in subjects.iter().enumerate() {
        match subject(s, property, i, true)? {
            Subject::User(id) => users.push(id),
            Subject::Group(id) => groups.push(id),
        }
    }
    Ok((users, groups))
}

pub fn user_subjects(users: &[UserId]) -> Vec<Value> {
    users
        .iter()
        .map(|u| json!({ "@odata.type": SINGLE_USER, "userId": u }))
        .collect()
}

/// Single users first, then groups, each group described by its name.
pub fn target_subjects(users: &[UserId], groups: &[GroupChoice]) -> Vec<Value> {
    let mut all = user_subjects(users);
    all.extend(groups.iter().map(
        |g| json!({ "@odata.type": GROUP_MEMBERS, "groupId": g.id, "description": g.display_name }),
    ));
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(value: Value) -> Vec<SubjectBody> {
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn targets_are_users_and_groups_and_approvers_users_only() {
        let (alan, team) = (UserId::new(), GroupId::new());
        let list = body(json!([
            { "@odata.type": SINGLE_USER, "userId": alan },
            { "@odata.type": "microsoft.graph.GROUPMEMBERS", "groupId": team, "description": "any" },
            { "userId": alan }
        ]));
        assert_eq!(
            targets(&list, "specificAllowedTargets").unwrap(),
            (vec![alan, alan], vec![team])
        );
        let error = users(&list, "primaryApprovers").unwrap_err();
        assert!(
            error
                .message
                .starts_with("Property 'primaryApprovers[1].@odata.type': "),
            "{}",
            error.message
        );
    }

    #[test]
    fn a_broken_target_is_named_by_its_index() {
        let cases = [
            (
                json!([{ "userId": UserId::new() }, { "@odata.type": "#microsoft.graph.requestorManager" }]),
                "Property 'specificAllowedTargets[1].@odata.type': \"#microsoft.graph.requestorManager\" is not supported; use #microsoft.graph.singleUser (with userId) or #microsoft.graph.groupMembers (with groupId).",
            ),
            (
                json!([{ "@odata.type": GROUP_MEMBERS, "userId": UserId::new() }]),
                "Property 'specificAllowedTargets[0].groupId' is required with #microsoft.graph.groupMembers.",
            ),
            (
                json!([{ "@odata.type": GROUP_MEMBERS, "groupId": "sales" }]),
                "Property 'specificAllowedTargets[0].groupId': \"sales\" is not a group id.",
            ),
        ];
        for (value, expected) in cases {
            let error = targets(&body(value.clone()), "specificAllowedTargets").unwrap_err();
            assert_eq!(error.message, expected, "{value}");
        }
    }

    #[test]
    fn answers_show_users_then_groups_by_name() {
        let (alan, team) = (UserId::new(), GroupId::new());
        let shown = target_subjects(
            &[alan],
            &[GroupChoice {
                id: team,
                display_name: "Campaign team".into(),
            }],
        );
        assert_eq!(
            shown,
            [
                json!({ "@odata.type": SINGLE_USER, "userId": alan }),
                json!({ "@odata.type": GROUP_MEMBERS, "groupId": team, "description": "Campaign team" }),
            ]
        );
    }
}
