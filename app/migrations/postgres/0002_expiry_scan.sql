-- The expiry scan reads only assignments with something due: `next_due_at` is the earliest
-- moment a pre-expiry trigger or the expiration itself is due (domain::expiry::next_due_at),
-- kept up to date by every write of an assignment's expiry facts.
ALTER TABLE assignments ADD COLUMN next_due_at TEXT;
CREATE INDEX assignments_next_due ON assignments(next_due_at)
    WHERE state = 'delivered' AND next_due_at IS NOT NULL;
-- Assignments made before this column: due at once, so the first scan computes their real
-- next moment (and fires what is owed).
UPDATE assignments SET next_due_at = start_at
    WHERE state = 'delivered' AND expires_at IS NOT NULL;
