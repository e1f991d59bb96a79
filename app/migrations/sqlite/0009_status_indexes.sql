-- The managers' Requests list reads requests by status for two of its choices only ("Waiting
-- for a workflow", "Process expired"). An index of every request's status cost the engine an
-- index delete and insert at each of a request's status changes; these two hold only the
-- requests a list asks for (docs/decisions.md, "Engine throughput" 21).
DROP INDEX requests_status_created;
CREATE INDEX requests_waiting ON requests(created_at, id) WHERE status = 'WaitingForCallback';
CREATE INDEX requests_expired ON requests(created_at, id) WHERE status = 'Expired';
