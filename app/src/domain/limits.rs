//! Size limits, Entra's defaults; the per-catalog and per-tenant counts are configurable.

use serde::{Deserialize, Serialize};

use super::field_error::{keys, FieldError};

/// Maximum characters (not bytes) in a display name.
pub const NAME_MAX: usize = 256;
/// Maximum characters (not bytes) in a description.
pub const DESCRIPTION_MAX: usize = 1024;
pub const MAX_STAGE_SETTINGS_PER_POLICY: usize = 5;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ExtensionLimits {
    pub per_catalog: u32,
    pub per_tenant: u32,
}

impl Default for ExtensionLimits {
    fn default() -> Self {
        Self {
            per_catalog: 20,
            per_tenant: 500,
        }
    }
}

impl ExtensionLimits {
    /// Whether one more extension fits, given how many exist now. The catalog is checked first
    /// because that is the limit a catalog owner can do something about.
    pub fn check_can_add(&self, in_catalog: u32, in_tenant: u32) -> Result<(), FieldError> {
        if in_catalog >= self.per_catalog {
            return Err(FieldError::new(
                keys::CATALOG,
                format!(
                    "This catalog already has {in_catalog} custom extensions; the limit is {}.",
                    self.per_catalog
                ),
            ));
        }
        if in_tenant >= self.per_tenant {
            return Err(FieldError::new(
                keys::CATALOG,
                format!(
                    "This tenant already has {in_tenant} custom extensions; the limit is {}.",
                    self.per_tenant
                ),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_entras() {
        let limits = ExtensionLimits::default();
        assert_eq!((limits.per_catalog, limits.per_tenant), (20, 500));
    }

    #[test]
    fn catalog_limit_edges() {
        let limits = ExtensionLimits::default();
        assert_eq!(limits.check_can_add(0, 0), Ok(()));
        assert_eq!(limits.check_can_add(19, 100), Ok(()));
        assert_eq!(
            limits.check_can_add(20, 100),
            Err(FieldError::new(
                "catalog",
                "This catalog already has 20 custom extensions; the limit is 20."
            ))
        );
    }

    #[test]
    fn tenant_limit_edges() {
        let limits = ExtensionLimits::default();
        assert_eq!(limits.check_can_add(3, 499), Ok(()));
        assert_eq!(
            limits.check_can_add(3, 500),
            Err(FieldError::new(
                "catalog",
                "This tenant already has 500 custom extensions; the limit is 500."
            ))
        );
    }

    #[test]
    fn configured_limits_apply() {
        let limits = ExtensionLimits {
            per_catalog: 1,
            per_tenant: 2,
        };
        assert!(limits.check_can_add(0, 1).is_ok());
        assert!(limits.check_can_add(1, 1).is_err());
        assert!(limits.check_can_add(0, 2).is_err());
    }

    #[test]
    fn text_limits() {
        assert_eq!(NAME_MAX, 256);
        assert_eq!(DESCRIPTION_MAX, 1024);
        assert_eq!(MAX_STAGE_SETTINGS_PER_POLICY, 5);
    }
}
