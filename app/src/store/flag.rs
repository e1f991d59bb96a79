//! Yes/no columns, read and written the same on either backend.

use super::Db;

/// A yes/no column. SQLite keeps it as an integer, which sqlx's `Any` reads as BIGINT and will
/// not decode as `bool`; PostgreSQL may give a BOOLEAN. Decoded through this, either is a
/// `bool` (`#[sqlx(try_from = "Flag")]` on a row's field, or `.0` of a tuple's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flag(pub bool);

impl sqlx::Type<Db> for Flag {
    fn type_info() -> sqlx::any::AnyTypeInfo {
        <bool as sqlx::Type<Db>>::type_info()
    }

    fn compatible(ty: &sqlx::any::AnyTypeInfo) -> bool {
        ty.kind() == sqlx::any::AnyTypeInfoKind::Bool || ty.kind().is_integer()
    }
}

impl<'r> sqlx::Decode<'r, Db> for Flag {
    fn decode(value: sqlx::any::AnyValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
        use sqlx::ValueRef;
        if value.type_info().kind() == sqlx::any::AnyTypeInfoKind::Bool {
            <bool as sqlx::Decode<Db>>::decode(value).map(Flag)
        } else {
            <i64 as sqlx::Decode<Db>>::decode(value).map(|n| Flag(n != 0))
        }
    }
}

/// Written as the column's 0 or 1: PostgreSQL will not store a boolean in an INTEGER column
/// (SQLite would), so a yes/no value is bound as `Flag(value)`.
impl<'q> sqlx::Encode<'q, Db> for Flag {
    fn encode_by_ref(
        &self,
        buf: &mut <Db as sqlx::Database>::ArgumentBuffer<'q>,
    ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
        <i64 as sqlx::Encode<Db>>::encode(i64::from(self.0), buf)
    }
}

impl From<Flag> for bool {
    fn from(flag: Flag) -> bool {
        flag.0
    }
}

/// A yes/no column that may be NULL (`#[sqlx(try_from = "OptionalFlag")]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OptionalFlag(pub Option<bool>);

impl sqlx::Type<Db> for OptionalFlag {
    fn type_info() -> sqlx::any::AnyTypeInfo {
        Flag::type_info()
    }

    fn compatible(ty: &sqlx::any::AnyTypeInfo) -> bool {
        ty.kind() == sqlx::any::AnyTypeInfoKind::Null || Flag::compatible(ty)
    }
}

impl<'r> sqlx::Decode<'r, Db> for OptionalFlag {
    fn decode(value: sqlx::any::AnyValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
        use sqlx::ValueRef;
        if value.is_null() {
            return Ok(OptionalFlag(None));
        }
        Flag::decode(value).map(|flag| OptionalFlag(Some(flag.0)))
    }
}

impl From<OptionalFlag> for Option<bool> {
    fn from(flag: OptionalFlag) -> Option<bool> {
        flag.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::test_db;

    #[tokio::test]
    async fn yes_no_columns_decode_from_integers_booleans_and_null() {
        let (db, _dir) = test_db().await;
        let row: (Flag, Flag, Flag, OptionalFlag, OptionalFlag) =
            sqlx::query_as("SELECT 0, 1, 2, NULL, 1 = 1")
                .fetch_one(&db)
                .await
                .unwrap();
        assert_eq!(
            row,
            (
                Flag(false),
                Flag(true),
                Flag(true),
                OptionalFlag(None),
                OptionalFlag(Some(true))
            )
        );
        let text: Result<(Flag,), _> = sqlx::query_as("SELECT 'yes'").fetch_one(&db).await;
        assert!(text.is_err(), "text is not a yes/no value: {text:?}");
        let plain: Result<(bool,), _> = sqlx::query_as("SELECT 1").fetch_one(&db).await;
        assert!(
            plain.is_err(),
            "why Flag exists: Any refuses an integer as bool"
        );
    }
}
