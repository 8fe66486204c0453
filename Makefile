# The sandbox's everyday commands. `make help` lists them.
GO      ?= go
ADDR    ?= 127.0.0.1:8080
DATA    ?= ./sandbox-data
PKGS    ?= ./...

.PHONY: help run build test check bench screenshots clean

help: ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  make %-8s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

run: ## start the sandbox on $(ADDR) with the demo project (data in $(DATA))
	$(GO) run ./cmd/sandbox serve --addr $(ADDR) --data $(DATA) $(if $(CONFIG),--config $(CONFIG))

build: ## build bin/sandbox
	$(GO) build -o bin/sandbox ./cmd/sandbox

test: ## run every test with the race detector, browser tests included
	@./scripts/ensure-browser
	$(GO) test -race -count=1 $(PKGS)

check: ## gofmt, go vet and the import rules of DESIGN.md
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)
	$(GO) test -count=1 -run TestImportRules .

bench: ## run the benchmarks (signing, Gate sale, store, callbacks)
	$(GO) test -run '^$$' -bench . -benchmem $(PKGS)

screenshots: ## refresh the README's screenshots from the browser tests (docs/screenshots)
	@./scripts/ensure-browser
	rm -rf testout/screenshots
	SCREENSHOT_DIR=$(CURDIR)/testout/screenshots $(GO) test -count=1 -run 'Browser' ./cmd/sandbox
	@for f in $$(ls docs/screenshots | grep -v '^dashboard'); do cp testout/screenshots/$$f docs/screenshots/$$f; done
	@echo "docs/screenshots refreshed"

clean: ## remove built binaries and the default data folder
	rm -rf bin $(DATA)
