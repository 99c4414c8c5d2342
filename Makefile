# Liveline: one Makefile (see README.md).
#
#   make            build build/liveline and its manual pages (one line per file;
#                   make V=1: the commands); first checks the build's Debian packages
#                   and, when some are missing, names them and stops (it installs
#                   nothing: make deps does)
#   make deps       install the build's missing Debian packages (as root)
#   make run        install missing packages, build, serve the demo on 127.0.0.1:8080
#   make test       install missing packages, build, run every test, then again
#                   under AddressSanitizer and UBSan, and each fuzz target briefly
#   make fuzz       run each fuzz target (tests/fuzz/) for FUZZ_SECONDS (default 60);
#                   FUZZ_TARGETS="text_import ..." picks some; crashes are kept in
#                   build/fuzz/crashes/
#   make bench      Liveline against nginx and nchan, results in bench/results/
#   make install    PREFIX=/usr/local DESTDIR= (make uninstall: the same files)
#   make deb        the Debian package, built in a copy: build/deb/liveline_*.deb
#   make clean

CC      := gcc

# Plain `make` is `all` (the binary and its manual pages, after the package
# check), whatever rule comes first below.
.DEFAULT_GOAL := all

# One short line per file (`CC src/http/http_server.c`); `make V=1` prints the
# whole commands instead.
V ?= 0
ifeq ($(V),1)
Q :=
say :=
else
Q := @
say = printf '  %-4s %s\n' $(1) $(2);
endif
PREFIX  ?= /usr/local
DESTDIR ?=
LIBS    := libmicrohttpd sqlite3 libpq icu-i18n icu-uc zlib libcmark jansson libsodium vips \
           inih
TESTLIBS := cmocka

# Debian packages the build, the tests and `make run` need. bin/deps installs only
# what is missing, so a ready machine pays one dpkg-query.
DEB_BUILD := gcc make pkg-config libmicrohttpd-dev libsqlite3-dev libicu-dev \
             zlib1g-dev libcmark-dev libjansson-dev libsodium-dev libvips-dev libpq-dev \
             libinih-dev scdoc
DEB_TEST  := libcmocka-dev curl python3 python3-feedparser sqlite3 chromium nodejs \
             default-jre-headless jing \
             clang libclang-rt-14-dev libvips-tools webp nginx-light openssl \
             libjpeg-turbo-progs iproute2 postgresql haproxy prometheus logrotate \
             $(DEB_PACKAGE)
# `make deb` and its test (tests/package/run).
DEB_PACKAGE := debhelper lintian fakeroot dpkg-dev adduser

CFLAGS_BASE := -std=c17 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow \
               -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 -pthread -Isrc
OPT     ?= -O2 -g
# The configuration file read when no --config is given (the Debian package:
# /etc/liveline/liveline.conf). Empty here, so that a developer's build and
# the test suite never read a system's file.
CONFIG_DEFAULT ?=
ifneq ($(CONFIG_DEFAULT),)
CFLAGS_BASE += -DLIVELINE_CONFIG_DEFAULT='"$(CONFIG_DEFAULT)"'
endif
# The files that use it are rebuilt when it changes (git's GIT-CFLAGS idiom:
# the stamp is rewritten only when its text differs).
CONFIG_STAMP := build/config-default
$(CONFIG_STAMP): FORCE
	@mkdir -p build
	@echo '$(CONFIG_DEFAULT)' | cmp -s - $@ || echo '$(CONFIG_DEFAULT)' > $@
PKG_CFLAGS = $(shell pkg-config --cflags $(LIBS))
PKG_LIBS   = $(shell pkg-config --libs $(LIBS))

SRC      := $(sort $(wildcard src/*/*.c))
MAIN     := src/main.c
UNIT_SRC := $(sort $(wildcard tests/unit/*/test_*.c))

# Three build flavours share the sources: build/ (optimised), build/asan/ and
# build/tsan/ (ThreadSanitizer, for the stream hub's two threads).
define flavour
$(1)OBJ  := $$(patsubst src/%.c,$(2)/obj/%.o,$$(SRC))
$(2)/liveline: $$($(1)OBJ) $(2)/obj/main.o
	$$(Q)$$(call say,LD,$$@)$$(CC) $(3) -pthread -o $$@ $$^ $$(PKG_LIBS) -lm
