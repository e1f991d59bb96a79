# The two commands of the README. Both install whatever is missing first.
.PHONY: run test reset

run:
	scripts/run.sh

test:
	scripts/test.sh

# Deletes the local database; the next `make run` starts afresh with the demo data.
reset:
	rm -f latch.db latch.db-wal latch.db-shm
