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
              tools/pcapgen/*.[ch] tools/bench/*.c tests/fuzz/*.[ch])

.PHONY: all run check deps tests fuzz bench clean format format-check

all: $(BUILD)/flowtally

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

# Each tool depends on its own folder only (a change to one tool must not relink another).
$(BUILD)/tools/%: $$(wildcard tools/%/*.c) $$(wildcard tools/%/*.h)
	@mkdir -p $(@D)
	@echo "  TOOL  $@"
	@$(CC) $(filter-out -MMD -MP,$(CFLAGS)) -o $@ $(wildcard tools/$*/*.c) $(LDFLAGS)

tests: $(BUILD)/flowtally $(UNIT_BIN) $(TOOLS)

deps:
	@sh tools/deps.sh

# The main job on embedded defaults: ./flowtally.db, NetFlow/IPFIX on UDP 2055.
run: deps
	@$(MAKE) --no-print-directory all
	$(BUILD)/flowtally run

# Everything under AddressSanitizer and UndefinedBehaviorSanitizer, warnings as errors; and
# the release build too, whose -O2 analysis warns of things -O1 does not see (`make run`
# and `make bench` build it).
check: deps format-check
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory BUILD=build/asan SAN="$(ASAN)" OPT="-O1 -g" tests
	@sh tests/run.sh build/asan

fuzz: deps
	@sh tests/fuzz/run.sh $(FUZZ_SECONDS)

bench: deps
	@$(MAKE) --no-print-directory all $(TOOLS)
	@sh tools/bench/bench.sh $(BUILD)

format:
	clang-format -i $(FORMATTED)

format-check:
	@clang-format --dry-run -Werror $(FORMATTED)

clean:
	rm -rf build

-include $(OBJ:.o=.d) $(UNIT_BIN:=.d)
