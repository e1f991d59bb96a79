-- Brute-force throttling: recent failed credential checks per subject ('account:<e-mail>',
-- 'client:<id>', 'address:<ip>'). The rules live in domain::throttle; quiet rows are deleted.
CREATE TABLE throttles (
    subject       TEXT PRIMARY KEY,
    failures      INTEGER NOT NULL,
    last_at       TEXT NOT NULL,
    locked_until  TEXT
);
CREATE INDEX throttles_last_at ON throttles(last_at);
