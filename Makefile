# The two commands of the README. Both install what is missing and are safe to rerun.
.PHONY: run test bench setup build clean-data

run:
	@scripts/run.sh

test:
	@scripts/test.sh

bench:
	@scripts/bench.sh

setup:
	@scripts/setup.sh

build: setup
	@scripts/build-app.sh

# Forget the local stack's data (the demo data is seeded again on the next run).
clean-data:
	rm -rf .bosai/data
