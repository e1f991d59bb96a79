//! Where the machine gets ids for what it creates. It is handed a source instead of calling
//! `new()` so that a transition is a function of its inputs and tests can name the ids.

use uuid::Uuid;

use crate::domain::ids::{AssignmentId, CalloutInstanceId};

pub trait IdSource {
    fn callout_instance(&mut self) -> CalloutInstanceId;
    fn assignment(&mut self) -> AssignmentId;
}

/// Random v4 ids: what the server uses.
#[derive(Debug, Default, Clone, Copy)]
pub struct RandomIds;

impl IdSource for RandomIds {
    fn callout_instance(&mut self) -> CalloutInstanceId {
        CalloutInstanceId::new()
    }

    fn assignment(&mut self) -> AssignmentId {
        AssignmentId::new()
    }
}

/// Predictable ids for tests: the n-th instance is [`SequentialIds::instance`]`(n)`, the n-th
/// assignment [`SequentialIds::assignment_n`]`(n)`, counting from 1. The two kinds use different
/// high bits so a mix-up shows.
#[derive(Debug, Default, Clone, Copy)]
pub struct SequentialIds {
    instances: u32,
    assignments: u32,
}

impl SequentialIds {
    const INSTANCE_BASE: u128 = 0x1_0000;
    const ASSIGNMENT_BASE: u128 = 0x2_0000;

    pub fn new() -> Self {
        Self::default()
    }

    pub fn instance(n: u32) -> CalloutInstanceId {
        CalloutInstanceId::from_uuid(Uuid::from_u128(Self::INSTANCE_BASE + u128::from(n)))
    }

    pub fn assignment_n(n: u32) -> AssignmentId {
        AssignmentId::from_uuid(Uuid::from_u128(Self::ASSIGNMENT_BASE + u128::from(n)))
    }
}

impl IdSource for SequentialIds {
    fn callout_instance(&mut self) -> CalloutInstanceId {
        self.instances += 1;
        Self::instance(self.instances)
    }

    fn assignment(&mut self) -> AssignmentId {
        self.assignments += 1;
        Self::assignment_n(self.assignments)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sequential_ids_count_each_kind_from_one() {
        let mut ids = SequentialIds::new();
        assert_eq!(ids.callout_instance(), SequentialIds::instance(1));
        assert_eq!(ids.assignment(), SequentialIds::assignment_n(1));
        assert_eq!(ids.callout_instance(), SequentialIds::instance(2));
        assert_eq!(
            SequentialIds::instance(2).to_string(),
            "00000000-0000-0000-0000-000000010002"
        );
        assert_ne!(
            SequentialIds::instance(1).as_uuid(),
            SequentialIds::assignment_n(1).as_uuid()
        );
    }

    #[test]
    fn random_ids_differ() {
        let mut ids = RandomIds;
        assert_ne!(ids.callout_instance(), ids.callout_instance());
        assert_ne!(ids.assignment(), ids.assignment());
    }
}
