# flowtally build. Plain GNU make: the contract is four targets (run, check, fuzz, bench),
# the dependencies are fixed Debian packages, and every variant is a separate build
# directory (build/release, build/asan, build/fuzz), so a page of make says it all.
# See README.md, "Developer notes", for why this is not meson.

BUILD    ?= build/release
CC       ?= cc
OPT      ?= -O2 -g
SAN      ?=
WARN      = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
            -Wformat=2 -Wvla
CFLAGS   += -std=c17 -D_GNU_SOURCE $(OPT) $(WARN) $(SAN) -MMD -MP
LDFLAGS  += $(SAN)
LDLIBS   += -lsqlite3 -lpthread -lpcap -lpq -lmicrohttpd -lcrypt -lgnutls -lldap -lcurl
CFLAGS   += $(shell pkg-config --cflags libpq)

# nDPI names applications from captured packets when Debian's libndpi-dev is installed;
# without it the probe uses the port table only.
NDPI     := $(shell pkg-config --exists libndpi 2>/dev/null && echo yes)
ifeq ($(NDPI),yes)
CFLAGS   += -DFLOWTALLY_NDPI $(shell pkg-config --cflags libndpi)
LDLIBS   += $(shell pkg-config --libs libndpi)
endif

# Printed bills (src/print/) draw with cairo and lay text out with pango. Their include
# flags go to print/ alone (and to its unit test, which draws a PNG logo), so no other folder
# can reach their headers; `private` keeps them from the objects the test links.
PRINT_CFLAGS := $(shell pkg-config --cflags pangocairo 2>/dev/null)
LDLIBS   += $(shell pkg-config --libs pangocairo 2>/dev/null)

SRC       = $(wildcard src/*/*.c)
OBJ       = $(SRC:%.c=$(BUILD)/%.o)
LIB_OBJ   = $(filter-out $(BUILD)/src/cli/main.o,$(OBJ))
UNIT_SRC  = $(wildcard tests/unit/*/test_*.c)
UNIT_BIN  = $(UNIT_SRC:%.c=$(BUILD)/%)
TOOLS     = $(BUILD)/tools/flowgen $(BUILD)/tools/pcapgen

ASAN      = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

FORMATTED = $(wildcard src/*/*.[ch] tests/unit/*.h tests/unit/*/*.c tools/flowgen/*.[ch] \
              tools/pcapgen/*.[ch] tools/bench/*.c tests/fuzz/*.[ch] tools/keydoc/*.c)

.PHONY: all run check deps deps-test tools tests docs fuzz bench clean format format-check FORCE \
        install package-test

all: $(BUILD)/flowtally

# `flowtally --version` names the build: the commit (git describe) and the date, passed to
# src/cli/version.c alone. The stamp changes only when they do, so a build of the same
# commit recompiles nothing. SOURCE_DATE_EPOCH (Debian's reproducible builds) fixes the date.
FT_VERSION    = 0.1.0
FT_COMMIT    := $(shell git describe --always --dirty 2>/dev/null || echo unknown)
FT_DATE      := $(shell date -u -d @$${SOURCE_DATE_EPOCH:-$$(date +%s)} +%Y-%m-%d)
$(BUILD)/src/cli/version.o: CFLAGS += -DFT_VERSION='"$(FT_VERSION)"' \
    -DFT_COMMIT='"$(FT_COMMIT)"' -DFT_BUILD_DATE='"$(FT_DATE)"'
$(BUILD)/src/cli/version.o: $(BUILD)/version.stamp
$(BUILD)/version.stamp: FORCE
	@mkdir -p $(@D)
	@echo '$(FT_VERSION) $(FT_COMMIT) $(FT_DATE)' | cmp -s - $@ || \
	    echo '$(FT_VERSION) $(FT_COMMIT) $(FT_DATE)' > $@

$(BUILD)/flowtally: $(OBJ)
	@echo "  LD    $@"
	@$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	@echo "  CC    $<"
	@$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/src/print/%.o: CFLAGS += $(PRINT_CFLAGS)
$(BUILD)/tests/unit/print/%: private CFLAGS += $(PRINT_CFLAGS)

# A unit test of tests/unit/F/ links F's objects and those of the folders doc/layers.txt
# lets F reach (tests/layering.sh --deps F), nothing else: a test that leans on a folder its
# stage may not use fails to link.
FOLDERS   = $(sort $(patsubst src/%/,%,$(dir $(SRC))))
$(foreach f,$(FOLDERS),$(eval DEPS_$(f) := $(shell sh tests/layering.sh --deps $(f))))
unit_objs = $(foreach d,$(DEPS_$(firstword $(subst /, ,$(1)))),$(filter $(BUILD)/src/$(d)/%,$(LIB_OBJ)))

.SECONDEXPANSION:
$(BUILD)/tests/unit/%: tests/unit/%.c $$(call unit_objs,$$*)
	@mkdir -p $(@D)
	@echo "  TEST  $@"
	@$(CC) $(CFLAGS) -Itests/unit -o $@ $< $(call unit_objs,$*) $(LDFLAGS) $(LDLIBS)

# Each tool depends on its own folder only (a change to one tool must not relink another),
# and flowgen on src/gen/ too: the datagram builder it shares with `flowtally run --demo`.
TOOL_SRC_flowgen = $(wildcard src/gen/*.c)
$(BUILD)/tools/%: $$(wildcard tools/%/*.c) $$(wildcard tools/%/*.h) $$(TOOL_SRC_$$*)
	@mkdir -p $(@D)
	@echo "  TOOL  $@"
	@$(CC) $(filter-out -MMD -MP,$(CFLAGS)) -o $@ $(wildcard tools/$*/*.c) $(TOOL_SRC_$*) $(LDFLAGS)

