# mbedcrypto-rs: the two commands that matter are
#
#   make demo   build the library and run a C program in which several
#               threads share contexts
#   make test   everything CI runs (installs missing tools first)
#
# Other targets:
#   make lib [CONFIG=builtin|pthread|alt|none]   build target/dist/$(CONFIG)
#   make headers       regenerate the checked-in include/ from the sources
#   make docs          ... and the generated table in docs/THREAD_SAFETY.md
#   make c-test CONFIG=... SAN=none|asan|tsan [VALGRIND=1] [LINK=shared]
#   make bench [UPSTREAM=/path/to/mbedtls-3.6.6]  see docs/PERFORMANCE.md
#   make heap-bench [UPSTREAM=/path/to/mbedtls-3.6.6-mba]  the static-buffer heap, ditto
#   make setup         install missing apt packages and rustup components
#   make lint|unit|abi|valgrind|tsan|loom|miri|nostd   one step of make test
#
# CONFIG selects the threading backend (README.md, "Configurations"); for
# alt, MBEDCRYPTO_THREADING_ALT_INCLUDE names the directory of your
# threading_alt.h (default: the tested example in c-tests/alt).

CONFIG  ?= builtin
PROFILE ?= release
SAN     ?= none
PYTHON  ?= python3
CARGO   ?= cargo

DIST_SUFFIX := $(if $(filter debug,$(PROFILE)),-debug,)
DIST        := target/dist/$(CONFIG)$(DIST_SUFFIX)

export MBEDCRYPTO_THREADING_ALT_INCLUDE ?= $(CURDIR)/c-tests/alt

.PHONY: all lib headers docs demo test setup setup-quiet setup-firmware c-test bench heap-bench clean \
        lint unit abi valgrind tsan loom miri nostd firmware-test

all: lib

lib:
	$(PYTHON) tools/dist.py $(CONFIG) --profile $(PROFILE)

headers:
	$(PYTHON) tools/dist.py builtin --profile debug >/dev/null
	cp target/dist/builtin-debug/include/mbedtls/*.h include/mbedtls/
	@echo "include/mbedtls refreshed"

# Regenerate the generated table in docs/THREAD_SAFETY.md from the headers.
docs: headers
	MBEDCRYPTO_BLESS=1 $(CARGO) test -q --test thread_safety_doc

demo: setup-quiet
	$(PYTHON) tools/dist.py $(CONFIG) --profile release >/dev/null
	$(MAKE) -C c-tests demo DIST=$(CURDIR)/$(DIST) CONFIG=$(CONFIG) \
	    OUT=$(CURDIR)/$(DIST)/demo

c-test:
	$(PYTHON) tools/dist.py $(CONFIG) --profile $(PROFILE) $(if $(filter tsan,$(SAN)),--tsan) >/dev/null
	$(MAKE) -C c-tests check DIST=$(CURDIR)/target/dist/$(CONFIG)$(if $(filter tsan,$(SAN)),-tsan)$(DIST_SUFFIX) \
	    CONFIG=$(CONFIG) SAN=$(SAN)

# The test firmware under QEMU (Cortex-M4, mps2-an386): see firmware/.
firmware-test: setup-firmware
	$(PYTHON) tools/dist.py firmware >/dev/null
	$(MAKE) -C firmware check DIST=$(CURDIR)/target/dist/firmware

setup-firmware:
	@tools/setup.sh --firmware

# ---- the CI suite ------------------------------------------------------------

test: setup
	@tools/ci-steps.sh

# Single steps of `make test` (after `make setup`).
lint:     ; @tools/ci-steps.sh fmt clippy docs
unit:     ; @tools/ci-steps.sh unit
abi:      ; @tools/ci-steps.sh abi
valgrind: ; @tools/ci-steps.sh valgrind_c
tsan:     ; @tools/ci-steps.sh tsan
loom:     ; @tools/ci-steps.sh loom
miri:     ; @tools/ci-steps.sh miri
nostd:    ; @tools/ci-steps.sh nostd

setup:
	@tools/setup.sh

setup-quiet:
	@tools/setup.sh --minimal

bench:
	$(PYTHON) tools/bench.py $(if $(UPSTREAM),--upstream $(UPSTREAM)) --config $(CONFIG)

heap-bench:
	CONFIG=$(CONFIG) tools/heap_bench.sh $(UPSTREAM)

clean:
	$(CARGO) clean
