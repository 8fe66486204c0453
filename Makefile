# The sandbox's everyday commands. `make help` lists them with the values of
# the variables below; override one on the command line: make run ADDR=127.0.0.1:9090
GO          ?= go
ADDR        ?= 127.0.0.1:8080
DATA        ?= ./sandbox-data
CONFIG      ?=
PKGS        ?= ./...
STATICCHECK ?= $(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2
IMAGE       ?= ecommpay-sandbox
FUZZTIME    ?= 30s
BENCH_FLAGS ?= --duration 5s

# What `make help` says of each variable.
VARS              := ADDR DATA CONFIG PKGS GO STATICCHECK IMAGE FUZZTIME BENCH_FLAGS
ADDR_help         := where make run listens
DATA_help         := the data folder of make run (and what make clean removes)
CONFIG_help       := a YAML file of projects and method settings for make run
PKGS_help         := the packages make test, check and bench cover
GO_help           := the go command
STATICCHECK_help  := the pinned staticcheck of make check
IMAGE_help        := the tag of make docker
FUZZTIME_help     := how long make fuzz runs each fuzz target
BENCH_FLAGS_help  := flags of sandbox bench in make bench (sandbox bench -h lists them)

.PHONY: help run build test golden check bench fuzz screenshots docker clean

help: ## list the targets and the variables they use
	@echo "Targets:"
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  make %-12s %s\n", $$1, $$2}' $(MAKEFILE_LIST) | \
	  sed -e 's|$$(ADDR)|$(ADDR)|g' -e 's|$$(DATA)|$(DATA)|g' -e 's|$$(IMAGE)|$(IMAGE)|g' -e 's|$$(FUZZTIME)|$(FUZZTIME)|g'
	@echo
	@echo "Variables (make run ADDR=127.0.0.1:9090 overrides one):"
	@$(foreach v,$(VARS),printf '  %-12s = %-50s %s\n' '$(v)' '$(if $($(v)),$($(v)),(none))' '$($(v)_help)';)

run: ## start the sandbox on $(ADDR) with the demo project (data in $(DATA))
	$(GO) run ./cmd/sandbox serve --addr $(ADDR) --data $(DATA) $(if $(CONFIG),--config $(CONFIG))

build: ## build bin/sandbox
	$(GO) build -o bin/sandbox ./cmd/sandbox

# A test binary built with -race sleeps a second as it exits, to catch races
# at exit (GORACE's atexit_sleep_ms): a second of every package's run.
#
# go test links and runs the packages in the order given, as many at a time
# as there are CPUs. The longest go first (once each: go test drops the
# repeats of ./...), so that none of them, listed late, holds the tail alone.
LONGEST_TESTS := ./cmd/sandbox ./platform/bolt ./scenarios ./platform ./sandboxtest
test: ## run every test with the race detector, browser tests included
	@./scripts/ensure-browser
	GORACE="atexit_sleep_ms=0 $$GORACE" $(GO) test -race -count=1 $(if $(filter ./...,$(PKGS)),$(LONGEST_TESTS)) $(PKGS)

# The packages whose tests keep golden files (pages and callbacks) through
# internal/golden, whose one -update flag rewrites them.
GOLDEN_PKGS = $(sort $(dir $(shell grep -rl --include='*_test.go' 'sandbox/internal/golden"' .)))

golden: ## rewrite every golden file from what the code does now (review the diff before committing)
	$(GO) test -count=1 -run 'Golden|TestMethods/.*/golden' $(GOLDEN_PKGS) -args -update
	@git status --short -- '*testdata*' || true

# make test builds with -race, which leaves out TestSourceGolden (making the
# bolt tests' data file there costs what keeping it in testdata saves): check
# runs it, so that CI sees a kept file that is no longer current.
check: ## gofmt, go vet, the import rules, go.mod tidy, current test data, staticcheck
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)
	$(GO) test -count=1 -run TestImportRules .
	$(GO) test -count=1 -run '^TestSourceGolden$$' ./platform/bolt
	@$(GO) mod tidy -diff || { echo "go.mod or go.sum is not tidy: run go mod tidy and commit the result"; exit 1; }
	$(STATICCHECK) $(PKGS)

bench: ## run the Go benchmarks, then sandbox bench: 64 connections, then one client
	$(GO) test -run '^$$' -bench . -benchmem $(PKGS)
	$(GO) run ./cmd/sandbox bench $(BENCH_FLAGS)
	$(GO) run ./cmd/sandbox bench --one-client $(BENCH_FLAGS)

fuzz: ## run every fuzz target for $(FUZZTIME), one after another (make test runs their seed corpora)
	@set -e; for dir in $$(grep -rl --include='*_test.go' '^func Fuzz' . | xargs -n1 dirname | sort -u); do \
	  for target in $$(grep -h '^func Fuzz' $$dir/*_test.go | sed 's/^func \(Fuzz[A-Za-z0-9_]*\).*/\1/'); do \
	    echo "== $$dir $$target"; \
	    $(GO) test -run '^$$' -fuzz "^$$target$$" -fuzztime $(FUZZTIME) $$dir; \
	  done; \
	done

screenshots: ## refresh the README's screenshots from the browser tests (docs/screenshots)
	@./scripts/ensure-browser
	rm -rf testout/screenshots
	SCREENSHOT_DIR=$(CURDIR)/testout/screenshots $(GO) test -count=1 -run 'Browser' ./cmd/sandbox
	@for f in $$(ls docs/screenshots); do cp testout/screenshots/$$f docs/screenshots/$$f; done
	@echo "docs/screenshots refreshed"

docker: ## build the container image $(IMAGE) (see Dockerfile)
	docker build --build-arg REVISION=$$(git rev-parse HEAD 2>/dev/null) -t $(IMAGE) .

clean: ## remove built binaries and the default data folder
	rm -rf bin $(DATA)