# keydoc (the configuration reference, written from the key table it includes) is a build
# tool: `make docs` and 040-reference use it
$(BUILD)/tools/keydoc: src/config/keys.def

tests: $(BUILD)/flowtally $(UNIT_BIN) $(TOOLS) $(BUILD)/tools/keydoc

# The configuration reference, written from src/config/keys.def: etc/flowtally.conf (what
# --check-config prints on defaults), man/flowtally.conf.5 and the README's key table.
# tests/integration/040-reference fails when a committed copy is stale.
docs: $(BUILD)/flowtally $(BUILD)/tools/keydoc
	@sh tools/keydoc/docs.sh $(BUILD) .

# flowgen (NetFlow/IPFIX/sFlow sender) and pcapgen (pcap writer), for trying flowtally out
tools: $(TOOLS)

# deps: what building and running need; deps-test: that and every tool the tests, fuzzing
# and benchmarks use (tools/deps.sh holds both lists)
deps:
	@sh tools/deps.sh

deps-test:
	@sh tools/deps.sh --test

# The main job. With a configuration (CONF, ./flowtally.conf unless named) the collector on
# it; with none yet the demo: a fictional WISP in ./flowtally-demo.db fed live flows, the
# portal on 127.0.0.1:8080 (README, Quick start). The real ./flowtally.db is never touched.
CONF ?= flowtally.conf
run: deps
	@$(MAKE) --no-print-directory all
	@if [ -f "$(CONF)" ]; then set -x; $(BUILD)/flowtally run -c "$(CONF)"; \
	 else set -x; $(BUILD)/flowtally run --demo; fi

# Everything under AddressSanitizer and UndefinedBehaviorSanitizer, warnings as errors; and
# the release build too, whose -O2 analysis warns of things -O1 does not see (`make run`
# and `make bench` build it).
check: deps-test format-check
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory BUILD=build/asan SAN="$(ASAN)" OPT="-O1 -g" tests
	@sh tests/run.sh build/asan

fuzz: deps-test
	@sh tests/fuzz/run.sh $(FUZZ_SECONDS)

bench: deps-test
	@$(MAKE) --no-print-directory all $(TOOLS)
	@sh tools/bench/bench.sh $(BUILD)

# make install: one binary in PREFIX/bin (the daemon and the commands staff and scripts
# run), the man pages, the configuration (SYSCONFDIR/flowtally: /etc for PREFIX=/usr) and
# the examples; DESTDIR stages it (debian/rules). See README.md, "Install".
PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
MANDIR     ?= $(PREFIX)/share/man
DOCDIR     ?= $(PREFIX)/share/doc/flowtally
SYSCONFDIR ?= $(if $(filter /usr,$(PREFIX)),/etc,$(PREFIX)/etc)
STATEDIR   ?= /var/lib/flowtally

install: all
	@BUILD="$(BUILD)" DESTDIR="$(DESTDIR)" BINDIR="$(BINDIR)" MANDIR="$(MANDIR)" \
	    DOCDIR="$(DOCDIR)" SYSCONFDIR="$(SYSCONFDIR)" STATEDIR="$(STATEDIR)" sh tools/install.sh

# The Debian package, built from a clean copy of the tree, installed, run as its service
# user and purged (tests/package/run.sh; it needs root and dpkg-buildpackage, SKIP otherwise)
package-test: deps-test
	@$(MAKE) --no-print-directory $(BUILD)/tools/flowgen
	@BUILD=$(BUILD) sh tests/package/run.sh

format:
	clang-format -i $(FORMATTED)

format-check:
	@clang-format --dry-run -Werror $(FORMATTED)

clean:
	rm -rf build

-include $(OBJ:.o=.d) $(UNIT_BIN:=.d)
