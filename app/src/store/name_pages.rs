//! Pages of the lists in name order: catalogs, a catalog's access packages and custom
//! extensions, apps (issue 16). A page is found by the key of the row next to it,
//! `(display_name COLLATE NOCASE, id)`, through an index in that order (migration 0008), and
//! may be narrowed to names starting with a text; how many rows match is one index range.

use super::paging::{finish, Key, Order, Page, PageAt};
use super::{params_or_none, prefix_bounds, starts_with, Conn};
use sqlx::any::AnyRow;

/// Which rows of which table a page is of.
#[derive(Debug, Clone, Copy)]
pub struct NameList<'a> {
    /// The table as `FROM` names it (with an alias if `columns` needs one).
    pub table: &'static str,
    /// What a row reads.
    pub columns: &'static str,
    /// Only the rows whose column is one of these values (a catalog's rows, the catalogs the
    /// caller holds a role in); `None` for every row.
    pub within: Option<(&'static str, &'a [String])>,
    /// Names starting with this, in any case; empty for every name.
    pub prefix: &'a str,
}

/// The sort key every list in name order has.
const NAME: &str = "display_name COLLATE NOCASE";

impl NameList<'_> {
    /// The rows' condition with its arguments, numbered from `$1`.
    fn condition(&self, conn: &Conn) -> (String, Vec<String>) {
        let mut sql = Vec::new();
        let mut binds = Vec::new();
        if let Some((column, values)) = self.within {
            sql.push(format!("{column} IN ({})", params_or_none(1, values.len())));
            binds.extend(values.iter().cloned());
        }
        if !self.prefix.trim().is_empty() {
            sql.push(starts_with("display_name", binds.len() + 1));
            binds.extend(prefix_bounds(conn, self.prefix));
        }
        if sql.is_empty() {
            sql.push("1 = 1".to_owned());
        }
        (sql.join(" AND "), binds)
    }

    /// The page's query and its arguments (`LIMIT size + 1`, see [`finish`]).
    pub fn page_sql(&self, conn: &Conn, at: &PageAt, size: usize) -> (String, Vec<String>) {
        let (condition, mut binds) = self.condition(conn);
        let (side, order) = at.sql_in(Order::Ascending, NAME, "id", binds.len() + 1);
        binds.extend(at.binds());
        let sql = format!(
            "SELECT {} FROM {} WHERE {condition} AND {side} ORDER BY {order} LIMIT {}",
            self.columns,
            self.table,
            size + 1
        );
        (sql, binds)
    }

    /// How many rows the list has (whatever the page).
    pub fn count_sql(&self, conn: &Conn) -> (String, Vec<String>) {
        let (condition, binds) = self.condition(conn);
        let sql = format!("SELECT COUNT(*) FROM {} WHERE {condition}", self.table);
        (sql, binds)
    }
}

/// A page of the list with how many rows it has in all. `key_of` gives a row's name and id.
pub async fn page<T>(
    conn: &mut Conn,
    list: &NameList<'_>,
    at: &PageAt,
    size: usize,
    key_of: impl Fn(&T) -> (&String, &String),
) -> Result<(Page<T>, i64), sqlx::Error>
where
    T: for<'r> sqlx::FromRow<'r, AnyRow> + Send + Unpin,
{
    let (sql, binds) = list.count_sql(conn);
    let mut count = sqlx::query_scalar(&sql);
    for value in binds {
        count = count.bind(value);
    }
    let total: i64 = count.fetch_one(&mut *conn).await?;
    let (sql, binds) = list.page_sql(conn, at, size);
    let mut query = sqlx::query_as(&sql);
    for value in binds {
        query = query.bind(value);
    }
    let rows: Vec<T> = query.fetch_all(&mut *conn).await?;
    let page = finish(rows, at, size, |row| {
        let (name, id) = key_of(row);
        Key {
            at: name.clone(),
            id: id.clone(),
        }
    });
    Ok((page, total))
}

#[cfg(test)]
#[path = "name_pages_tests.rs"]
mod tests;