$(2)/obj/page/page_assets.o: $$(wildcard web/*)
$(2)/obj/main.o $(2)/obj/serve/serve_file.o: $(CONFIG_STAMP)
$(2)/obj/%.o: src/%.c
	@mkdir -p $$(dir $$@)
	$$(Q)$$(call say,CC,$$<)$$(CC) $$(CFLAGS_BASE) $(3) $$(PKG_CFLAGS) -MMD -MP -c -o $$@ $$<
$(2)/tests/%: tests/unit/%.c $$($(1)OBJ)
	@mkdir -p $$(dir $$@)
	$$(Q)$$(call say,CC,$$<)$$(CC) $$(CFLAGS_BASE) -Itests/unit $(3) $$(PKG_CFLAGS) -MMD -MP \
		-o $$@ $$< $$($(1)OBJ) $$(PKG_LIBS) $$(shell pkg-config --libs $(TESTLIBS)) -lm
$(1)TESTS := $$(patsubst tests/unit/%.c,$(2)/tests/%,$$(UNIT_SRC))
# Each object and test knows the headers it includes (gcc -MMD writes the .d
# files beside them), so a changed header rebuilds exactly what uses it.
-include $$($(1)OBJ:.o=.d) $(2)/obj/main.d $$($(1)TESTS:=.d)
endef

ASAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
              -fno-sanitize-recover=undefined
$(eval $(call flavour,REL,build,$(OPT)))
$(eval $(call flavour,ASAN,build/asan,$(ASAN_FLAGS)))
TSAN_FLAGS := -O1 -g -fsanitize=thread
$(eval $(call flavour,TSAN,build/tsan,$(TSAN_FLAGS)))

# The fourth flavour, build/fuzz/: the fuzz targets (tests/fuzz/fuzz_*.c, one per
# parser of untrusted input, run by libFuzzer). clang compiles the sources with
# the fuzzer's coverage hooks and ASan+UBSan; only the targets link libFuzzer's
# main. tests/fuzz/README.md says what each target feeds and checks.
FUZZ_CC    := clang
# (clang also warns of vsnprintf on a format that is a parameter, which gcc
# checks through the caller's format attribute.)
FUZZ_FLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
              -fno-sanitize-recover=undefined -Wno-format-nonliteral
FUZZOBJ    := $(patsubst src/%.c,build/fuzz/obj/%.o,$(SRC))
FUZZ_SRC   := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_TARGETS ?= $(patsubst tests/fuzz/fuzz_%.c,%,$(FUZZ_SRC))
FUZZ_BINS  := $(patsubst %,build/fuzz/fuzz_%,$(FUZZ_TARGETS))
FUZZ_SECONDS ?= 60
# `make test` runs each target this long (about a minute in all).
FUZZ_TEST_SECONDS ?= 8
build/fuzz/obj/page/page_assets.o: $(wildcard web/*)
build/fuzz/obj/serve/serve_file.o: $(CONFIG_STAMP)
build/fuzz/obj/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(Q)$(call say,CC,$<)$(FUZZ_CC) $(CFLAGS_BASE) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link $(PKG_CFLAGS) \
		-MMD -MP -c -o $@ $<
$(FUZZ_BINS): $(FUZZOBJ) # named outside the pattern, so make keeps them
build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZOBJ)
	@mkdir -p $(dir $@)
	$(Q)$(call say,CC,$<)$(FUZZ_CC) $(CFLAGS_BASE) -Itests/fuzz $(FUZZ_FLAGS) -fsanitize=fuzzer \
		$(PKG_CFLAGS) -MMD -MP -o $@ $< $(FUZZOBJ) $(PKG_LIBS) -lm
-include $(FUZZOBJ:.o=.d) $(FUZZ_BINS:=.d)

.PHONY: all preflight run test test-all fuzz fuzz-all check-src deps deps-test install \
        uninstall deb clean bench FORCE

# The packages are checked (`all`) or installed (`run`, `test`, `fuzz`) before
# anything is compiled: under `make -j2`, prerequisites of one target are made in
# parallel, so these first run bin/deps and only then make the rest in a second
# make, which compiles in parallel again (it shares our -j through the jobserver).
# Plain `make` never runs apt: a missing package is named, with the command that
# installs it, instead of a compiler error about a missing header.
all: preflight
	@$(MAKE) --no-print-directory build/liveline $(MANPAGES)

# The manual pages, liveline(1) and liveline.conf(5), from doc/*.scd.
MANPAGES := build/liveline.1 build/liveline.conf.5
$(MANPAGES): build/%: doc/%.scd
	@mkdir -p build
	$(Q)$(call say,MAN,$@)scdoc < $< > $@.tmp && mv $@.tmp $@

preflight:
	@bin/deps --check $(DEB_BUILD)

deps:
	@bin/deps $(DEB_BUILD)

deps-test:
	@bin/deps $(DEB_BUILD) $(DEB_TEST)

# The browser and EventSource tests' npm packages (playwright-core drives
# Debian's /usr/bin/chromium; it downloads no browser of its own), and the
# gates' (tests/e2e/test_reach_gates.py): vnu-jar (run with Debian's Java; its
# postinstall finds that Java and downloads none), axe-core, Lighthouse with
# chrome-launcher (Debian's Chromium again), schema-dts and TypeScript.
NODE_DEPS := tests/e2e/node_modules/.package-lock.json
$(NODE_DEPS): tests/e2e/package.json tests/e2e/package-lock.json
	@command -v npm >/dev/null || bin/deps npm
	cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error

DB   ?= build/demo.db
LISTEN ?= 127.0.0.1:8080
run: deps
	@$(MAKE) --no-print-directory build/liveline
	@bin/demo build/liveline $(DB)
	build/liveline --db $(DB) serve --listen $(LISTEN)

# The suite runs on SQLite in the optimised build, then once more on PostgreSQL
# (the store's conformance suites and the end-to-end tests, in a cluster that
# LIVELINE_TEST_PG names or tests/run starts with tests/pg), then on SQLite in
# the sanitizer build; then the stream tests (the part with two threads) run
# once more under ThreadSanitizer.
# Each runner prints its own summary; tests/run prints the closing total.
# Then each fuzz target runs for FUZZ_TEST_SECONDS over its corpus with a fixed
# seed (the same walk every run, so that the suite does not pass or fail by
# luck): a parser that crashes on a committed or quickly found input fails it.
# Last, installing, once (tests/package/run: make install, the systemd unit, and
# as root the Debian package: built, installed, served from and removed).
test: deps-test
	@$(MAKE) --no-print-directory test-all

# The store's tests that hold for every backend (no sqlite3.h) run on both;
# test_store_pg's only on PostgreSQL (on SQLite it would skip every test).
STORE_CONFORMANCE := $(filter $(addprefix build/tests/store/,test_store test_store_newsroom \
                       test_store_media test_store_copy test_store_search test_store_readers test_store_pg),$(RELTESTS))
test-all: check-src $(NODE_DEPS) build/liveline $(MANPAGES) $(RELTESTS) build/asan/liveline $(ASANTESTS) \
          build/tsan/liveline $(FUZZ_BINS)
	@FUZZ_SEED=1 tests/run build $(filter-out %/test_store_pg,$(RELTESTS)) \
		-- --pg build $(STORE_CONFORMANCE) \
		-- build/asan $(filter-out %/test_store_pg,$(ASANTESTS)) -- build/tsan -k test_stream \
		-- --fuzz $(FUZZ_TEST_SECONDS) $(FUZZ_BINS) -- --package

# Each fuzz target for FUZZ_SECONDS: new inputs go to build/fuzz/corpus/TARGET/,
# crashes to build/fuzz/crashes/ (tests/fuzz/run prints the reproducer's path).
fuzz: deps-test
	@$(MAKE) --no-print-directory fuzz-all

fuzz-all: $(FUZZ_BINS)
	@tests/fuzz/run $(FUZZ_SECONDS) $(FUZZ_BINS)

# A banned-function check in the spirit of curl's checksrc.
check-src:
	@if grep -nE '\b(strcpy|sprintf|strtok|atoi|gets|strcat)\s*\(' src/*.c src/*/*.c; then \
		echo "check-src: banned function (use the bounded or checked forms)"; exit 1; fi

# Benchmarks against nginx and nginx + nchan (installs them if missing). Not part
# of `make test`: see docs/performance.md.
bench: deps
	@$(MAKE) --no-print-directory build/liveline
	bench/run

# ---- Installing: make install, make uninstall, make deb ----------------------
# GNU's directory variables. The web assets are built into the binary
# (src/page/page_assets.c), so the binary, the manual pages, the sample config,
# the systemd unit and the docs are all there is. PREFIX=/usr (a package) keeps
# its config in /etc and its unit where Debian 12's systemd and debhelper look,
# /lib/systemd/system; any other prefix keeps both under itself
# (/usr/local/etc, /usr/local/lib/systemd/system, which systemd also reads).
# The unit (docs/deploy/liveline.service) names /usr/bin and /etc/liveline: it
# is installed with the prefix's own paths instead.
BINDIR     ?= $(PREFIX)/bin
MANDIR     ?= $(PREFIX)/share/man
DOCDIR     ?= $(PREFIX)/share/doc/liveline
ifeq ($(PREFIX),/usr)
SYSCONFDIR ?= /etc
UNITDIR    ?= /lib/systemd/system
else
SYSCONFDIR ?= $(PREFIX)/etc
UNITDIR    ?= $(PREFIX)/lib/systemd/system
endif
INSTALL_DOCS := README.md $(wildcard docs/*.md) docs/deploy/nginx-proxy.conf docs/deploy/haproxy.cfg

# An existing config is kept (it is the operator's), and uninstall removes it
# only when it is still the sample.
install: build/liveline $(MANPAGES)
	install -D -m 0755 build/liveline $(DESTDIR)$(BINDIR)/liveline
	install -D -m 0644 build/liveline.1 $(DESTDIR)$(MANDIR)/man1/liveline.1
	install -D -m 0644 build/liveline.conf.5 $(DESTDIR)$(MANDIR)/man5/liveline.conf.5
	@if [ -e $(DESTDIR)$(SYSCONFDIR)/liveline/liveline.conf ]; then \
		echo "install: keeping $(DESTDIR)$(SYSCONFDIR)/liveline/liveline.conf"; \
	else \
		echo "install -D -m 0644 etc/liveline.conf $(DESTDIR)$(SYSCONFDIR)/liveline/liveline.conf"; \
		install -D -m 0644 etc/liveline.conf $(DESTDIR)$(SYSCONFDIR)/liveline/liveline.conf; \
	fi
	install -d $(DESTDIR)$(UNITDIR)
	sed -e 's|/usr/bin/liveline|$(BINDIR)/liveline|g' -e 's|/etc/liveline/|$(SYSCONFDIR)/liveline/|g' \
		docs/deploy/liveline.service > $(DESTDIR)$(UNITDIR)/liveline.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/liveline.service
	install -d $(DESTDIR)$(DOCDIR)
	install -m 0644 $(INSTALL_DOCS) $(DESTDIR)$(DOCDIR)/

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/liveline $(DESTDIR)$(MANDIR)/man1/liveline.1 \
		$(DESTDIR)$(MANDIR)/man5/liveline.conf.5 $(DESTDIR)$(UNITDIR)/liveline.service
	rm -f $(addprefix $(DESTDIR)$(DOCDIR)/,$(notdir $(INSTALL_DOCS)))
	-rmdir $(DESTDIR)$(DOCDIR) 2>/dev/null
	@conf=$(DESTDIR)$(SYSCONFDIR)/liveline/liveline.conf; \
	if [ -e "$$conf" ] && ! cmp -s etc/liveline.conf "$$conf"; then \
		echo "uninstall: keeping $$conf (changed from the sample)"; \
	else \
		rm -f "$$conf"; rmdir $(DESTDIR)$(SYSCONFDIR)/liveline 2>/dev/null || true; \
	fi

# The package is built from a copy of the tree in build/deb/liveline-VERSION/
# (dpkg-buildpackage writes its results to the parent folder, build/deb/), so
# nothing is written outside the tree; debian/rules builds with
# CONFIG_DEFAULT=/etc/liveline/liveline.conf and PREFIX=/usr. `make test`
# builds it again and installs it (tests/package/run).
DEB_VERSION = $(shell dpkg-parsechangelog -l debian/changelog -S Version)
DEB_ARCH    = $(shell dpkg-architecture -q DEB_HOST_ARCH)
deb:
	@bin/deps $(DEB_BUILD) $(DEB_PACKAGE)
	rm -rf build/deb && mkdir -p build/deb/liveline-$(DEB_VERSION)
	tar -c --exclude=./build --exclude=./.git --exclude=node_modules . \
		| tar -x -C build/deb/liveline-$(DEB_VERSION)
	cd build/deb/liveline-$(DEB_VERSION) && dpkg-buildpackage -b -us -uc -J$$(nproc)
	@echo "deb: build/deb/liveline_$(DEB_VERSION)_$(DEB_ARCH).deb"

# `make -s print-DEB_BUILD`: a variable's value, for tests/package/run.
print-%:
	@echo '$($*)'

clean:
	rm -rf build
