//! REST callers already checked, so that an app's calls do not each check its token's
//! signature and read its roles: a token is remembered once its signature and claims checked
//! out (and checked against its lifetime at each use), an app's name and roles for at most
//! [`APP_READ_FOR`]. This process forgets the apps' roles as soon as it changes any
//! ([`Callers::forget_apps`], after the commit); another instance on the same PostgreSQL
//! database sees a change within [`APP_READ_FOR`].

use crate::auth::authz::Principal;
use crate::callout::token::Lifetime;
use crate::domain::ids::AppId;
use chrono::{DateTime, Duration, Utc};
use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};

/// How long an app's name and roles, as read, serve its calls.
pub const APP_READ_FOR: Duration = Duration::seconds(1);

/// With this many tokens (or apps) remembered, the stale ones go, and if none is stale, all.
const MOST: usize = 4096;

#[derive(Default)]
pub struct Callers {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    tokens: HashMap<String, (AppId, Lifetime)>,
    apps: HashMap<AppId, (Principal, DateTime<Utc>)>,
    /// Moves at each [`Callers::forget_apps`], so that a read that began before a change and
    /// ends after it is not remembered.
    generation: u64,
}

/// Where a read of an app began, for [`Callers::remember_app`].
#[derive(Debug, Clone, Copy)]
pub struct ReadStart {
    generation: u64,
    at: DateTime<Utc>,
}

impl Callers {
    /// The app of a token checked before, if the token is still within its lifetime.
    pub fn token(&self, token: &str, now: DateTime<Utc>) -> Option<AppId> {
        let inner = self.lock();
        let (app, lifetime) = inner.tokens.get(token)?;
        lifetime.check(now).is_ok().then_some(*app)
    }

    /// A token whose signature and claims checked out, naming `app`.
    pub fn remember_token(&self, token: &str, app: AppId, lifetime: Lifetime, now: DateTime<Utc>) {
        let mut inner = self.lock();
        if inner.tokens.len() >= MOST {
            inner.tokens.retain(|_, (_, l)| l.check(now).is_ok());
            if inner.tokens.len() >= MOST {
                inner.tokens.clear();
            }
        }
        inner.tokens.insert(token.to_owned(), (app, lifetime));
    }

    /// The app as read less than [`APP_READ_FOR`] ago and not changed here since.
    pub fn app(&self, app: AppId, now: DateTime<Utc>) -> Option<Principal> {
        let inner = self.lock();
        let (principal, read_at) = inner.apps.get(&app)?;
        fresh(*read_at, now).then(|| principal.clone())
    }

    /// Taken before reading an app from the database.
    pub fn read_start(&self, now: DateTime<Utc>) -> ReadStart {
        ReadStart {
            generation: self.lock().generation,
            at: now,
        }
    }

    /// An app as read from `start`; not kept if this process changed roles meanwhile.
    pub fn remember_app(&self, app: AppId, principal: &Principal, start: ReadStart) {
        let mut inner = self.lock();
        if inner.generation != start.generation {
            return;
        }
        if inner.apps.len() >= MOST {
            inner.apps.retain(|_, (_, at)| fresh(*at, start.at));
            if inner.apps.len() >= MOST {
                inner.apps.clear();
            }
        }
        inner.apps.insert(app, (principal.clone(), start.at));
    }

    /// Roles changed (committed): every app is read again at its next call.
    pub fn forget_apps(&self) {
        let mut inner = self.lock();
        inner.generation += 1;
        inner.apps.clear();
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // The map holds no invariant a panic could break halfway.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Read at `read_at`, still good at `now` (a clock set back makes it stale, not fresh longer).
fn fresh(read_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    now >= read_at && now - read_at < APP_READ_FOR
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::role::Role;
    use crate::store::audit::Actor;
    use crate::store::roles::RoleGrant;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 2, 8, 0, 0).unwrap()
    }

    fn app() -> AppId {
        "0190f0e0-0000-7000-8000-000000000001".parse().unwrap()
    }

    fn principal(grants: Vec<RoleGrant>) -> Principal {
        Principal {
            actor: Actor {
                kind: "app",
                id: Some(app().to_string()),
                name: "Provisioner (app)".into(),
            },
            user_id: None,
            app_id: Some(app()),
            display_name: "Provisioner".into(),
            user_principal_name: String::new(),
            grants,
        }
    }

    fn admin() -> Vec<RoleGrant> {
        vec![RoleGrant {
            role: Role::IdentityGovernanceAdministrator,
            catalog_id: None,
        }]
    }

    fn lifetime(from: DateTime<Utc>, to: DateTime<Utc>) -> Lifetime {
        Lifetime {
            not_before: Some(from.timestamp()),
            expires: to.timestamp(),
        }
    }

    #[test]
    fn a_token_serves_within_its_lifetime_only() {
        let callers = Callers::default();
        let expires = now() + Duration::hours(1);
        callers.remember_token("t1", app(), lifetime(now(), expires), now());
        assert_eq!(callers.token("t1", now()), Some(app()));
        assert_eq!(callers.token("t2", now()), None, "another token");
        let skew = crate::callout::token::CLOCK_SKEW;
        assert_eq!(
            callers.token("t1", expires + skew - Duration::seconds(1)),
            Some(app())
        );
        assert_eq!(callers.token("t1", expires + skew), None, "expired");
        assert_eq!(
            callers.token("t1", now() - skew - Duration::seconds(1)),
            None,
            "not yet"
        );
    }

    #[test]
    fn an_app_serves_for_a_second_from_when_its_read_began() {
        let callers = Callers::default();
        let start = callers.read_start(now());
        callers.remember_app(app(), &principal(admin()), start);
        let later = now() + APP_READ_FOR - Duration::milliseconds(1);
        assert_eq!(callers.app(app(), later).unwrap().grants, admin());
        assert!(
            callers.app(app(), now() + APP_READ_FOR).is_none(),
            "read again"
        );
        assert!(
            callers.app(app(), now() - Duration::seconds(1)).is_none(),
            "a clock set back does not keep it"
        );
    }

    #[test]
    fn a_change_here_forgets_every_app_and_a_read_begun_before_it() {
        let callers = Callers::default();
        callers.remember_app(app(), &principal(admin()), callers.read_start(now()));
        let before_change = callers.read_start(now());
        callers.forget_apps();
        assert!(callers.app(app(), now()).is_none(), "forgotten at once");
        // The read began before the change and may hold the roles it removed.
        callers.remember_app(app(), &principal(admin()), before_change);
        assert!(callers.app(app(), now()).is_none(), "not remembered");
        callers.remember_app(app(), &principal(vec![]), callers.read_start(now()));
        assert_eq!(callers.app(app(), now()).unwrap().grants, vec![]);
    }

    #[test]
    fn the_tokens_kept_are_bounded() {
        let callers = Callers::default();
        let short = lifetime(now(), now() + Duration::minutes(5));
        for i in 0..MOST {
            callers.remember_token(&format!("old{i}"), app(), short, now());
        }
        let later = now() + Duration::hours(1);
        let long = lifetime(later, later + Duration::hours(1));
        callers.remember_token("new", app(), long, later);
        let inner = callers.lock();
        assert_eq!(inner.tokens.len(), 1, "the expired ones went");
        drop(inner);
        for i in 0..MOST {
            callers.remember_token(&format!("live{i}"), app(), long, later);
        }
        assert!(callers.lock().tokens.len() <= MOST);
        assert_eq!(
            callers.token(&format!("live{}", MOST - 1), later),
            Some(app())
        );
    }
}
