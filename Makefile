# The two commands of the README. Both install what is missing and are safe to rerun.
.PHONY: run test bench load fuzz-api setup build clean-data deploy deploy-check

run:
	@scripts/run.sh

test:
	@scripts/test.sh

bench:
	@scripts/bench.sh

# Check-in API at 2x the target rate (open loop) for 60 s; fails on errors or growing memory.
load:
	@scripts/load.sh

# schemathesis against the local stack from the OpenAPI document (no 5xx, responses as documented).
fuzz-api:
	@scripts/setup.sh --test
	@cargo build -p bosai-local -p bosai-companion --quiet
	@scripts/schemathesis.sh

setup:
	@scripts/setup.sh

build: setup
	@scripts/build-app.sh

# Forget the local stack's data (the demo data is seeded again on the next run).
clean-data:
	rm -rf .bosai/data

# Deploy to AWS (docs/deploy.md): VAPID secret, sam build + deploy, dist/ to S3, CloudFront invalidation.
deploy:
	@scripts/deploy.sh

# Offline: infra checks (cfn-lint, sam validate, checkov, tests/infra) + arm64 Lambda binaries (ELF, glibc).
deploy-check:
	@scripts/deploy.sh --check
