//! The services' test fixture: a real, migrated SQLite file per test with the demo data, a
//! fixed clock, and the demo accounts signed in on demand.

use crate::auth::authz::Principal;
use crate::clock::Clock;
use crate::domain::ids::CatalogId;
use crate::domain::limits::ExtensionLimits;
use crate::services::session;
use crate::state::{AppState, Settings};
use crate::store::{self, demo};

pub struct Fixture {
    pub state: AppState,
    pub marketing: CatalogId,
    pub engineering: CatalogId,
    _dir: tempfile::TempDir,
}

pub async fn fixture() -> Fixture {
    fixture_with(ExtensionLimits::default()).await
}

pub async fn fixture_with(limits: ExtensionLimits) -> Fixture {
    let (db, dir) = store::test_db().await;
    let clock = Clock::fixed(chrono::Utc::now());
    crate::directory::demo::load_if_empty(&db, clock.now())
        .await
        .unwrap();
    let ids: Vec<(String, String)> = sqlx::query_as("SELECT display_name, id FROM catalogs")
        .fetch_all(&db)
        .await
        .unwrap();
    let find = |name: &str| {
        ids.iter()
            .find(|(n, _)| n == name)
            .unwrap()
            .1
            .parse()
            .unwrap()
    };
    Fixture {
        marketing: find("Marketing"),
        engineering: find("Engineering"),
        state: AppState::new(
            db,
            Settings {
                limits,
                ..Settings::for_tests()
            },
            clock,
            crate::callout::keys::test_key().clone(),
        ),
        _dir: dir,
    }
}

impl Fixture {
    /// A demo account, signed in with the demo password.
    pub async fn as_user(&self, upn: &str) -> Principal {
        let token = session::sign_in(&self.state, upn, demo::DEMO_PASSWORD, None)
            .await
            .unwrap();
        session::principal(&self.state, Some(&token)).await.unwrap()
    }

    /// The id of the row of `table` with this display name.
    pub async fn id_of(&self, table: &str, name: &str) -> String {
        sqlx::query_scalar(&format!("SELECT id FROM {table} WHERE display_name = $1"))
            .bind(name)
            .fetch_one(&self.state.db)
            .await
            .unwrap()
    }
}
